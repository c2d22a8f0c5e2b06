package bench_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/panjf2000/ants/v2"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"
)

// ants makes a default pool, with two goroutines of its own, when it is
// imported. It is never used here; releasing it keeps goleak's check in
// main_test.go about the benchmarks' goroutines.
func init() { _ = ants.ReleaseTimeout(time.Second) }

// slots is where work stores results: more slots than tasks can ever be in
// flight at once (limit 1024 plus pond's queue of 1024), so tasks never
// share one.
var slots = make([]int, 8192)

// work is the task of BenchmarkSubmit: tiny, with an effect.
func work(i int) { slots[i&(len(slots)-1)] = tiny(i) }

// limits are the concurrency limits BenchmarkSubmit compares at.
var limits = []int{8, 128, 1024}

// BenchmarkSubmit measures submitting one tiny task to a pool limited to
// limit concurrent tasks, with back-pressure: the submitter blocks while the
// pool is full. One op is one task; the pool is made once per run and
// waited for at its end, so its setup and final wait are amortised over
// b.N tasks. Every implementation runs the same closure, which captures its
// index (one allocation each, paid by all).
func BenchmarkSubmit(b *testing.B) {
	for _, limit := range limits {
		b.Run(fmt.Sprintf("limit=%d/impl=nursery", limit), func(b *testing.B) {
			submitNursery(b, limit, 0)
		})
		b.Run(fmt.Sprintf("limit=%d/impl=nursery-queue", limit), func(b *testing.B) {
			// A queue as deep as the limit, as pond's below.
			submitNursery(b, limit, limit)
		})
		b.Run(fmt.Sprintf("limit=%d/impl=errgroup", limit), func(b *testing.B) {
			b.ReportAllocs()
			var g errgroup.Group
			g.SetLimit(limit)
			i := 0
			for b.Loop() {
				n := i
				g.Go(func() error { work(n); return nil })
				i++
			}
			_ = g.Wait()
		})
		b.Run(fmt.Sprintf("limit=%d/impl=conc-pool", limit), func(b *testing.B) {
			b.ReportAllocs()
			p := pool.New().WithMaxGoroutines(limit)
			i := 0
			for b.Loop() {
				n := i
				p.Go(func() { work(n) })
				i++
			}
			p.Wait()
		})
		b.Run(fmt.Sprintf("limit=%d/impl=pond", limit), func(b *testing.B) {
			b.ReportAllocs()
			// Bounded queue as deep as the limit; Go blocks when it is full.
			p := pond.NewPool(limit, pond.WithQueueSize(limit))
			i := 0
			for b.Loop() {
				n := i
				if err := p.Go(func() { work(n) }); err != nil {
					b.Fatal(err)
				}
				i++
			}
			p.StopAndWait()
		})
		b.Run(fmt.Sprintf("limit=%d/impl=ants", limit), func(b *testing.B) {
			b.ReportAllocs()
			p, err := ants.NewPool(limit) // blocking Submit by default
			if err != nil {
				b.Fatal(err)
			}
			var wg sync.WaitGroup
			i := 0
			for b.Loop() {
				n := i
				wg.Add(1)
				if err := p.Submit(func() { work(n); wg.Done() }); err != nil {
					b.Fatal(err)
				}
				i++
			}
			wg.Wait()
			_ = p.ReleaseTimeout(time.Second)
		})
	}
}

// submitNursery is BenchmarkSubmit's nursery executor, strict (depth 0)
// or with a queue of depth jobs.
func submitNursery(b *testing.B, limit, depth int) {
	b.ReportAllocs()
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(limit), executor.QueueDepth(depth))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		n := i
		if _, err := ex.Submit(ctx, func(context.Context) error { work(n); return nil }); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if err := ex.Wait(); err != nil {
		b.Fatal(err)
	}
	_ = g.Close()
}

// BenchmarkFutures measures submitting a task that returns a value and
// reading its result, with limit 128: futures are read in batches of 1000,
// oldest first, so one op is one task and at most a batch is held.
func BenchmarkFutures(b *testing.B) {
	const limit = 128
	b.Run("impl=nursery", func(b *testing.B) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(limit))
		ctx := context.Background()
		futs := make([]*group.Future[int], 0, batch)
		batches(b, func(n int) {
			futs = futs[:0]
			for i := range n {
				f, err := executor.Async(ctx, ex, func(context.Context) (int, error) { return tiny(i), nil })
				if err != nil {
					b.Fatal(err)
				}
				futs = append(futs, f)
			}
			for _, f := range futs {
				if _, err := f.Result(); err != nil {
					b.Fatal(err)
				}
			}
		})
		_ = ex.Wait()
		_ = g.Close()
	})
	b.Run("impl=pond", func(b *testing.B) {
		p := pond.NewResultPool[int](limit, pond.WithQueueSize(limit))
		futs := make([]pond.ResultTask[int], 0, batch)
		batches(b, func(n int) {
			futs = futs[:0]
			for i := range n {
				futs = append(futs, p.Submit(func() int { return tiny(i) }))
			}
			for _, f := range futs {
				if _, err := f.Wait(); err != nil {
					b.Fatal(err)
				}
			}
		})
		p.StopAndWait()
	})
}

// mapItems is how many items one op of BenchmarkMap streams.
const mapItems = 1_000_000

// BenchmarkMap streams a million items through an ordered map with 8
// workers and consumes the results in order. One op is the whole stream;
// ns/item and the peak heap in use are reported beside it (see
// streamBench). BenchmarkStreamScale runs the same streams at other lengths
// and worker counts.
func BenchmarkMap(b *testing.B) {
	const workers = 8
	b.Run("impl=nursery", func(b *testing.B) {
		streamBench(b, mapItems, mapNursery(workers, mapItems))
	})
	b.Run("impl=conc-stream", func(b *testing.B) {
		streamBench(b, mapItems, mapConc(workers, mapItems))
	})
}

// upTo yields 0, 1, ..., n-1.
func upTo(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// BenchmarkRelease measures closing an executor whose n workers all run a
// job blocked on its context, against closing a group of n such tasks:
// only the close is timed. The sizes show how the cost grows with n.
func BenchmarkRelease(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d/impl=group", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				b.StopTimer()
				g := group.New(context.Background())
				var started sync.WaitGroup
				started.Add(n)
				for range n {
					g.Go(func(ctx context.Context) error {
						done := ctx.Done()
						started.Done()
						<-done
						return nil
					})
				}
				started.Wait()
				b.StartTimer()
				if err := g.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/impl=executor", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				b.StopTimer()
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(n))
				var started sync.WaitGroup
				started.Add(n)
				for range n {
					if _, err := ex.Submit(context.Background(), func(ctx context.Context) error {
						done := ctx.Done()
						started.Done()
						<-done
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
				started.Wait()
				b.StartTimer()
				if err := ex.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = g.Close()
				b.StartTimer()
			}
		})
	}
}
