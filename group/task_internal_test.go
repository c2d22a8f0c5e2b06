package group

import (
	"context"
	"errors"
	"testing"

	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// These tests stop a task between two steps that normally run back to back
// in different goroutines, to check the interleavings a race test reaches
// only by luck.

// TestExecute_cancelledBeforeItsFunctionNeverCallsIt: Start has claimed a
// held task and Cancel comes before its goroutine reaches the function.
func TestExecute_cancelledBeforeItsFunctionNeverCallsIt(t *testing.T) {
	// In a bubble: a wait that never ends fails as a deadlock.
	testkit.Bubble(t, func(t *testing.T) {
		g := New(context.Background())
		called := false
		task := g.Go(func(context.Context) error { called = true; return nil }, hold())
		require.True(t, task.claim()) // what Start does before it starts the goroutine
		task.Cancel()
		task.execute(nil) // the goroutine arrives
		require.False(t, called, "the function ran after its task was cancelled")
		require.Equal(t, Canceled, task.State())
		require.ErrorIs(t, task.Err(), ErrCanceled)
		require.NoError(t, g.Close())
		require.Equal(t, Stats{Spawned: 1, Canceled: 1}, g.Stats())
	})
}

// TestClaim_losesToACancelStillAccounting: Cancel has marked a held task
// cancelled and not yet recorded it as finished when Start tries to claim
// it. Start must lose, or the task would both run and be counted as never
// run.
func TestClaim_losesToACancelStillAccounting(t *testing.T) {
	// In a bubble: a wait that never ends fails as a deadlock.
	testkit.Bubble(t, func(t *testing.T) {
		g := New(context.Background())
		task := g.Go(func(context.Context) error { return nil }, hold())
		task.flags.Store(task.flags.Load() | flagCancel) // Cancel's first step
		require.False(t, task.claim(), "Start claimed a task that Cancel had already taken")
		require.False(t, task.startHeld())
		require.False(t, task.runHeld())
		// Cancel's second step, as Cancel would take it.
		g.taskDone(task, ErrCanceled, neverRan)
		require.Equal(t, Canceled, task.State())
		require.NoError(t, g.Close())
		require.Equal(t, Stats{Spawned: 1, Canceled: 1}, g.Stats())
	})
}

// A task that returns its group's context's error while that context has
// ended from outside, before the group got to cancel the task's own, was
// cancelled all the same: canceledBy looks at the group's context too.
func TestCanceledBy_theGroupsContextEndedBeforeTheTasks(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		g := New(parent)
		task := g.Go(func(context.Context) error { return nil }, hold())
		g.mu.Lock() // keeps the group from reacting to its parent
		cancel()
		require.Error(t, g.ctx.Err())
		require.NoError(t, (*taskCtx)(task).Err(), "the task's own context has not ended yet")
		require.True(t, task.canceledBy(context.Canceled))
		require.False(t, task.canceledBy(errors.New("something else")))
		g.mu.Unlock()
		require.ErrorIs(t, g.Wait(), context.Canceled)
	})
}
