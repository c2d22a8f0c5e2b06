package executor_test

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
)

// BenchmarkMapUnordered streams a million tiny items through MapUnordered
// with 8 workers and sums the results. One op is the whole stream; ns/item
// is reported beside it.
func BenchmarkMapUnordered(b *testing.B) {
	const (
		workers = 8
		items   = 1_000_000
	)
	b.ReportAllocs()
	fn := func(_ context.Context, v int) (int, error) { return v ^ 0x5a, nil }
	want := 0
	for v := range items {
		want += v ^ 0x5a
	}
	for b.Loop() {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(workers))
		sum, n := 0, 0
		for v, err := range executor.MapUnordered(context.Background(), ex, upTo(items), fn) {
			if err != nil {
				b.Fatal(err)
			}
			sum += v
			n++
		}
		if n != items || sum != want {
			b.Fatalf("%d items summing to %d, want %d summing to %d", n, sum, items, want)
		}
		if err := ex.Wait(); err != nil {
			b.Fatal(err)
		}
		if err := g.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*items), "ns/item")
}
