package executor_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// raceGrantedSubmitters fills ex (every worker busy on gt, the queue full),
// blocks blocked more Submit calls, opens the gate and lets the scheduler
// run for spin turns, so that the granted submitters race with what the
// caller does next.
func raceGrantedSubmitters(t *testing.T, ex *executor.Executor, gt *gate, blocked, spin int) *sync.WaitGroup {
	t.Helper()
	for range 2 * ex.MaxWorkers() {
		_, err := ex.Submit(context.Background(), gt.job)
		require.NoError(t, err)
	}
	wg := new(sync.WaitGroup)
	for range blocked {
		wg.Go(func() { _, _ = ex.Submit(context.Background(), nop) })
	}
	deadline := time.Now().Add(bound)
	for ex.Stats().Blocked < int64(blocked) {
		require.True(t, time.Now().Before(deadline), "submitters did not block")
		runtime.Gosched()
	}
	gt.open()
	for range spin {
		runtime.Gosched()
	}
	return wg
}

func TestWaitReturnsOnceGrantedSubmittersJobsHaveRun(t *testing.T) {
	// IdleTimeout(time.Hour): a parked worker must not hold Wait up until the
	// reaper comes; MaxWorkers(1) catches a job left in the backlog with no
	// worker.
	for _, workers := range []int{1, 2, 4} {
		for i := range 200 {
			g := group.New(context.Background())
			ex := executor.New(g, executor.MaxWorkers(workers), executor.IdleTimeout(time.Hour))
			wg := raceGrantedSubmitters(t, ex, newGate(), 3*workers, i%7)
			done := make(chan error, 1)
			go func() { done <- ex.Wait() }()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(bound):
				s := ex.Stats()
				_ = ex.Close()
				<-done
				require.FailNowf(t, "Wait hangs", "workers=%d iteration %d: stats %+v", workers, i, s)
			}
			wg.Wait()
			require.NoError(t, g.Close())
		}
	}
}

func TestShutdownRunsEveryJobAcceptedWhileGrantedSubmittersRace(t *testing.T) {
	for i := range 1000 {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.IdleTimeout(time.Hour))
		var ran sync.WaitGroup
		gt := newGate()
		for range 2 {
			_, err := ex.Submit(context.Background(), gt.job)
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				ran.Add(1)
				if _, err := ex.Submit(context.Background(), func(context.Context) error { ran.Done(); return nil }); err != nil {
					ran.Done() // refused: it never runs
				}
			})
		}
		deadline := time.Now().Add(bound)
		for ex.Stats().Blocked < 4 {
			require.True(t, time.Now().Before(deadline), "submitters did not block")
			runtime.Gosched()
		}
		gt.open()
		for range i % 13 {
			runtime.Gosched()
		}
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		err := ex.Shutdown(ctx)
		cancel()
		require.NoErrorf(t, err, "iteration %d: stats %+v", i, ex.Stats())
		wg.Wait()
		ran.Wait() // every job whose Submit returned nil has run
		require.NoError(t, g.Close())
	}
}

func TestCancelWithoutTasksCancelsEveryJobSubmittedBeforeIt(t *testing.T) {
	for i := range 200 {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(4), executor.SuppressErrors())
		for range 4 {
			_, err := ex.Submit(context.Background(), sleepJob(time.Hour))
			require.NoError(t, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		n, err := ex.Cancel(ctx)
		cancel()
		require.NoError(t, err)
		require.Equalf(t, 4, n, "iteration %d", i)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	}
}

func TestStatsDoNotCountJobsCancelledInTheBacklogAsWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors())
		gt := newGate()
		_, err := ex.Submit(context.Background(), gt.job)
		require.NoError(t, err)
		synctest.Wait()
		for range 5 {
			task, err := ex.Enqueue(nop)
			require.NoError(t, err)
			task.Cancel()
		}
		require.Equal(t, executor.Stats{Submitted: 6, Running: 1, Workers: 1, Canceled: 5}, ex.Stats())
		gt.open()
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestEnqueueIsNotRefusedForJobsCancelledInTheBacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.Backlog(2), executor.SuppressErrors())
		gt := newGate()
		_, err := ex.Submit(context.Background(), gt.job)
		require.NoError(t, err)
		synctest.Wait()
		for range 2 {
			task, err := ex.Enqueue(nop)
			require.NoError(t, err)
			task.Cancel()
		}
		last, err := ex.Enqueue(nop)
		require.NoError(t, err, "nothing waits in the backlog any more")
		_, err = ex.Enqueue(nop)
		require.NoError(t, err)
		_, err = ex.Enqueue(nop)
		require.ErrorIs(t, err, executor.ErrFull)
		gt.open()
		require.NoError(t, ex.Wait())
		require.Equal(t, group.Succeeded, last.State())
		require.NoError(t, g.Close())
	})
}

func TestTaskFinishFollowsTaskStartOfAJobThatCallsGoexit(t *testing.T) {
	var starts, errs, finishes atomic.Int32
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors(), executor.Observe(executor.Hooks{
		TaskStart:  func(*group.Task) error { starts.Add(1); return nil },
		TaskError:  func(*group.Task, error) { errs.Add(1) },
		TaskFinish: func(*group.Task) { finishes.Add(1) },
	}))
	_, err := ex.Submit(context.Background(), func(context.Context) error { runtime.Goexit(); return nil })
	require.NoError(t, err)
	_, err = ex.Submit(context.Background(), nop)
	require.NoError(t, err)
	require.NoError(t, ex.Wait())
	require.NoError(t, g.Close())
	require.Equal(t, int32(2), starts.Load())
	require.Equal(t, int32(1), errs.Load())
	require.Equal(t, int32(2), finishes.Load())
}

func TestSubmitFromATaskOfTheGroupThatIsNotAJobWaitsInsteadOfDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1))
		gt := newGate()
		for range 2 { // one running, one queued
			_, err := ex.Submit(context.Background(), gt.job)
			require.NoError(t, err)
		}
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
	synctest.Test(t, func(t *testing.T) {
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
		for range 2 { // one running, one queued
			_, err := ex.Submit(context.Background(), gt.job)
			require.NoError(t, err)
		}
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

func TestCollectWithAnEndedContextReturnsItsCause(t *testing.T) {
	for range 200 {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(4))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := executor.Collect(ctx, ex, func(yield func(int) bool) { yield(1) }, func(context.Context, int) (int, error) { return 1, nil })
		require.ErrorIs(t, err, context.Canceled)
		err = nil
		for _, e := range executor.MapUnordered(ctx, ex, func(yield func(int) bool) { yield(1) }, func(context.Context, int) (int, error) { return 1, nil }) {
			err = e
		}
		require.ErrorIs(t, err, context.Canceled)
		_, err = executor.Exec(ctx, ex, func(context.Context) (int, error) { return 1, nil })
		require.ErrorIs(t, err, context.Canceled)
		_ = ex.Wait()
		require.NoError(t, g.Close())
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
