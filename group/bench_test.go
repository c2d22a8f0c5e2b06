package group_test

import (
	"context"
	"io"
	"runtime/trace"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/group"
)

// BenchmarkGo measures starting and joining one tiny task, beside a bare
// goroutine with a sync.WaitGroup. The side-by-side comparison with peer
// libraries lives in tests/bench.
func BenchmarkGo(b *testing.B) {
	nop := func(context.Context) error { return nil }
	b.Run("impl=go-waitgroup", func(b *testing.B) {
		b.ReportAllocs()
		var wg sync.WaitGroup
		for b.Loop() {
			wg.Add(1)
			go func() { wg.Done() }()
		}
		wg.Wait()
	})
	b.Run("impl=group", func(b *testing.B) {
		b.ReportAllocs()
		var g group.Group
		for b.Loop() {
			g.Go(nop)
		}
		_ = g.Wait()
	})
	b.Run("impl=group-named", func(b *testing.B) {
		b.ReportAllocs()
		var g group.Group
		name := group.Name("task")
		for b.Loop() {
			g.Go(nop, name)
		}
		_ = g.Wait()
	})
	b.Run("impl=async", func(b *testing.B) {
		b.ReportAllocs()
		var g group.Group
		fn := func(context.Context) (int, error) { return 1, nil }
		for b.Loop() {
			group.Async(&g, fn)
		}
		_ = g.Wait()
	})
}

// BenchmarkObserver shows what an observer costs: impl=none is BenchmarkGo's
// impl=group (compare it with that benchmark on a commit before observers
// existed to see that an unset observer costs nothing measurable), and
// impl=nop sets an observer that does nothing, so that the difference is
// the cost of reporting a task's start and end (two calls and a clock read).
func BenchmarkObserver(b *testing.B) {
	nop := func(context.Context) error { return nil }
	b.Run("impl=none", func(b *testing.B) {
		b.ReportAllocs()
		var g group.Group
		for b.Loop() {
			g.Go(nop)
		}
		_ = g.Wait()
	})
	b.Run("impl=nop", func(b *testing.B) {
		b.ReportAllocs()
		g := group.New(context.Background(), group.Observe(func(group.Event) {}))
		for b.Loop() {
			g.Go(nop)
		}
		_ = g.Wait()
	})
}

// BenchmarkGoTraced shows what the Trace option costs: impl=none is a group
// without it, impl=off one with it while no trace is recorded (the case
// that must cost nothing measurable), and impl=on one with it while a
// trace is recorded to io.Discard (a trace task for the group and a region
// per task, besides what tracing itself costs every goroutine).
func BenchmarkGoTraced(b *testing.B) {
	nop := func(context.Context) error { return nil }
	run := func(b *testing.B, opts ...group.Option) {
		b.ReportAllocs()
		g := group.New(context.Background(), opts...)
		for b.Loop() {
			g.Go(nop)
		}
		_ = g.Wait()
	}
	b.Run("impl=none", func(b *testing.B) { run(b) })
	b.Run("impl=off", func(b *testing.B) { run(b, group.Trace()) })
	b.Run("impl=on", func(b *testing.B) {
		if err := trace.Start(io.Discard); err != nil {
			b.Fatal(err)
		}
		defer trace.Stop()
		run(b, group.Trace())
	})
}
