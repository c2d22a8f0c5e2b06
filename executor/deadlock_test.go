package executor_test

import (
	"context"
	"fmt"
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

// helperJob is a job that, once started is closed, starts n helper
// goroutines that Submit with its context (so they count as the job) and
// report to errs; each helper's Submit ends with its own cancel. The job
// returns once end is closed.
type helperJob struct {
	start, end chan struct{}
	cancels    chan context.CancelFunc
	errs       chan error
}

func newHelperJob(t *testing.T, ex *executor.Executor, n int) *helperJob {
	t.Helper()
	h := &helperJob{start: make(chan struct{}), end: make(chan struct{}),
		cancels: make(chan context.CancelFunc, n), errs: make(chan error, n)}
	_, err := ex.Submit(context.Background(), func(ctx context.Context) error {
		<-h.start
		for range n {
			// Its values, not its end: a helper may outlive the job.
			hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			h.cancels <- cancel
			go func() {
				_, err := ex.Submit(hctx, nop)
				h.errs <- err
			}()
		}
		<-h.end
		return nil
	})
	require.NoError(t, err)
	return h
}

// askingJob submits a job that, once ask is closed, Submits from inside
// and reports the error to got, then blocks on gt.
func askingJob(t *testing.T, ex *executor.Executor, gt *gate) (ask chan struct{}, got chan error) {
	t.Helper()
	ask, got = make(chan struct{}), make(chan error, 1)
	_, err := ex.Submit(context.Background(), func(ctx context.Context) error {
		<-ask
		_, err := ex.Submit(ctx, nop)
		got <- err
		return gt.job(ctx)
	})
	require.NoError(t, err)
	return ask, got
}

// A job counts as blocked while any of its helpers waits, and stops
// counting once none does: two workers, one running B, the other A whose
// helpers wait; B's own Submit is a deadlock only while A still waits.
func TestDeadlockCountsAJobWhileAnyOfItsSubmittersWaits(t *testing.T) {
	for _, leave := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d of 2 helpers give up", leave), func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors())
				gt := newGate()
				ask, got := askingJob(t, ex, gt)
				a := newHelperJob(t, ex, 2)
				close(a.start)
				synctest.Wait()
				require.Equal(t, int64(2), ex.Stats().Blocked)
				var cancels []context.CancelFunc
				for range 2 {
					cancels = append(cancels, <-a.cancels)
				}
				for _, cancel := range cancels[:leave] {
					cancel()
					require.ErrorIs(t, <-a.errs, context.Canceled)
				}
				close(ask)
				synctest.Wait()
				if leave == 1 {
					require.ErrorIs(t, <-got, executor.ErrDeadlock)
				} else {
					require.Empty(t, got, "a deadlock reported while A's worker can come free")
				}
				for _, cancel := range cancels {
					cancel()
				}
				close(a.end)
				gt.open()
				require.NoError(t, ex.Wait())
				require.NoError(t, g.Close())
			})
		})
	}
}

// A job that has finished holds no worker, though a helper of it still
// waits: it no longer counts as blocked.
func TestDeadlockForgetsAJobThatFinished(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors())
		gt := newGate()
		ask, got := askingJob(t, ex, gt)
		a := newHelperJob(t, ex, 1)
		outside := make(chan error, 1)
		go func() { // waits first: it gets A's worker when A ends
			_, err := ex.Submit(context.Background(), gt.job)
			outside <- err
		}()
		synctest.Wait()
		close(a.start) // A's helper waits second
		synctest.Wait()
		require.Equal(t, int64(2), ex.Stats().Blocked)
		close(a.end)
		require.NoError(t, <-outside)
		synctest.Wait()
		require.Equal(t, int64(1), ex.Stats().Blocked, "A's helper still waits")
		close(ask) // B submits: A has finished, the outside job can end
		synctest.Wait()
		require.Empty(t, got, "a deadlock reported while a worker can still come free")
		(<-a.cancels)()
		require.ErrorIs(t, <-a.errs, context.Canceled)
		gt.open()
		require.NoError(t, <-got)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}
