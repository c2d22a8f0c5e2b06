package executor_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

var errCause = errors.New("the cause")

// Wait reports a cancellation that ended the executor's work, with its
// cause; a clean finish and the owner's own Close are nil.
func TestWaitReportsCancellation(t *testing.T) {
	t.Run("parent context cancelled", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.Background())
			g := group.New(ctx)
			ex := executor.New(g)
			_, err := ex.Submit(context.Background(), sleepJob(time.Hour))
			require.NoError(t, err)
			synctest.Wait()
			stop(errCause)
			err = ex.Wait()
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, errCause)
			require.ErrorIs(t, g.Wait(), errCause)
		})
	})
	t.Run("Cancel under fail-fast", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			ex := executor.New(g)
			target, err := ex.Submit(context.Background(), sleepJob(time.Hour))
			require.NoError(t, err)
			synctest.Wait()
			_, err = ex.Cancel(context.Background(), target)
			require.NoError(t, err)
			err = ex.Wait()
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, group.ErrCanceled)
			require.NoError(t, g.Wait(), "not a failure of the parent")
		})
	})
	t.Run("own Close", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			ex := executor.New(g)
			_, err := ex.Submit(context.Background(), sleepJob(time.Hour))
			require.NoError(t, err)
			synctest.Wait()
			require.NoError(t, ex.Close())
			require.NoError(t, g.Wait())
		})
	})
	t.Run("clean finish", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			ex := executor.New(g)
			_, err := ex.Submit(context.Background(), nop)
			require.NoError(t, err)
			require.NoError(t, ex.Wait())
			require.NoError(t, g.Close())
		})
	})
}

// Every refusal caused by a failure carries the failure: the README's
// "if err != nil { return err }" after Submit returns the real error.
func TestRefusalWrapsTheFailure(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1))
		_, err := ex.Submit(context.Background(), func(context.Context) error { return errCause })
		require.NoError(t, err)
		synctest.Wait()
		require.NotEqual(t, group.Open, ex.Group().State())

		_, err = ex.Submit(context.Background(), nop)
		requireRefusal(t, err)
		_, err = ex.Enqueue(nop)
		requireRefusal(t, err)
		_, err = executor.Async(context.Background(), ex, func(context.Context) (int, error) { return 1, nil })
		requireRefusal(t, err)
		_, err = executor.Exec(context.Background(), ex, func(context.Context) (int, error) { return 1, nil })
		requireRefusal(t, err)
		requireRefusal(t, ex.Group().Go(nop).Err())
		require.ErrorIs(t, ex.Wait(), errCause)
		require.ErrorIs(t, g.Wait(), errCause)
	})
}

func TestBlockedSubmitRefusalWrapsTheFailure(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(1))
		fail := make(chan struct{})
		_, err := ex.Submit(context.Background(), func(ctx context.Context) error {
			<-fail
			return errCause
		})
		require.NoError(t, err)
		_, err = ex.Submit(context.Background(), nop) // fills the queue
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() {
			_, err := ex.Submit(context.Background(), nop)
			done <- err
		}()
		synctest.Wait()
		close(fail)
		requireRefusal(t, <-done)
		require.ErrorIs(t, ex.Wait(), errCause)
		require.ErrorIs(t, g.Wait(), errCause)
	})
}

func requireRefusal(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, executor.ErrClosed)
	require.ErrorIs(t, err, errCause)
}

// asyncio-pool's cancel count: a job reached before it finished counts,
// even when it caught its cancellation and returned a value, which its
// future keeps.
func TestCancelCountsJobsThatCaughtTheirCancellation(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors())
		caught, err := executor.Async(context.Background(), ex, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 123, nil
		})
		require.NoError(t, err)
		done, err := ex.Submit(context.Background(), nop)
		require.NoError(t, err)
		synctest.Wait()
		n, err := ex.Cancel(context.Background(), &caught.Task, done)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		v, err := caught.Result()
		require.NoError(t, err)
		require.Equal(t, 123, v)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}
