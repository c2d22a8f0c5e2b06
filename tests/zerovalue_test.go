package tests

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/group/errgroup"
	"github.com/nursery-go/nursery/queue"
	"github.com/nursery-go/nursery/resource"
	"github.com/stretchr/testify/require"
)

// TestZeroValue_panicsSayHowToMakeOne checks the types that only their
// package can make: every method of a zero value that would otherwise
// wait for ever or crash on a nil pointer panics at once with a message
// naming the constructor.
func TestZeroValue_panicsSayHowToMakeOne(t *testing.T) {
	const (
		task = " on a zero Task; tasks are made by Group.Go, Group.Start or Async"
		fut  = " on a zero Future; futures are made by Async"
		exec = " on a zero Executor; make one with New"
		sc   = " on a zero Scope; make one with NewScope"
		st   = " on a zero Stack; make one with NewStack, Open or Run"
		sv   = " on a zero Supervisor; start one with Supervise"
	)
	bg := context.Background()
	nopJob := func(context.Context) error { return nil }
	tests := []struct {
		give string
		want string
		call func()
	}{
		{"Task.Done", "group: Task.Done" + task, func() { var t group.Task; <-t.Done() }},
		{"Task.Cancel", "group: Task.Cancel" + task, func() { var t group.Task; t.Cancel() }},

		{"Future.Result", "group: Future.Result" + fut, func() { var f group.Future[int]; _, _ = f.Result() }},
		{"Future.Await", "group: Future.Await" + fut, func() { var f group.Future[int]; _, _ = f.Await(bg) }},
		{"Future.Done", "group: Task.Done" + task, func() { var f group.Future[int]; <-f.Done() }},

		{"Executor.Group", "executor: Executor.Group" + exec, func() { new(executor.Executor).Group() }},
		{"Executor.MaxWorkers", "executor: Executor.MaxWorkers" + exec, func() { new(executor.Executor).MaxWorkers() }},
		{"Executor.Stats", "executor: Executor.Stats" + exec, func() { new(executor.Executor).Stats() }},
		{"Executor.Wait", "executor: Executor.Wait" + exec, func() { _ = new(executor.Executor).Wait() }},
		{"Executor.Close", "executor: Executor.Close" + exec, func() { _ = new(executor.Executor).Close() }},
		{"Executor.Shutdown", "executor: Executor.Shutdown" + exec, func() { _ = new(executor.Executor).Shutdown(bg) }},
		{"Executor.Cancel", "executor: Executor.Cancel" + exec, func() { _, _ = new(executor.Executor).Cancel(bg) }},
		{"Executor.Submit", "executor: Executor.Submit" + exec, func() { _, _ = new(executor.Executor).Submit(bg, nopJob) }},
		{"Executor.TrySubmit", "executor: Executor.TrySubmit" + exec, func() { new(executor.Executor).TrySubmit(nopJob) }},
		{"Executor.Enqueue", "executor: Executor.Enqueue" + exec, func() { _, _ = new(executor.Executor).Enqueue(nopJob) }},
		{"EnqueueAsync", "executor: EnqueueAsync" + exec, func() {
			_, _ = executor.EnqueueAsync(new(executor.Executor), func(context.Context) (int, error) { return 0, nil })
		}},
		{"Executor.State", "executor: Executor.State" + exec, func() { new(executor.Executor).State() }},
		{"Executor.Closing", "executor: Executor.Closing" + exec, func() { new(executor.Executor).Closing() }},
		{"Executor.Done", "executor: Executor.Done" + exec, func() { new(executor.Executor).Done() }},
		{"RateLimiter.Wait", "call: RateLimiter.Wait on a zero RateLimiter; make one with NewRateLimiter",
			func() { _ = new(call.RateLimiter).Wait(bg) }},

		{"Scope.Context", "cancel: Scope.Context" + sc, func() { new(cancel.Scope).Context() }},
		{"Scope.Deadline", "cancel: Scope.Deadline" + sc, func() { new(cancel.Scope).Deadline() }},
		{"Scope.SetDeadline", "cancel: Scope.SetDeadline" + sc, func() { new(cancel.Scope).SetDeadline(time.Time{}) }},
		{"Scope.Extend", "cancel: Scope.Extend" + sc, func() { new(cancel.Scope).Extend(time.Second) }},
		{"Scope.Cancel", "cancel: Scope.Cancel" + sc, func() { new(cancel.Scope).Cancel() }},
		{"Scope.Expired", "cancel: Scope.Expired" + sc, func() { new(cancel.Scope).Expired() }},
		{"Scope.Canceled", "cancel: Scope.Canceled" + sc, func() { new(cancel.Scope).Canceled() }},

		{"Stack.OnClose", "resource: Stack.OnClose" + st, func() { _ = new(resource.Stack).OnClose("h", nopJob) }},
		{"Stack.Own", "resource: Stack.Own" + st, func() { _ = new(resource.Stack).Own("r", new(resource.Stack)) }},
		{"Supervisor.Done", "resource: Supervisor.Done" + sv, func() { new(resource.Supervisor).Done() }},
		{"Supervisor.Err", "resource: Supervisor.Err" + sv, func() { _ = new(resource.Supervisor).Err() }},
		{"Supervisor.Cancel", "resource: Supervisor.Cancel" + sv, func() { new(resource.Supervisor).Cancel() }},
		{"Supervisor.Stats", "resource: Supervisor.Stats" + sv, func() { new(resource.Supervisor).Stats() }},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			require.Equal(t, tt.want, within(t, tt.give, tt.call))
		})
	}
}

// TestZeroValue_taskAccessorsReportNothing: the accessors of a zero Task
// that cannot hang report an unstarted, unnamed task instead of panicking.
func TestZeroValue_taskAccessorsReportNothing(t *testing.T) {
	var task group.Task
	require.Equal(t, group.Pending, task.State())
	require.NoError(t, task.Err())
	require.Equal(t, "", task.Name())
	require.Equal(t, uint64(0), task.ID())
}

// TestZeroValue_usable checks the types documented as usable zero values.
func TestZeroValue_usable(t *testing.T) {
	t.Run("group.Group runs tasks", func(t *testing.T) {
		var g group.Group
		task := g.Go(func(context.Context) error { return nil })
		var err error
		require.Nil(t, within(t, "Group.Wait", func() { err = g.Wait() }))
		require.NoError(t, err)
		require.Equal(t, group.Succeeded, task.State())
	})
	t.Run("errgroup.Group runs functions", func(t *testing.T) {
		var g errgroup.Group
		errBoom := errors.New("boom")
		g.Go(func() error { return errBoom })
		var err error
		require.Nil(t, within(t, "errgroup Wait", func() { err = g.Wait() }))
		require.ErrorIs(t, err, errBoom)
	})
	t.Run("queue.Queue passes items", func(t *testing.T) {
		var q queue.Queue[int]
		require.NoError(t, q.Put(context.Background(), 7))
		v, err := q.Get(context.Background())
		require.NoError(t, err)
		require.Equal(t, 7, v)
	})
	t.Run("error and data types format without panicking", func(t *testing.T) {
		for _, err := range []error{
			new(group.PanicError), new(group.ShutdownError), new(cancel.SignalError),
			new(cancel.TimeoutError), new(resource.IntensityError),
		} {
			require.NotEmpty(t, err.Error())
		}
		require.NotEmpty(t, group.Snapshot{}.String())
	})
}
