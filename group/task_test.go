package group_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/stretchr/testify/require"
)

func TestTaskCancelCancelsOnlyThatTask(t *testing.T) {
	g := group.New(context.Background())
	upA, upB := make(chan struct{}), make(chan struct{})
	causes := make(chan error, 1)
	a := g.Go(func(ctx context.Context) error {
		close(upA)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
	b := g.Go(started(upB))
	recv(t, upA, "a")
	recv(t, upB, "b")
	a.Cancel()
	recv(t, a.Done(), "a done")
	require.Equal(t, group.Canceled, a.State())
	require.ErrorIs(t, take(t, causes), group.ErrCanceled)
	require.Equal(t, group.Running, b.State())
	require.Equal(t, group.Open, g.State(), "cancelling a task does not fail the group")
	a.Cancel() // no effect on a finished task
	require.NoError(t, closeAndWait(t, g))
	require.Equal(t, group.Stats{Spawned: 2, Canceled: 2}, g.Stats())
}

func TestTaskThatCatchesCancelAndReturnsNilSucceeded(t *testing.T) {
	g := group.New(context.Background())
	up := make(chan struct{})
	task := g.Go(func(ctx context.Context) error {
		close(up)
		<-ctx.Done()
		return nil
	})
	recv(t, up, "task")
	task.Cancel()
	require.NoError(t, wait(t, g))
	require.Equal(t, group.Succeeded, task.State())
	require.NoError(t, task.Err())
}

func TestTaskCancelledBeforeStartNeverRuns(t *testing.T) {
	// Whether the goroutine reached the task's function before Cancel is up
	// to the scheduler, so both legal outcomes are checked: either the
	// function never ran (its error is the cancellation's cause) or it ran
	// and returned its context's error. Either way the task is Canceled.
	g := group.New(context.Background())
	ran := make(chan struct{}, 1)
	task := g.Go(func(ctx context.Context) error {
		ran <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	})
	task.Cancel()
	require.NoError(t, wait(t, g))
	require.Equal(t, group.Canceled, task.State())
	if len(ran) == 0 {
		require.ErrorIs(t, task.Err(), group.ErrCanceled)
	} else {
		require.ErrorIs(t, task.Err(), context.Canceled)
	}
}

func TestTaskErrStateAndDone(t *testing.T) {
	boom := errors.New("boom")
	g := group.New(context.Background(), group.OnError(func(error) {}))
	release := make(chan struct{})
	task := g.Go(func(context.Context) error { <-release; return boom })
	require.NoError(t, task.Err(), "Err is nil while the task runs")
	require.False(t, task.State().Final())
	close(release)
	recv(t, task.Done(), "task")
	require.Equal(t, boom, task.Err())
	require.Equal(t, group.Failed, task.State())
	require.True(t, task.State().Final())
	recv(t, task.Done(), "Done again")
	require.NoError(t, closeAndWait(t, g))
}

func TestTaskContextBehavesLikeAStandardContext(t *testing.T) {
	type key struct{}
	parent := context.WithValue(context.Background(), key{}, 42)
	g := group.New(parent)
	checked := make(chan struct{})
	up := make(chan struct{})
	// What the task saw, checked on the test's goroutine once checked is
	// closed (require must not be called from the task's goroutine).
	var (
		value       any
		hasDeadline bool
		errBefore   error
		name        string
		childCause  error
	)
	task := g.Go(func(ctx context.Context) error {
		defer close(checked)
		value = ctx.Value(key{})
		_, hasDeadline = ctx.Deadline()
		errBefore = ctx.Err()
		name = ctx.(interface{ String() string }).String()
		child, stop := context.WithCancel(ctx)
		defer stop()
		fired := make(chan struct{})
		unregister := context.AfterFunc(ctx, func() { close(fired) })
		defer unregister()
		close(up)
		<-child.Done()
		<-fired
		childCause = context.Cause(child)
		return ctx.Err()
	})
	recv(t, up, "task")
	task.Cancel()
	recv(t, checked, "task checks")
	require.Equal(t, 42, value)
	require.False(t, hasDeadline)
	require.NoError(t, errBefore)
	require.Contains(t, name, "Context")
	require.ErrorIs(t, childCause, group.ErrCanceled)
	require.NoError(t, closeAndWait(t, g))
}

func TestFromContext(t *testing.T) {
	g := group.New(context.Background())
	sub := g.Subgroup()
	got := make(chan *group.Group, 2)
	g.Go(func(ctx context.Context) error { got <- groupOf(ctx); return nil })
	sub.Go(func(ctx context.Context) error {
		child, stop := context.WithCancel(ctx)
		defer stop()
		got <- groupOf(child)
		return nil
	})
	require.NoError(t, closeAndWait(t, g))
	a, b := take(t, got), take(t, got)
	require.ElementsMatch(t, []*group.Group{g, sub}, []*group.Group{a, b})
	require.Same(t, g, groupOf(g.Context()))
	require.Nil(t, groupOf(context.Background()))
}

func TestTaskFromContext(t *testing.T) {
	var g group.Group
	got := make(chan *group.Task, 1)
	task := g.Go(func(ctx context.Context) error {
		child, stop := context.WithTimeout(ctx, time.Hour)
		defer stop()
		got <- taskOf(child)
		return nil
	})
	require.NoError(t, wait(t, &g))
	require.Same(t, task, take(t, got))
	require.Nil(t, taskOf(g.Context()))
	require.Nil(t, taskOf(context.Background()))
}

func groupOf(ctx context.Context) *group.Group {
	g, _ := groupctl.GroupOf(ctx).(*group.Group)
	return g
}

func taskOf(ctx context.Context) *group.Task {
	t, _ := groupctl.TaskOf(ctx).(*group.Task)
	return t
}
