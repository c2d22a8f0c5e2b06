package cancel_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/group"
)

// run starts body in a goroutine, as a group would, and returns a function
// that waits for it and returns its error. Inside a bubble the wait is
// bounded: a body that never returns makes synctest report a deadlock.
func run(ctx context.Context, body func(context.Context) error) (wait func() error) {
	var wg sync.WaitGroup
	var err error
	wg.Go(func() { err = body(ctx) })
	return func() error {
		wg.Wait()
		return err
	}
}

func TestOnCancel(t *testing.T) {
	t.Run("runs fn only once its context is cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.WithValue(context.Background(), ctxKey{}, "v"))
			var gotCause error
			var gotValue any
			called := false
			wait := run(ctx, cancel.OnCancel(func(ctx context.Context) error {
				called = true
				gotCause, gotValue = context.Cause(ctx), ctx.Value(ctxKey{})
				return nil
			}))

			synctest.Wait()
			require.False(t, called, "fn ran before the cancellation")
			stop(errShutdown)
			require.NoError(t, wait())
			require.True(t, called)
			require.Equal(t, errShutdown, gotCause)
			require.Equal(t, "v", gotValue)
		})
	})

	t.Run("returns fn's error", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		stop()
		err := cancel.OnCancel(func(context.Context) error { return errWork })(ctx)
		require.Equal(t, errWork, err)
	})

	t.Run("lets a panic in fn reach whoever runs the body", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		stop()
		body := cancel.OnCancel(func(context.Context) error { panic("boom") })
		require.PanicsWithValue(t, "boom", func() { _ = body(ctx) })
	})

	t.Run("panics on a nil function", func(t *testing.T) {
		require.PanicsWithValue(t, "cancel: nil function", func() { cancel.OnCancel(nil) })
	})
}

func TestOnDone_channels(t *testing.T) {
	// Each case gives a Done channel and the function that closes it.
	tests := []struct {
		name string
		give func() (done <-chan struct{}, finish func())
	}{
		{
			name: "bidirectional channel",
			give: func() (<-chan struct{}, func()) {
				ch := make(chan struct{})
				return ch, func() { close(ch) }
			},
		},
		{
			name: "context",
			give: func() (<-chan struct{}, func()) {
				ctx, stop := context.WithCancel(context.Background())
				return ctx.Done(), stop
			},
		},
		{
			name: "task",
			give: func() (<-chan struct{}, func()) {
				g := group.New(context.Background())
				release := make(chan struct{})
				tk := g.Go(func(context.Context) error { <-release; return nil })
				return tk.Done(), func() { close(release); _ = g.Wait() }
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w, finish := tt.give()
				var fnErr error
				called := false
				wait := run(context.Background(), cancel.OnDone(w, func(ctx context.Context) error {
					called, fnErr = true, ctx.Err()
					return errWork
				}))

				synctest.Wait()
				require.False(t, called, "fn ran before w finished")
				finish()
				require.Equal(t, errWork, wait())
				require.True(t, called)
				require.NoError(t, fnErr, "fn must get the task's live context")
			})
		})
	}
}

func TestOnDone(t *testing.T) {
	t.Run("returns the cause without calling fn when its context ends first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.Background())
			called := false
			wait := run(ctx, cancel.OnDone(make(chan struct{}), func(context.Context) error {
				called = true
				return nil
			}))

			synctest.Wait()
			stop(errShutdown)
			require.Equal(t, errShutdown, wait())
			require.False(t, called)
		})
	})

	t.Run("waits for a nil channel until its context ends", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.Background())
			wait := run(ctx, cancel.OnDone(nil, func(context.Context) error { return nil }))
			synctest.Wait()
			stop(errShutdown)
			require.Equal(t, errShutdown, wait())
		})
	})

	t.Run("calls fn when both w and its context are done", func(t *testing.T) {
		ctx, stop := context.WithCancelCause(context.Background())
		stop(errShutdown)
		ch := make(chan struct{})
		close(ch)
		// Many rounds, since a select would pick either arm at random.
		for range 100 {
			var gotCause error
			err := cancel.OnDone(ch, func(ctx context.Context) error {
				gotCause = context.Cause(ctx)
				return nil
			})(ctx)
			require.NoError(t, err)
			require.Equal(t, errShutdown, gotCause)
		}
	})

	t.Run("lets a panic in fn reach whoever runs the body", func(t *testing.T) {
		ch := make(chan struct{})
		close(ch)
		body := cancel.OnDone(ch, func(context.Context) error { panic("boom") })
		require.PanicsWithValue(t, "boom", func() { _ = body(context.Background()) })
	})

	t.Run("panics on misuse", func(t *testing.T) {
		require.PanicsWithValue(t, "cancel: nil function", func() { cancel.OnDone(make(chan struct{}), nil) })
	})
}
