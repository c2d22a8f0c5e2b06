package executor_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// sleepJob sleeps for d unless cancelled first.
func sleepJob(d time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		select {
		case <-time.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// asyncio-pool's cancel_usage, with SuppressErrors: Cancel counts running
// and waiting jobs it cancelled, and the executor goes on.
func TestCancelCountsCancelledJobs(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors())
		ctx := context.Background()
		quick, err := ex.Enqueue(sleepJob(100 * time.Millisecond))
		require.NoError(t, err)
		f1, err := ex.Submit(ctx, sleepJob(500*time.Millisecond))
		require.NoError(t, err)
		f2, err := ex.Enqueue(sleepJob(500 * time.Millisecond))
		require.NoError(t, err)
		var f35 []*group.Task
		for range 3 {
			task, err := ex.Enqueue(sleepJob(500 * time.Millisecond))
			require.NoError(t, err)
			f35 = append(f35, task)
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		require.Equal(t, group.Succeeded, quick.State())
		require.Equal(t, group.Running, f2.State(), "took quick's worker")

		n, err := ex.Cancel(ctx, f1, f35[2]) // one running, one waiting
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.Equal(t, group.Canceled, f1.State())
		require.Equal(t, group.Canceled, f35[2].State())

		time.Sleep(100 * time.Millisecond)
		n, err = ex.Cancel(ctx) // all the others: f2, f35[0] running, f35[1] waiting
		require.NoError(t, err)
		require.Equal(t, 3, n)
		require.Equal(t, group.Succeeded, quick.State(), "finished work is not cancelled")
		require.Equal(t, group.Open, ex.Group().State(), "suppressing errors, the executor goes on")
		_, err = ex.Submit(ctx, nop)
		require.NoError(t, err)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

// A job that finished before Cancel is not counted; one that caught its
// cancellation is, as asyncio-pool counts every future it cancelled.
func TestCancelDoesNotCountJobsThatCompleted(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors())
		caught, err := ex.Submit(context.Background(), func(ctx context.Context) error {
			<-ctx.Done()
			return nil // caught its cancellation and returned normally
		})
		require.NoError(t, err)
		done, err := ex.Submit(context.Background(), nop)
		require.NoError(t, err)
		synctest.Wait()
		n, err := ex.Cancel(context.Background(), caught, done)
		require.NoError(t, err)
		require.Equal(t, 1, n, "caught was reached, done had finished")
		require.Equal(t, group.Succeeded, caught.State())
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestCancelUnderFailFastClosesTheExecutor(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		target, err := ex.Submit(context.Background(), sleepJob(time.Hour))
		require.NoError(t, err)
		other, err := ex.Submit(context.Background(), sleepJob(time.Hour))
		require.NoError(t, err)
		n, err := ex.Cancel(context.Background(), target)
		require.NoError(t, err)
		require.Equal(t, 1, n, "only the tasks asked for are counted")
		<-other.Done()
		require.Equal(t, group.Canceled, other.State(), "coroexecutor: a cancelled job shuts the executor down")
		require.NotEqual(t, group.Open, ex.Group().State())
		err = ex.Wait()
		require.ErrorIs(t, err, context.Canceled, "coroexecutor raises the cancellation at the end of the scope")
		require.NoError(t, g.Close(), "a cancellation is not a failure of the parent")
	})
}

func TestDirectTaskCancelAffectsOneJob(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		target, err := ex.Submit(context.Background(), sleepJob(time.Hour))
		require.NoError(t, err)
		other, err := ex.Submit(context.Background(), sleepJob(time.Second))
		require.NoError(t, err)
		target.Cancel()
		require.NoError(t, ex.Wait())
		require.Equal(t, group.Canceled, target.State())
		require.Equal(t, group.Succeeded, other.State())
		require.NoError(t, g.Close())
	})
}

func TestCancelWaitIsBoundedByCtx(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.SuppressErrors())
		release := make(chan struct{})
		stubborn, err := ex.Submit(context.Background(), func(context.Context) error {
			<-release // ignores its cancellation for a while
			return nil
		})
		require.NoError(t, err)
		synctest.Wait() // running
		why := errors.New("no more waiting")
		ctx, cancel := context.WithTimeoutCause(context.Background(), time.Second, why)
		defer cancel()
		n, err := ex.Cancel(ctx, stubborn)
		require.ErrorIs(t, err, why)
		require.Equal(t, 0, n)
		close(release)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

// asyncio-pool's callbacks: the callback sees the job's result or error,
// runs in the job, and its result is the job's.
func TestThenRunsTheCallbackInTheJob(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors())
		work := func(n int) func(context.Context) (int, error) {
			return func(context.Context) (int, error) {
				if n == 0 {
					return 0, errBoom
				}
				return n, nil
			}
		}
		cb := func(_ context.Context, v int, err error) (int, error) {
			if err != nil {
				return -1, nil // handled
			}
			return v * 10, nil
		}
		var futs []*group.Future[int]
		for n := range 3 {
			f, err := executor.Async(context.Background(), ex, call.Then(work(n), cb))
			require.NoError(t, err)
			futs = append(futs, f)
		}
		require.NoError(t, ex.Wait())
		var got []int
		for _, f := range futs {
			v, err := f.Result()
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Equal(t, []int{-1, 10, 20}, got)
		require.NoError(t, g.Close())
	})
}

func TestCancelWithoutTasksCancelsEveryJobSubmittedBeforeIt(t *testing.T) {
	for i := range 200 {
		var n int
		var errs []error
		testkit.Within(t, "Submit, Cancel, Wait and Close", func() {
			g := group.New(context.Background())
			// Workers must leave as soon as nothing is left: with an
			// hour's idle timeout, one that idles instead hangs Wait.
			ex := executor.New(g, executor.MaxWorkers(4), executor.SuppressErrors())
			for range 4 {
				_, err := ex.Submit(context.Background(), sleepJob(time.Hour))
				errs = append(errs, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), bound)
			defer cancel()
			var err error
			n, err = ex.Cancel(ctx)
			errs = append(errs, err, ex.Wait(), g.Close())
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		require.Equalf(t, 4, n, "iteration %d", i)
	}
}

func TestCancelOfOnlyFinishedJobsLeavesAFailFastExecutorOpen(t *testing.T) {
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(1))
	task, err := ex.Submit(context.Background(), nop)
	require.NoError(t, err)
	recv(t, task.Done(), "the job")
	n, err := ex.Cancel(context.Background(), task)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, group.Open, ex.Group().State())
	_, err = ex.Submit(context.Background(), nop)
	require.NoError(t, err)
	require.NoError(t, ex.Wait())
	require.NoError(t, g.Close())
}

// Cancel without tasks reaches the jobs waiting in the backlog, however
// many more they are than the workers, and cancels them before they start.
func TestCancelWithoutTasksReachesABacklogLongerThanTheWorkers(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex, _ := busy(t, g, executor.SuppressErrors())
		var started atomic.Int32
		for range 3 {
			_, err := ex.Enqueue(func(context.Context) error { started.Add(1); return nil })
			require.NoError(t, err)
		}
		synctest.Wait()
		n, err := ex.Cancel(context.Background())
		require.NoError(t, err)
		require.Equal(t, 4, n)
		require.Zero(t, started.Load(), "a job of the backlog started")
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}
