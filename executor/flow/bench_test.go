package flow_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
)

// BenchmarkCallOverhead is the fixed cost of one call of a flow function:
// its group and executor, for one tiny function.
func BenchmarkCallOverhead(b *testing.B) {
	ctx := context.Background()
	one := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := flow.Gather(ctx, 1, one); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMapPerValue is the cost per value of a Map stage over a long
// input, at a few limits.
func BenchmarkMapPerValue(b *testing.B) {
	ctx := context.Background()
	id := func(_ context.Context, i int) (int, error) { return i, nil }
	for _, limit := range []int{1, 8, 0} {
		b.Run(limitName(limit), func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for _, err := range flow.Map(ctx, upTo(b.N), id, limit) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != b.N {
				b.Fatalf("%d values of %d", n, b.N)
			}
		})
	}
}

func limitName(limit int) string {
	if limit == 0 {
		return "limit=none"
	}
	return "limit=" + string(rune('0'+limit))
}

// BenchmarkCallOverheadLimited is the same through the executor path: a
// limit smaller than the number of functions.
func BenchmarkCallOverheadLimited(b *testing.B) {
	ctx := context.Background()
	one := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := flow.Gather(ctx, 1, one, one); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCollect is what Collect costs a value, over a Seq that costs
// next to nothing: growing the slice it returns.
func BenchmarkCollect(b *testing.B) {
	for _, n := range []int{100, 1_000_000} {
		in := make([]int, n)
		b.Run("values="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := flow.Collect(flow.Slice(in))
				if err != nil || len(out) != n {
					b.Fatalf("%d values, %v", len(out), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
		})
	}
}
