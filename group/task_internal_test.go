package group

import (
	"context"
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
