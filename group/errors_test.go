package group_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
	"go.uber.org/multierr"
)

func TestFailFastCancelsWithTheFirstFailureAsCause(t *testing.T) {
	boom := errors.New("boom")
	g := group.New(context.Background())
	sibling := make(chan error, 1)
	up := make(chan struct{})
	g.Go(func(ctx context.Context) error {
		close(up)
		<-ctx.Done()
		sibling <- context.Cause(ctx)
		return ctx.Err()
	})
	recv(t, up, "sibling start")
	failing := g.Go(func(context.Context) error { return boom })
	err := wait(t, g)
	require.ErrorIs(t, err, boom)
	require.ErrorIs(t, take(t, sibling), boom)
	require.ErrorIs(t, g.Cause(), boom)
	require.ErrorIs(t, context.Cause(g.Context()), boom)
	require.Equal(t, group.Failed, failing.State())
	require.Equal(t, group.Stats{Spawned: 2, Failed: 1, Canceled: 1}, g.Stats())
	// The cancelled sibling did not fail: only one error is reported.
	require.Len(t, multierr.Errors(err), 1)
}

func TestReturningTheContextErrorAfterCancelIsNotAFailure(t *testing.T) {
	tests := []struct {
		name string
		ret  func(ctx context.Context) error
		want group.TaskState
	}{
		{"ctx.Err", func(ctx context.Context) error { return ctx.Err() }, group.Canceled},
		{"cause", func(ctx context.Context) error { return context.Cause(ctx) }, group.Canceled},
		{"wrapped ctx.Err", func(ctx context.Context) error { return errors.Join(errors.New("stopping"), ctx.Err()) }, group.Canceled},
		{"nil", func(context.Context) error { return nil }, group.Succeeded},
		{"another error", func(context.Context) error { return errors.New("cleanup failed") }, group.Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := group.New(context.Background())
			up := make(chan struct{})
			task := g.Go(func(ctx context.Context) error {
				close(up)
				<-ctx.Done()
				return tt.ret(ctx)
			})
			recv(t, up, "task start")
			err := closeAndWait(t, g)
			require.Equal(t, tt.want, task.State())
			if tt.want == group.Failed {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestCancellationFromOutsideIsReported(t *testing.T) {
	t.Run("parent context cancelled with a cause", func(t *testing.T) {
		why := errors.New("client went away")
		parent, stop := context.WithCancelCause(context.Background())
		g := group.New(parent)
		up := make(chan struct{})
		task := g.Go(started(up))
		recv(t, up, "task start")
		stop(why)
		err := wait(t, g)
		require.ErrorIs(t, err, why)
		require.Equal(t, group.Canceled, task.State())
		require.ErrorIs(t, g.Cause(), why)
	})
	t.Run("parent deadline", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			parent, stop := context.WithTimeout(context.Background(), time.Minute)
			defer stop()
			g := group.New(parent)
			g.Go(blockUntilCancelled)
			err := g.Wait()
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.Equal(t, group.Stats{Spawned: 1, Canceled: 1}, g.Stats())
		})
	})
	t.Run("group timeout", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			start := time.Now()
			g := group.New(context.Background(), group.Timeout(3*time.Second), group.Name("batch"))
			g.Go(blockUntilCancelled)
			err := g.Wait()
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorContains(t, err, "batch")
			require.Equal(t, 3*time.Second, time.Since(start))
		})
	})
	t.Run("an already cancelled parent", func(t *testing.T) {
		parent, stop := context.WithCancel(context.Background())
		stop()
		g := group.New(parent)
		recv(t, g.Closing(), "Closing")
		require.ErrorIs(t, wait(t, g), context.Canceled)
	})
}

func TestWaitCombinesFailuresInOrderAndNamesTasks(t *testing.T) {
	first, second := errors.New("first"), errors.New("second")
	var handled []error
	// OnError lets both fail; a fail-fast group would cancel the second.
	g := group.New(context.Background(), group.OnError(func(err error) { handled = append(handled, err) }))
	// The handler runs before the task counts as done, so waiting for Done
	// orders the two handlers.
	recv(t, g.Go(func(context.Context) error { return first }, group.Name("alpha")).Done(), "first task")
	recv(t, g.Go(func(context.Context) error { return second }).Done(), "second task")
	require.NoError(t, wait(t, g), "a supervised group's failures go to its handler")
	require.Len(t, handled, 2)
	require.ErrorIs(t, handled[0], first)
	require.EqualError(t, handled[0], "task alpha: first")
	require.EqualError(t, handled[1], "second", "an unnamed task's error keeps its message")
	// errors.As finds which task failed, named or not.
	var te *group.TaskError
	require.ErrorAs(t, handled[1], &te)
	require.Equal(t, group.TaskError{Group: g.Path(), ID: 2, Err: second}, *te)
	require.ErrorAs(t, handled[0], &te)
	require.Equal(t, group.TaskError{Group: g.Path(), Name: "alpha", ID: 1, Err: first}, *te)

	// Fail fast: a failure that does not react to cancellation still counts.
	g = group.New(context.Background())
	gate := make(chan struct{})
	g.Go(func(context.Context) error { <-gate; return second }, group.Name("beta"))
	g.Go(func(context.Context) error { return first }, group.Name("alpha"))
	recv(t, g.Closing(), "fail fast")
	close(gate)
	err := wait(t, g)
	errs := multierr.Errors(err)
	require.Len(t, errs, 2)
	require.EqualError(t, errs[0], "task alpha: first")
	require.EqualError(t, errs[1], "task beta: second")
	require.ErrorIs(t, err, first)
	require.ErrorIs(t, err, second)
	require.Equal(t, err, closeAndWait(t, g), "later calls return the same")
}

type codeError struct{ code int }

func (e *codeError) Error() string { return "code" }

func TestErrorsAsSeesThroughTheCombination(t *testing.T) {
	g := group.New(context.Background(), group.OnError(func(error) {}))
	sub := g.Subgroup(group.Name("sub"))
	sub.Go(func(context.Context) error { return &codeError{7} }, group.Name("x"))
	err := wait(t, sub)
	var ce *codeError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, 7, ce.code)
	require.NoError(t, closeAndWait(t, g))
}

func TestOnErrorKeepsTheGroupOpen(t *testing.T) {
	failures := make(chan error, 3)
	g := group.New(context.Background(), group.OnError(func(err error) { failures <- err }))
	for i := range 3 {
		recv(t, g.Go(func(context.Context) error { return errors.New("fail") }, group.Name(string(rune('a'+i)))).Done(), "task")
	}
	require.Equal(t, group.Open, g.State())
	require.NoError(t, g.Context().Err())
	require.NoError(t, closeAndWait(t, g))
	require.Len(t, failures, 3)
	require.Equal(t, group.Stats{Spawned: 3, Failed: 3}, g.Stats())
}
