package executor_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

func TestHooksAreCalled(t *testing.T) {
	var mu sync.Mutex
	events := map[string]int{}
	note := func(e string) {
		mu.Lock()
		events[e]++
		mu.Unlock()
	}
	finished := make(chan struct{})
	var failed []error
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors(), executor.Observe(executor.Hooks{
		Start:     func() error { note("start"); return nil },
		Finish:    func() { close(finished) },
		TaskStart: func(*group.Task) error { note("task.start"); return nil },
		TaskFinish: func(task *group.Task) {
			if task.State().Final() {
				note("task.finish")
			}
		},
		TaskError: func(_ *group.Task, err error) {
			mu.Lock()
			failed = append(failed, err)
			mu.Unlock()
		},
	}))
	for i := range 10 {
		_, err := ex.Submit(context.Background(), func(context.Context) error {
			if i == 3 {
				return errBoom
			}
			return nil
		})
		require.NoError(t, err)
	}
	notClosed(t, finished, "Finish hook before the executor closes")
	require.NoError(t, ex.Wait())
	recv(t, finished, "Finish hook")
	require.Equal(t, map[string]int{"start": 1, "task.start": 10, "task.finish": 10}, events)
	require.Equal(t, []error{errBoom}, failed)
	require.NoError(t, g.Close())
}

func TestHooksSkipJobsCancelledBeforeTheyRan(t *testing.T) {
	var starts int
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(1), executor.Observe(executor.Hooks{
		TaskStart: func(*group.Task) error { starts++; return nil }, // one worker: no race
	}))
	gt := newGate()
	_, err := ex.Submit(context.Background(), gt.job)
	require.NoError(t, err)
	waiting, err := ex.Enqueue(nop)
	require.NoError(t, err)
	waiting.Cancel()
	gt.open()
	require.NoError(t, ex.Wait())
	require.Equal(t, 1, starts)
	require.NoError(t, g.Close())
}

// A panic in a hook runs in a worker, outside every job. Under
// PanicsAsErrors it must still reach the executor's Wait and the parent,
// as a job's panic does, not vanish in the workers' group.
func TestHookPanicReachesWaitAndParent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hooks executor.Hooks
	}{
		{"TaskStart", executor.Hooks{TaskStart: func(*group.Task) error { panic("hook") }}},
		{"TaskFinish", executor.Hooks{TaskFinish: func(*group.Task) { panic("hook") }}},
		{"Start", executor.Hooks{Start: func() error { panic("hook") }}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := group.New(context.Background(), group.PanicsAsErrors(), quiet())
			ex := executor.New(g, executor.Observe(tc.hooks))
			_, err := ex.Submit(context.Background(), nop)
			require.NoError(t, err)
			err = ex.Wait()
			pe, ok := errors.AsType[*group.PanicError](err)
			require.True(t, ok, "Wait returned %v, want the hook's panic", err)
			require.Equal(t, "hook", pe.Value)
			err = g.Close()
			_, ok = errors.AsType[*group.PanicError](err)
			require.True(t, ok, "the parent's Close returned %v, want the hook's panic", err)
		})
	}
}

// A Start hook that fails fails the executor, even with SuppressErrors: no
// job runs, and Wait returns the hook's error.
func TestHooksStartErrorFailsTheExecutor(t *testing.T) {
	g := group.New(context.Background())
	ex := executor.New(g, executor.SuppressErrors(), executor.Observe(executor.Hooks{
		Start: func() error { return errBoom },
	}))
	ran := false
	job, err := ex.Submit(context.Background(), func(context.Context) error { ran = true; return nil })
	require.NoError(t, err)
	require.ErrorIs(t, ex.Wait(), errBoom)
	recv(t, job.Done(), "the job")
	require.False(t, ran, "a job ran although the Start hook failed")
	require.Equal(t, group.Canceled, job.State())
	require.ErrorIs(t, g.Close(), errBoom, "the executor's failure is one of its parent's")
}

// A TaskStart hook that returns an error fails that job without running
// it; TaskError and TaskFinish hear of it, and a fail-fast executor fails.
func TestHooksTaskStartErrorFailsTheJob(t *testing.T) {
	var finished, errored []error
	var mu sync.Mutex
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(1), executor.Observe(executor.Hooks{
		TaskStart: func(*group.Task) error { return errBoom },
		TaskError: func(_ *group.Task, err error) {
			mu.Lock()
			errored = append(errored, err)
			mu.Unlock()
		},
		TaskFinish: func(t *group.Task) {
			mu.Lock()
			finished = append(finished, t.Err())
			mu.Unlock()
		},
	}))
	ran := false
	job, err := ex.Submit(context.Background(), func(context.Context) error { ran = true; return nil })
	require.NoError(t, err)
	require.ErrorIs(t, ex.Wait(), errBoom)
	require.False(t, ran, "the job ran although its TaskStart hook failed")
	require.Equal(t, group.Failed, job.State())
	require.ErrorIs(t, job.Err(), errBoom)
	require.Equal(t, []error{errBoom}, errored)
	require.Len(t, finished, 1)
	require.ErrorIs(t, finished[0], errBoom)
	require.ErrorIs(t, g.Close(), errBoom)
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
