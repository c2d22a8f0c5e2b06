package cancel_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
)

// Inside a bubble, synctest.Test fails with a deadlock if the watcher
// goroutine is still running when the test returns, so every test below
// also checks that the goroutine is gone.

func TestShutdownOn(t *testing.T) {
	t.Run("the first signal ends graceful and the second ends hard", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			signals := make(chan os.Signal)
			graceful, hard, stop := cancel.ShutdownOn(context.Background(), signals)
			defer stop()

			signals <- os.Interrupt
			synctest.Wait()
			require.Equal(t, &cancel.SignalError{Signal: os.Interrupt}, context.Cause(graceful))
			require.EqualError(t, context.Cause(graceful), "cancel: received signal interrupt")
			require.NoError(t, hard.Err(), "one signal must not end hard")

			signals <- syscall.SIGTERM
			synctest.Wait()
			require.Equal(t, &cancel.SignalError{Signal: syscall.SIGTERM, Hard: true}, context.Cause(hard))
			require.Equal(t, &cancel.SignalError{Signal: os.Interrupt}, context.Cause(graceful),
				"graceful keeps the first signal as its cause")

			select {
			case signals <- os.Interrupt:
				t.Fatal("a third signal was received: the watcher should have returned")
			default:
			}
		})
	})

	t.Run("stop ends both contexts and the watcher", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			signals := make(chan os.Signal)
			graceful, hard, stop := cancel.ShutdownOn(context.Background(), signals)
			stop()
			require.Equal(t, context.Canceled, context.Cause(graceful))
			require.Equal(t, context.Canceled, context.Cause(hard))
			select {
			case signals <- os.Interrupt:
				t.Fatal("the watcher still receives after stop")
			default:
			}
		})
	})

	t.Run("stop may be called many times, concurrently", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			signals := make(chan os.Signal)
			_, hard, stop := cancel.ShutdownOn(context.Background(), signals)
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(stop)
			}
			wg.Wait()
			stop()
			require.Equal(t, context.Canceled, context.Cause(hard))
		})
	})

	t.Run("stop after the first signal keeps its cause", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			signals := make(chan os.Signal)
			graceful, hard, stop := cancel.ShutdownOn(context.Background(), signals)
			signals <- os.Interrupt
			synctest.Wait() // until the watcher has acted on it
			stop()
			require.Equal(t, &cancel.SignalError{Signal: os.Interrupt}, context.Cause(graceful))
			require.Equal(t, context.Canceled, context.Cause(hard))
		})
	})

	t.Run("the parent ending ends both contexts and the watcher", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, stopParent := context.WithCancelCause(context.Background())
			signals := make(chan os.Signal)
			graceful, hard, stop := cancel.ShutdownOn(parent, signals)
			defer stop()

			stopParent(errShutdown)
			synctest.Wait()
			require.Equal(t, errShutdown, context.Cause(graceful))
			require.Equal(t, errShutdown, context.Cause(hard))
			select {
			case signals <- os.Interrupt:
				t.Fatal("the watcher still receives after its parent ended")
			default:
			}
		})
	})

	t.Run("a closed channel ends the watcher but not the contexts", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			signals := make(chan os.Signal)
			graceful, hard, stop := cancel.ShutdownOn(context.Background(), signals)
			close(signals)
			synctest.Wait()
			require.NoError(t, graceful.Err())
			require.NoError(t, hard.Err())
			stop()
			require.Equal(t, context.Canceled, context.Cause(graceful))
		})
	})
}

// NotifyShutdown registers real signal handlers; these tests send no
// signal to the test process. They run outside bubbles, because package
// signal starts its own goroutine on first use, which lives for the rest
// of the process (goleak knows to ignore it).
func TestNotifyShutdown(t *testing.T) {
	t.Run("stop unregisters and ends both contexts", func(t *testing.T) {
		graceful, hard, stop := cancel.NotifyShutdown(context.Background())
		require.NoError(t, graceful.Err())
		require.NoError(t, hard.Err())
		stop()
		require.Equal(t, context.Canceled, context.Cause(graceful))
		require.Equal(t, context.Canceled, context.Cause(hard))
	})

	t.Run("the signals given are the ones it waits for", func(t *testing.T) {
		graceful, hard, stop := cancel.NotifyShutdown(context.Background(), syscall.SIGUSR1)
		defer stop()
		require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGUSR1))
		testkit.Recv(t, graceful.Done(), "the graceful context to end on SIGUSR1")
		var se *cancel.SignalError
		require.ErrorAs(t, context.Cause(graceful), &se)
		require.Equal(t, syscall.SIGUSR1, se.Signal)
		require.NoError(t, hard.Err())
	})

	t.Run("the parent ending ends both contexts", func(t *testing.T) {
		parent, stopParent := context.WithCancelCause(context.Background())
		graceful, hard, stop := cancel.NotifyShutdown(parent, syscall.SIGHUP)
		defer stop()
		stopParent(errShutdown)
		require.Equal(t, errShutdown, context.Cause(graceful))
		require.Equal(t, errShutdown, context.Cause(hard))
	})
}

// A stop the program asked for is how it was meant to end: a group whose
// context the first signal ends returns nil from Wait when nothing failed.
// The second signal stops hard, and that is reported; so is a failure
// during the stop.
func TestFirstSignalIsAStopNotAFailure(t *testing.T) {
	signals := make(chan os.Signal, 2)
	graceful, hard, stop := cancel.ShutdownOn(context.Background(), signals)
	defer stop()
	onGraceful, onHard, failing := group.New(graceful), group.New(hard), group.New(graceful)
	for _, g := range []*group.Group{onGraceful, onHard, failing} {
		g.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		g.Go(func(ctx context.Context) error { <-ctx.Done(); return context.Cause(ctx) })
	}
	boom := errors.New("flush failed")
	failing.Go(func(ctx context.Context) error { <-ctx.Done(); return boom })

	signals <- os.Interrupt
	require.NoError(t, onGraceful.Wait())
	require.ErrorIs(t, failing.Wait(), boom)
	require.NotErrorIs(t, failing.Wait(), context.Canceled, "only the failure is reported")

	signals <- syscall.SIGTERM
	err := onHard.Wait()
	require.ErrorIs(t, err, context.Canceled)
	var sig *cancel.SignalError
	require.ErrorAs(t, err, &sig)
	require.Equal(t, &cancel.SignalError{Signal: syscall.SIGTERM, Hard: true}, sig)
}
