package bench_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/sourcegraph/conc/iter"
)

// flowItems is how many values one op of BenchmarkFlow maps or filters.
const flowItems = 1_000_000

// flowWorkers is the concurrency limit of every implementation.
const flowWorkers = 8

// BenchmarkFlow maps (tiny) and filters (keeps the even results of tiny) a
// slice of a million ints with 8 workers and checks the output. One op is
// the whole slice; ns/item is reported beside it. The implementations:
// flow's Map and Filter stages (a job and its context per value, results in
// order, failures and panics handled), conc's iter.Mapper (workers take
// indices from a shared counter), and the worker pool one writes by hand
// (a channel of indices, a WaitGroup, results written by index).
func BenchmarkFlow(b *testing.B) {
	ctx := context.Background()
	// The input is made here, not in a package variable, so that its 8 MB
	// are not in the heap that other benchmarks measure.
	flowInput := make([]int, flowItems)
	for i := range flowInput {
		flowInput[i] = i
	}
	want := make([]int, flowItems)
	var wantEven []int
	for i := range want {
		want[i] = tiny(i)
		if want[i]%2 == 0 {
			wantEven = append(wantEven, i)
		}
	}
	keep := func(i int) bool { return tiny(i)%2 == 0 }

	b.Run("op=map/impl=nursery", func(b *testing.B) {
		flowBench(b, want, func() []int {
			out, err := flow.Collect(flow.Map(ctx, flow.Slice(flowInput),
				func(_ context.Context, i int) (int, error) { return tiny(i), nil }, flowWorkers))
			if err != nil {
				b.Fatal(err)
			}
			return out
		})
	})
	b.Run("op=map/impl=conc-iter", func(b *testing.B) {
		flowBench(b, want, func() []int {
			return iter.Mapper[int, int]{MaxGoroutines: flowWorkers}.Map(flowInput, func(p *int) int { return tiny(*p) })
		})
	})
	b.Run("op=map/impl=handwritten", func(b *testing.B) {
		flowBench(b, want, func() []int {
			out := make([]int, len(flowInput))
			handPool(len(flowInput), func(i int) { out[i] = tiny(flowInput[i]) })
			return out
		})
	})

	b.Run("op=filter/impl=nursery", func(b *testing.B) {
		flowBench(b, wantEven, func() []int {
			out, err := flow.Collect(flow.Filter(ctx, flow.Slice(flowInput),
				func(_ context.Context, i int) (bool, error) { return keep(i), nil }, flowWorkers))
			if err != nil {
				b.Fatal(err)
			}
			return out
		})
	})
	b.Run("op=filter/impl=conc-iter", func(b *testing.B) {
		flowBench(b, wantEven, func() []int {
			kept := iter.Mapper[int, bool]{MaxGoroutines: flowWorkers}.Map(flowInput, func(p *int) bool { return keep(*p) })
			return compact(flowInput, kept)
		})
	})
	b.Run("op=filter/impl=handwritten", func(b *testing.B) {
		flowBench(b, wantEven, func() []int {
			kept := make([]bool, len(flowInput))
			handPool(len(flowInput), func(i int) { kept[i] = keep(flowInput[i]) })
			return compact(flowInput, kept)
		})
	})
}

// handPool runs f(0), …, f(n-1) on flowWorkers goroutines fed through a
// channel: the pool people write without a library.
func handPool(n int, f func(i int)) {
	idx := make(chan int, flowWorkers)
	var wg sync.WaitGroup
	for range flowWorkers {
		wg.Go(func() {
			for i := range idx {
				f(i)
			}
		})
	}
	for i := range n {
		idx <- i
	}
	close(idx)
	wg.Wait()
}

// compact returns the values of in whose flag in kept is set, in order.
func compact(in []int, kept []bool) []int {
	var out []int
	for i, k := range kept {
		if k {
			out = append(out, in[i])
		}
	}
	return out
}

func flowBench(b *testing.B, want []int, run func() []int) {
	b.ReportAllocs()
	for b.Loop() {
		if got := run(); !slices.Equal(got, want) {
			b.Fatalf("wrong output: %d values, want %d", len(got), len(want))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*flowItems), "ns/item")
}
