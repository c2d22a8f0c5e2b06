package executor_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// Wait returns as the last job ends: workers that find nothing left to do
// exit at once.
func TestWaitReturnsAsTheLastJobEnds(t *testing.T) {
	for _, workers := range []int{1, 4} {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			ex := executor.New(g, executor.MaxWorkers(workers))
			for i := range workers {
				_, err := ex.Submit(context.Background(), sleepJob(time.Duration(i+1)*time.Second))
				require.NoError(t, err)
			}
			start := time.Now()
			require.NoError(t, ex.Wait())
			require.Equal(t, time.Duration(workers)*time.Second, time.Since(start),
				"Wait returned later than the last job's end")
			require.NoError(t, g.Close())
		})
	}
}

// Wait finds work left while jobs wait in the backlog, however many: a job
// still running may then submit more, into a place that a finished job
// freed, and the executor closes only once that has run too.
func TestWaitCountsBackloggedJobsAsWorkLeft(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		first, second := newGate(), newGate()
		ctx := context.Background()
		_, err := ex.Submit(ctx, first.job)
		require.NoError(t, err)
		nested, ran := error(nil), false
		_, err = ex.Submit(ctx, func(ctx context.Context) error {
			<-second.release
			_, nested = ex.Submit(ctx, func(context.Context) error { ran = true; return nil })
			return nil
		})
		require.NoError(t, err)
		for range 2 { // as many in the backlog as are running
			_, err = ex.Enqueue(nop)
			require.NoError(t, err)
		}
		waited := make(chan error, 1)
		go func() { waited <- ex.Wait() }()
		synctest.Wait()
		first.open() // its worker runs the backlog, then leaves
		synctest.Wait()
		second.open() // a place is free for the nested Submit
		require.NoError(t, <-waited)
		require.NoError(t, nested)
		require.True(t, ran)
		require.NoError(t, g.Close())
	})
}

// Wait finds work left while a blocked Submit has been granted a place in
// the queue and is still making its job (here held in the group's
// observer): the job gets a worker even if every other job has ended.
func TestWaitCountsAGrantedQueuePlaceAsWorkLeft(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		hold := make(chan struct{})
		g := group.New(context.Background(), group.Observe(func(e group.Event) {
			if e.Kind == group.SubmitBlocked && e.Err == nil {
				<-hold
			}
		}))
		ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(1))
		first, second := newGate(), newGate()
		ctx := context.Background()
		_, err := ex.Submit(ctx, first.job)
		require.NoError(t, err)
		_, err = ex.Submit(ctx, second.job) // queued
		require.NoError(t, err)
		ran := false
		submitted := make(chan error, 1)
		go func() { // blocks: the queue is full
			_, err := ex.Submit(ctx, func(context.Context) error { ran = true; return nil })
			submitted <- err
		}()
		synctest.Wait()
		first.open() // the queue empties: the blocked Submit gets a place, held
		synctest.Wait()
		waited := make(chan error, 1)
		go func() { waited <- ex.Wait() }()
		synctest.Wait()
		second.open() // every job made so far ends
		synctest.Wait()
		close(hold)
		require.NoError(t, <-submitted)
		require.NoError(t, <-waited)
		require.True(t, ran)
		require.NoError(t, g.Close())
	})
}
