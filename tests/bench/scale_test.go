package bench_test

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/sourcegraph/conc/stream"
)

// scaleItems are the stream lengths BenchmarkStreamScale sweeps.
var scaleItems = []int{1_000, 10_000, 100_000, 1_000_000, 10_000_000}

// scaleWorkers are the worker counts BenchmarkStreamScale sweeps.
var scaleWorkers = []int{1, 8, 64, 1024}

// BenchmarkStreamScale streams items ints through an ordered map with
// workers workers, for every length in scaleItems and every count in
// scaleWorkers, and consumes the results in order as BenchmarkMap does.
// One op is one whole stream, so run it with -benchtime Nx (see
// sweep.sh); ns/item, the peak heap in use and allocs/op are reported
// beside ns/op (see streamBench). The implementations:
//
//   - nursery-map: executor.Map on a fresh executor, as in BenchmarkMap;
//   - nursery-flow: a flow.Map stage, ranged over (flow.Collect would
//     hold all the results);
//   - conc-stream: conc's stream, as in BenchmarkMap.
//
// Cost per item that does not grow with items, and a peak heap that grows
// with neither, show that the streams hold a bounded window.
func BenchmarkStreamScale(b *testing.B) {
	impls := []struct {
		name   string
		stream func(workers, items int) func(consume func(int)) error
	}{
		{"nursery-map", mapNursery},
		{"nursery-flow", mapFlow},
		{"conc-stream", mapConc},
	}
	for _, impl := range impls {
		for _, w := range scaleWorkers {
			for _, n := range scaleItems {
				b.Run(fmt.Sprintf("impl=%s/workers=%d/items=%d", impl.name, w, n), func(b *testing.B) {
					streamBench(b, n, impl.stream(w, n))
				})
			}
		}
	}
}

// mapFlow returns a stream of streamBench: items ints through a flow.Map
// stage limited to the given workers.
func mapFlow(workers, items int) func(consume func(int)) error {
	return func(consume func(int)) error {
		fn := func(_ context.Context, i int) (int, error) { return tiny(i), nil }
		for v, err := range flow.Map(context.Background(), flow.Values(upTo(items)), fn, workers) {
			if err != nil {
				// Leaving the range ends and joins the stage.
				return err
			}
			consume(v)
		}
		return nil
	}
}

// mapNursery returns a stream of streamBench: items ints through the
// ordered executor.Map of a fresh executor with the given workers.
func mapNursery(workers, items int) func(consume func(int)) error {
	return func(consume func(int)) error {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(workers))
		fn := func(_ context.Context, i int) (int, error) { return tiny(i), nil }
		var failed error
		for v, err := range executor.Map(context.Background(), ex, upTo(items), fn) {
			if err != nil {
				failed = err
				break
			}
			consume(v)
		}
		// Wait and Close run in any case; after a failure they return it
		// again, so the first error is the one reported.
		return cmp.Or(failed, ex.Wait(), g.Close())
	}
}

// mapConc returns a stream of streamBench: items ints through a conc
// stream with the given workers. Its callbacks, and so consume, run in
// the stream's own goroutine, one at a time and in order; Wait waits for
// them.
func mapConc(workers, items int) func(consume func(int)) error {
	return func(consume func(int)) error {
		s := stream.New().WithMaxGoroutines(workers)
		for i := range upTo(items) {
			s.Go(func() stream.Callback {
				v := tiny(i)
				return func() { consume(v) }
			})
		}
		s.Wait()
		return nil
	}
}

// streamBench runs b.N ops of run, each one whole stream that must hand
// consume tiny(0), tiny(1), ..., tiny(items-1) in this order, and fails
// the benchmark otherwise. Beside ns/op it reports ns/item and the peak
// heap in use (HeapInuse, read at the end of each stream and every
// max(10,000, items/20) items: about 20 readings a stream however long,
// so that a longer stream is not credited a higher peak for being read
// more often).
func streamBench(b *testing.B, items int, run func(consume func(int)) error) {
	b.ReportAllocs()
	c := streamCheck{every: max(10_000, items/20)}
	for b.Loop() {
		c.next = 0
		if err := run(c.consume); err != nil {
			b.Fatal(err)
		}
		c.sample()
		if c.err != nil {
			b.Fatal(c.err)
		}
		if c.next != items {
			b.Fatalf("%d items, want %d", c.next, items)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(items)), "ns/item")
	b.ReportMetric(float64(c.peak), "peak-heap-B")
}

// A streamCheck checks the items of a stream as they come and keeps the
// peak heap in use. consume may run in a goroutine other than the
// benchmark's (conc's callbacks do), so it records its first error
// instead of failing the benchmark; the stream's end orders it before the
// benchmark reads it.
type streamCheck struct {
	next  int    // index of the item expected next
	every int    // items between two readings of the heap
	err   error  // first wrong item
	peak  uint64 // greatest HeapInuse read
	ms    runtime.MemStats
}

func (c *streamCheck) consume(v int) {
	if c.err == nil && v != tiny(c.next) {
		c.err = fmt.Errorf("item %d: got %d, want %d (out of order or wrong)", c.next, v, tiny(c.next))
	}
	if c.next%c.every == 0 {
		c.sample()
	}
	c.next++
}

// sample reads the heap in use and keeps it if it is the peak.
func (c *streamCheck) sample() {
	runtime.ReadMemStats(&c.ms)
	c.peak = max(c.peak, c.ms.HeapInuse)
}
