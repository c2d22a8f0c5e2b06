package executor_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// Every worker calls the initializer once, before its first job: three
// jobs held running at once need three workers, and three inits.
func TestWorkerInitRunsOncePerWorkerBeforeItsFirstJob(t *testing.T) {
	var inits, beforeInit atomic.Int32
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(3), executor.WorkerInit(func(context.Context) error {
		inits.Add(1)
		return nil
	}))
	gt := newGate()
	for range 3 {
		_, err := ex.Submit(context.Background(), func(ctx context.Context) error {
			if inits.Load() == 0 {
				beforeInit.Add(1)
			}
			return gt.job(ctx)
		})
		require.NoError(t, err)
	}
	for range 3 {
		recv(t, gt.started, "a job")
	}
	gt.open()
	require.NoError(t, ex.Wait())
	require.Equal(t, int32(3), inits.Load())
	require.Zero(t, beforeInit.Load(), "a job ran before any initializer")
	require.NoError(t, g.Close())
}

// An initializer that fails fails the executor, even with SuppressErrors:
// its jobs do not run, Wait returns the error, and later work is refused.
func TestWorkerInitErrorFailsTheExecutor(t *testing.T) {
	g := group.New(context.Background())
	// The initializer fails only once the job is accepted: else the
	// executor may be closed before Submit makes the job, and refuse it.
	submitted := make(chan struct{})
	ex := executor.New(g, executor.SuppressErrors(), executor.WorkerInit(func(context.Context) error {
		<-submitted
		return errBoom
	}))
	var ran atomic.Bool
	job, err := ex.Submit(context.Background(), func(context.Context) error { ran.Store(true); return nil })
	close(submitted)
	require.NoError(t, err)
	err = ex.Wait()
	require.ErrorIs(t, err, errBoom)
	require.ErrorContains(t, err, "worker initializer")
	recv(t, job.Done(), "the job")
	require.False(t, ran.Load(), "a job ran on a worker whose initializer failed")
	require.Equal(t, group.Canceled, job.State())
	_, err = ex.Submit(context.Background(), nop)
	require.ErrorIs(t, err, executor.ErrClosed)
	require.ErrorIs(t, g.Close(), errBoom, "the executor's failure is one of its parent's")
}

func TestWorkerInitNilPanics(t *testing.T) {
	require.PanicsWithValue(t, "executor: WorkerInit with nil function", func() { executor.WorkerInit(nil) })
}
