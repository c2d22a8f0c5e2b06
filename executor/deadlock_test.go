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

func TestSubmitFromJobIntoSaturatedExecutorIsADeadlock(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		errs := make(chan error, 2)
		start := make(chan struct{})
		for range 2 {
			_, err := ex.Submit(context.Background(), func(ctx context.Context) error {
				// Both producers hold a worker before either submits: else
				// the first could have its jobs run by the second worker.
				<-start
				// Two workers and a queue of two: the fifth job cannot be
				// placed while both workers run these producers.
				for range 3 {
					if _, err := ex.Submit(ctx, nop); err != nil {
						errs <- err
						return nil
					}
				}
				errs <- nil
				return nil
			})
			require.NoError(t, err)
		}
		close(start)
		// The first producer to block waits; the second completes the cycle
		// and is told, returns, and so frees a worker for the first.
		require.ErrorIs(t, <-errs, executor.ErrDeadlock)
		require.NoError(t, <-errs)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestExecFromJobWithFreeWorkersWorks(t *testing.T) {
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(2))
	v, err := executor.Exec(context.Background(), ex, func(ctx context.Context) (int, error) {
		return executor.Exec(ctx, ex, func(context.Context) (int, error) { return 42, nil })
	})
	require.NoError(t, err)
	require.Equal(t, 42, v)
	require.NoError(t, ex.Wait())
	require.NoError(t, g.Close())
}

func TestWaitFromAJobIsDetected(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g)
		errs := make(chan error, 1)
		_, err := ex.Submit(context.Background(), func(context.Context) error {
			errs <- ex.Wait()
			return nil
		})
		require.NoError(t, err)
		require.ErrorIs(t, <-errs, group.ErrWaitInTask)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestSubmitFromATaskOfTheGroupThatIsNotAJobWaitsInsteadOfDeadlock(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1))
		gt := newGate()
		_, err := ex.Submit(context.Background(), gt.job) // the one worker is busy
		require.NoError(t, err)
		synctest.Wait()
		errs := make(chan error, 1)
		ex.Group().Go(func(ctx context.Context) error {
			_, err := ex.Submit(ctx, nop)
			errs <- err
			return nil
		})
		synctest.Wait()
		gt.open()
		require.NoError(t, <-errs, "the producer holds no worker")
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestSubmitFromAFinishedJobsContextWaitsInsteadOfDeadlock(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1))
		jobCtx := make(chan context.Context, 1)
		first, err := ex.Submit(context.Background(), func(ctx context.Context) error {
			jobCtx <- context.WithoutCancel(ctx)
			return nil
		})
		require.NoError(t, err)
		<-first.Done()
		gt := newGate()
		_, err = ex.Submit(context.Background(), gt.job) // the one worker is busy
		require.NoError(t, err)
		synctest.Wait()
		errs := make(chan error, 1)
		go func() {
			_, err := ex.Submit(<-jobCtx, nop)
			errs <- err
		}()
		synctest.Wait()
		gt.open()
		require.NoError(t, <-errs, "the finished job holds no worker")
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}
