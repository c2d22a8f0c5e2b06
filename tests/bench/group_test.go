package bench_test

import (
	"context"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"
)

// batch is how many tasks BenchmarkSpawnWait starts into one group before it
// waits for them; see the package documentation for why it batches.
const batch = 1000

// tiny is the work of one task: a call the compiler cannot remove. Each
// task stores its result in its own slot of out (the Async task returns it
// instead), so that the work has an effect and tasks share no counter.
//
//go:noinline
func tiny(i int) int { return i*i + 1 }

// out holds the tasks' results; every batch reuses it, so it costs no
// allocation per op. Only the current batch's tasks write to it, and each
// batch is waited for before the next starts.
var out = make([]int, batch)

// batches calls run with the sizes of consecutive batches that add up to
// b.N, so that one op is one task.
func batches(b *testing.B, run func(n int)) {
	b.ReportAllocs()
	for done := 0; done < b.N; done += batch {
		run(min(batch, b.N-done))
	}
}

func BenchmarkSpawnWait(b *testing.B) {
	b.Run("impl=go-waitgroup", func(b *testing.B) {
		var wg sync.WaitGroup
		batches(b, func(n int) {
			wg.Add(n)
			for i := range n {
				go func() {
					out[i] = tiny(i)
					wg.Done()
				}()
			}
			wg.Wait()
		})
	})
	b.Run("impl=errgroup", func(b *testing.B) {
		batches(b, func(n int) {
			var g errgroup.Group
			for i := range n {
				g.Go(func() error {
					out[i] = tiny(i)
					return nil
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("impl=conc-pool", func(b *testing.B) {
		batches(b, func(n int) {
			p := pool.New()
			for i := range n {
				p.Go(func() { out[i] = tiny(i) })
			}
			p.Wait()
		})
	})
	b.Run("impl=nursery-go", func(b *testing.B) {
		batches(b, func(n int) {
			var g group.Group
			for i := range n {
				g.Go(func(context.Context) error {
					out[i] = tiny(i)
					return nil
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("impl=nursery-go-named", func(b *testing.B) {
		batches(b, func(n int) {
			var g group.Group
			for i := range n {
				g.Go(func(context.Context) error {
					out[i] = tiny(i)
					return nil
				}, group.Name("t"))
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("impl=nursery-async", func(b *testing.B) {
		batches(b, func(n int) {
			var g group.Group
			for i := range n {
				group.Async(&g, func(context.Context) (int, error) {
					return tiny(i), nil
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
		})
	})
}
