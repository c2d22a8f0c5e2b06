package executor_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestSubmitAllocations guards the allocation budget of a job. A Submit of
// a function that captures nothing allocates the job's group.Task, and,
// when a worker is free, the start of the goroutine that runs it (a go
// statement with an argument allocates). A Submit that finds every worker
// busy allocates only the task: the worker that comes free makes the job
// and runs it itself.
func TestSubmitAllocations(t *testing.T) {
	testkit.Bubble(t, testSubmitAllocations) // a hang fails at once
}

func testSubmitAllocations(t *testing.T) {
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(1))
	ctx := context.Background()
	ran := make(chan struct{}, 1)
	job := func(context.Context) error { ran <- struct{}{}; return nil } // made once
	submit := func() {
		if _, err := ex.Submit(ctx, job); err != nil {
			panic(err)
		}
		<-ran // (task.Done would make a channel: an allocation of the test's)
	}
	submit()
	free := testing.AllocsPerRun(1000, submit)
	t.Logf("%.2f allocations per Submit to a free worker", free)
	require.LessOrEqual(t, free, 2.0)

	// Each job waits until the next Submit has blocked for want of a
	// worker (every other goroutine of the bubble is durably blocked).
	blocked := func(context.Context) error { synctest.Wait(); return nil }
	if _, err := ex.Submit(ctx, blocked); err != nil {
		panic(err)
	}
	busy := testing.AllocsPerRun(1000, func() {
		if _, err := ex.Submit(ctx, blocked); err != nil {
			panic(err)
		}
	})
	t.Logf("%.2f allocations per Submit to a busy executor", busy)
	require.LessOrEqual(t, busy, 1.0)
	require.NoError(t, ex.Wait())
	require.NoError(t, g.Close())
}

// TestMapAllocations guards what an ordered Map and MapUnordered cost per
// item: nothing of their own but a share of their jobs, each of which runs
// many cheap items (its group.Task, its record and the start of its
// goroutine), and of the stream's fixed cost (its ring and item records,
// which are reused). Map's code with a job per item took 2.0 per item
// here, and before the records were reused 3.27; MapUnordered's, with a
// job and a channel send per item, 3.0 in BenchmarkMapUnordered.
func TestMapAllocations(t *testing.T) {
	for _, s := range streams {
		t.Run(s.name, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(2))
				ctx := context.Background()
				const items = 1000
				double := func(_ context.Context, v int) (int, error) { return 2 * v, nil }
				run := func() {
					sum := 0
					for v, err := range s.stream(ctx, ex, upTo(items), double) {
						if err != nil {
							panic(err)
						}
						sum += v
					}
					if sum != items*(items-1) {
						panic("wrong sum")
					}
				}
				perItem := testing.AllocsPerRun(20, run) / items
				t.Logf("%.3f allocations per item", perItem)
				require.LessOrEqual(t, perItem, 0.5)
				require.NoError(t, ex.Wait())
				require.NoError(t, g.Close())
			})
		})
	}
}
