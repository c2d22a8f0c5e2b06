package executor_test

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestSubmitAllocations guards the allocation budget of a job: a Submit of
// a function that captures nothing allocates the job's group.Task and
// nothing else, once the executor has warmed up (workers started, waiters
// recycled).
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
	allocs := testing.AllocsPerRun(1000, submit)
	t.Logf("%.2f allocations per Submit", allocs)
	require.LessOrEqual(t, allocs, 1.0)
	require.NoError(t, ex.Wait())
	require.NoError(t, g.Close())
}
