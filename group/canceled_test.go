package group_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

var errCause = errors.New("the cause")

// A task's cancellation matches context.Canceled and keeps its cause,
// whether it came before the task started or while it ran.
func TestCanceledTaskMatchesContextCanceled(t *testing.T) {
	t.Run("held task cancelled before it starts", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			task := g.Go(blockUntilCancelled, groupctl.Hold.(group.Option))
			task.Cancel()
			require.ErrorIs(t, task.Err(), context.Canceled)
			require.ErrorIs(t, task.Err(), group.ErrCanceled)
			require.NoError(t, g.Wait())
		})
	})
	t.Run("held task dropped by a failure of its group", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			task := g.Go(blockUntilCancelled, groupctl.Hold.(group.Option))
			g.Go(func(context.Context) error { return errCause })
			require.ErrorIs(t, g.Wait(), errCause)
			require.Equal(t, group.Canceled, task.State())
			require.ErrorIs(t, task.Err(), context.Canceled)
			require.ErrorIs(t, task.Err(), group.ErrCanceled)
			require.ErrorIs(t, task.Err(), errCause, "the cause is kept")
		})
	})
	t.Run("running task that returns the bare ctx.Err", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			task := g.Go(blockUntilCancelled)
			synctest.Wait()
			task.Cancel()
			<-task.Done()
			require.Equal(t, group.Canceled, task.State())
			require.ErrorIs(t, task.Err(), context.Canceled)
			require.ErrorIs(t, task.Err(), group.ErrCanceled, "the cause is kept")
			require.NoError(t, g.Wait())
		})
	})
	t.Run("running task that returns its context's cause", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			task := g.Go(func(ctx context.Context) error {
				<-ctx.Done()
				return context.Cause(ctx)
			})
			synctest.Wait()
			g.Go(func(context.Context) error { return errCause })
			require.ErrorIs(t, g.Wait(), errCause)
			require.Equal(t, group.Canceled, task.State())
			require.ErrorIs(t, task.Err(), context.Canceled)
			require.ErrorIs(t, task.Err(), errCause)
		})
	})
	t.Run("future cancelled before it starts", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			f := group.Async(g, func(context.Context) (int, error) { return 1, nil }, groupctl.Hold.(group.Option))
			f.Cancel()
			_, err := f.Result()
			require.ErrorIs(t, err, context.Canceled)
			require.NoError(t, g.Wait())
		})
	})
}

func TestErrCanceledMatchesContextCanceled(t *testing.T) {
	require.ErrorIs(t, group.ErrCanceled, context.Canceled)
	require.NotErrorIs(t, context.Canceled, group.ErrCanceled)
}

// Task.Cancel reports whether it reached the task before it finished.
func TestTaskCancelReportsWhetherItReachedTheTask(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		caught := g.Go(func(ctx context.Context) error {
			<-ctx.Done()
			return nil // caught its cancellation
		})
		done := g.Go(func(context.Context) error { return nil })
		synctest.Wait()
		require.True(t, caught.Cancel())
		require.False(t, caught.Cancel(), "a second Cancel reaches nothing new")
		<-caught.Done()
		require.Equal(t, group.Succeeded, caught.State())
		require.False(t, done.Cancel(), "finished before")
		held := g.Go(nopTask, groupctl.Hold.(group.Option))
		require.True(t, held.Cancel())
		require.NoError(t, g.Wait())
	})
}

func nopTask(context.Context) error { return nil }

// A subgroup's Wait reports the cancellation that its parent imposed on it,
// with the cause, as a root group's Wait reports its context's; the owner's
// own Cancel or Close, and a clean finish, give nil.
func TestSubgroupWaitReportsCancellationFromAbove(t *testing.T) {
	t.Run("parent context cancelled", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.Background())
			g := group.New(ctx)
			sub := g.Subgroup()
			sub.Go(blockUntilCancelled)
			synctest.Wait()
			stop(errCause)
			err := sub.Wait()
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, errCause)
			err = g.Wait()
			require.ErrorIs(t, err, context.Canceled, "as the subgroup's")
			require.ErrorIs(t, err, errCause)
		})
	})
	t.Run("idle subgroup, parent context cancelled", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			// Wait may run before the root has heard of its context: the
			// cancellation must not be lost either way.
			ctx, stop := context.WithCancelCause(context.Background())
			g := group.New(ctx)
			sub := g.Subgroup()
			stop(errCause)
			require.ErrorIs(t, sub.Wait(), errCause)
			require.ErrorIs(t, g.Wait(), errCause)
		})
	})
	t.Run("own Close racing the parent context", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			// As a root group's Close after its context ended: the
			// cancellation from above came first, and is reported.
			ctx, stop := context.WithCancelCause(context.Background())
			g := group.New(ctx)
			sub := g.Subgroup()
			stop(errCause)
			require.ErrorIs(t, sub.Close(), errCause)
			require.ErrorIs(t, g.Wait(), errCause)
		})
	})
	t.Run("parent group closed", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			sub := g.Subgroup()
			sub.Go(blockUntilCancelled)
			synctest.Wait()
			g.Cancel()
			err := sub.Wait()
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, group.ErrClosed)
			require.NoError(t, g.Wait(), "the owner's own close is no failure")
		})
	})
	t.Run("sibling failed", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			sub := g.Subgroup()
			sub.Go(blockUntilCancelled)
			g.Go(func(context.Context) error { return errCause })
			err := sub.Wait()
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, errCause)
			err = g.Wait()
			require.ErrorIs(t, err, errCause)
			require.NotErrorIs(t, err, context.Canceled, "the subgroup's cancellation is not a failure of the parent")
		})
	})
	t.Run("own Close", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			sub := g.Subgroup()
			sub.Go(blockUntilCancelled)
			synctest.Wait()
			require.NoError(t, sub.Close())
			require.NoError(t, g.Wait())
		})
	})
	t.Run("clean finish", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			sub := g.Subgroup()
			sub.Go(nopTask)
			require.NoError(t, sub.Wait())
			g.Cancel()
			require.NoError(t, sub.Wait(), "closed before the parent was cancelled")
			require.NoError(t, g.Wait())
		})
	})
}

// A task refused because a failure closed the group carries the failure.
func TestRefusalCarriesTheCause(t *testing.T) {
	t.Run("failure", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			g.Go(func(context.Context) error { return errCause })
			require.ErrorIs(t, g.Wait(), errCause)
			task := g.Go(nopTask)
			require.Equal(t, group.Refused, task.State())
			require.ErrorIs(t, task.Err(), group.ErrClosed)
			require.ErrorIs(t, task.Err(), errCause)
			f := group.Async(g, func(context.Context) (int, error) { return 1, nil })
			_, err := f.Result()
			require.ErrorIs(t, err, group.ErrClosed)
			require.ErrorIs(t, err, errCause)
			err = g.Start(context.Background(), func(context.Context, func()) error { return nil })
			require.ErrorIs(t, err, group.ErrClosed)
			require.ErrorIs(t, err, errCause)
		})
	})
	t.Run("plain close", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			require.NoError(t, g.Close())
			require.Equal(t, group.ErrClosed, g.Go(nopTask).Err())
		})
	})
}

// Before its fix (it failed in all 200 runs, since the AfterFunc goroutine
// has not been scheduled yet when Close runs): a root group whose parent context was
// cancelled with a cause, then closed at once, returns nil from Close
// instead of that cause when Close's Cancel runs before the AfterFunc that
// watches the context: cancelLocked calls stopWatch (so contextDone never
// runs) and sets g.cancelled (so outsideCauseLocked in finishIfDrainedLocked
// returns nil). Whether the outside cause is reported then depends on
// scheduling. Wait's doc: "when the group was cancelled from outside (its
// parent context or its Timeout), that cause is among them". Fix: in
// cancelWith for a non-external cause, first take outsideCauseLocked() and
// record it as cancelWith(cause, true) would.
func TestCloseRightAfterParentCancelLosesCause(t *testing.T) {
	cause := errors.New("parent went away")
	lost := 0
	for range 200 {
		ctx, cancel := context.WithCancelCause(context.Background())
		g := group.New(ctx)
		cancel(cause)
		if err := closeAndWait(t, g); !errors.Is(err, cause) {
			lost++
		}
	}
	require.Zero(t, lost, "Close lost the parent context's cause in %d of 200 runs", lost)
}
