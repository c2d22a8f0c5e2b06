package prom_test

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe/prom"
)

// tasksPerOp is how many tasks each iteration starts and waits for; the
// benchmarks report ns/task.
const tasksPerOp = 100

// goWait starts tasksPerOp tiny tasks in a new group made with opts and
// waits for them, b.N times.
func goWait(b *testing.B, opts ...group.Option) {
	b.ReportAllocs()
	nop := func(context.Context) error { return nil }
	opts = append(opts, group.Name("bench"))
	for b.Loop() {
		g := group.New(context.Background(), opts...)
		for range tasksPerOp {
			g.Go(nop)
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tasksPerOp), "ns/task")
}

func BenchmarkGoWithout(b *testing.B) {
	goWait(b)
}

// BenchmarkGoWithObserver measures what the Collector adds to each task:
// its Observe method (a duration histogram update per task); the counts
// from Stats cost nothing until a scrape.
func BenchmarkGoWithObserver(b *testing.B) {
	goWait(b, group.Observe(prom.New().Observe))
}
