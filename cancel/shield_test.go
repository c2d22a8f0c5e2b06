package cancel_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/multierr"

	"github.com/nursery-go/nursery/cancel"
)

var (
	errShutdown = errors.New("shutting down")
	errWork     = errors.New("work failed")
)

type ctxKey struct{}

func TestShield_modes(t *testing.T) {
	// The work takes 2s and returns (7, errWork); the caller is cancelled
	// with errShutdown before, during (at 1s) or after the call, or never.
	tests := []struct {
		name      string
		when      string
		opts      []cancel.Option
		wantCause bool // the caller's cancellation is reported
	}{
		{name: "raise, cancelled before", when: "before", wantCause: true},
		{name: "raise, cancelled during", when: "during", wantCause: true},
		{name: "raise, cancelled after", when: "after"},
		{name: "raise, never cancelled", when: "never"},
		{name: "ignore, cancelled before", when: "before", opts: []cancel.Option{cancel.Ignore()}},
		{name: "ignore, cancelled during", when: "during", opts: []cancel.Option{cancel.Ignore()}},
		{name: "ignore, cancelled after", when: "after", opts: []cancel.Option{cancel.Ignore()}},
		{name: "ignore, never cancelled", when: "never", opts: []cancel.Option{cancel.Ignore()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, stop := context.WithCancelCause(context.Background())
				defer stop(nil)
				switch tt.when {
				case "before":
					stop(errShutdown)
				case "during":
					time.AfterFunc(time.Second, func() { stop(errShutdown) })
				}

				start := time.Now()
				v, err := cancel.ShieldValue(ctx, func(ctx context.Context) (int, error) {
					time.Sleep(2 * time.Second)
					require.NoError(t, ctx.Err(), "the work's context must not be cancelled")
					return 7, errWork
				}, tt.opts...)
				if tt.when == "after" {
					stop(errShutdown)
				}

				require.Equal(t, 2*time.Second, time.Since(start), "Shield must wait for the work")
				require.Equal(t, 7, v)
				require.ErrorIs(t, err, errWork)
				if !tt.wantCause {
					require.Equal(t, errWork, err)
					return
				}
				require.ErrorIs(t, err, context.Canceled)
				require.ErrorIs(t, err, errShutdown)
				errs := multierr.Errors(err)
				require.Len(t, errs, 2)
				require.Equal(t, errWork, errs[0], "the work's error comes first")
			})
		})
	}
}

func TestShield(t *testing.T) {
	t.Run("runs the work with the caller's values but not its cancellation", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
		stop()
		var gotValue any
		var gotErr error
		var gotDone <-chan struct{}
		_ = cancel.Shield(ctx, func(ctx context.Context) error {
			gotValue, gotErr, gotDone = ctx.Value(ctxKey{}), ctx.Err(), ctx.Done()
			return nil
		})
		require.Equal(t, "v", gotValue)
		require.NoError(t, gotErr)
		require.Nil(t, gotDone)
	})

	t.Run("reports a successful work's value with the caller's cause", func(t *testing.T) {
		ctx, stop := context.WithCancelCause(context.Background())
		stop(errShutdown)
		v, err := cancel.ShieldValue(ctx, func(context.Context) (string, error) { return "done", nil })
		require.Equal(t, "done", v)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, errShutdown)
		require.EqualError(t, err, "context canceled: shutting down")
	})

	t.Run("reports a caller's deadline as a deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, stop := context.WithTimeout(context.Background(), time.Second)
			defer stop()
			err := cancel.Shield(ctx, func(context.Context) error {
				time.Sleep(2 * time.Second)
				return nil
			})
			require.Equal(t, context.DeadlineExceeded, err)
		})
	})

	t.Run("Shield reports errors as ShieldValue does", func(t *testing.T) {
		ctx, stop := context.WithCancelCause(context.Background())
		stop(errShutdown)
		err := cancel.Shield(ctx, func(context.Context) error { return errWork })
		require.Equal(t, []error{errWork, fmt.Errorf("%w: %w", context.Canceled, errShutdown)}, multierr.Errors(err))
	})

	t.Run("lets a panic in the work reach the caller unchanged", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var wctx context.Context
			require.PanicsWithValue(t, "boom", func() {
				_ = cancel.Shield(context.Background(), func(ctx context.Context) error {
					wctx = ctx
					panic("boom")
				}, cancel.Grace(time.Second))
			})
			// The grace timer was stopped on the way out, not left to fire.
			require.Equal(t, context.Canceled, context.Cause(wctx))
			err := fmt.Errorf("boom")
			require.PanicsWithError(t, "boom", func() {
				_, _ = cancel.ShieldValue(context.Background(), func(context.Context) (int, error) { panic(err) })
			})
		})
	})

	t.Run("panics on misuse", func(t *testing.T) {
		require.PanicsWithValue(t, "cancel: nil function", func() { _ = cancel.Shield(context.Background(), nil) })
		require.PanicsWithValue(t, "cancel: nil function", func() {
			_, _ = cancel.ShieldValue[int](context.Background(), nil)
		})
		require.PanicsWithValue(t, "cancel: negative grace period", func() { cancel.Grace(-time.Nanosecond) })
	})
}

func TestShield_grace(t *testing.T) {
	// The work returns what it returns after ignoring its context for
	// workTime (0: it waits for its context to end).
	tests := []struct {
		name     string
		workTime time.Duration
		result   func(ctx context.Context) error
		wantTime time.Duration
		wantErrs []error // exact, in order; nil: no error
	}{
		{
			name:     "finishes within the grace period",
			workTime: time.Second,
			result:   func(context.Context) error { return nil },
			wantTime: time.Second,
		},
		{
			name:     "respects the grace period and returns ctx.Err()",
			result:   func(ctx context.Context) error { return ctx.Err() },
			wantTime: 5 * time.Second,
			wantErrs: []error{errGrace5s},
		},
		{
			name:     "respects the grace period and returns the cause",
			result:   context.Cause,
			wantTime: 5 * time.Second,
			wantErrs: []error{errGrace5s},
		},
		{
			name:     "respects the grace period and wraps ctx.Err()",
			result:   func(ctx context.Context) error { return fmt.Errorf("flush: %w", ctx.Err()) },
			wantTime: 5 * time.Second,
			wantErrs: []error{fmt.Errorf("flush: %w", context.DeadlineExceeded), errGrace5s},
		},
		{
			name:     "ignores the grace period and succeeds late",
			workTime: 8 * time.Second,
			result:   func(context.Context) error { return nil },
			wantTime: 8 * time.Second,
			wantErrs: []error{errGrace5s},
		},
		{
			name:     "ignores the grace period and fails late",
			workTime: 8 * time.Second,
			result:   func(context.Context) error { return errWork },
			wantTime: 8 * time.Second,
			wantErrs: []error{errWork, errGrace5s},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var wctx context.Context
				err := cancel.Shield(context.Background(), func(ctx context.Context) error {
					wctx = ctx
					if tt.workTime == 0 {
						<-ctx.Done()
					}
					time.Sleep(tt.workTime)
					return tt.result(ctx)
				}, cancel.Grace(5*time.Second))

				require.Equal(t, tt.wantTime, time.Since(start))
				if tt.wantErrs == nil {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, cancel.ErrGraceExceeded)
				require.ErrorIs(t, err, context.DeadlineExceeded)
				require.ErrorIs(t, context.Cause(wctx), cancel.ErrGraceExceeded)
				require.Equal(t, errorStrings(tt.wantErrs), errorStrings(multierr.Errors(err)))
			})
		})
	}

	t.Run("reports the grace period before the caller's cause", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.Background())
			stop(errShutdown)
			err := cancel.Shield(ctx, func(ctx context.Context) error {
				<-ctx.Done()
				return ctx.Err()
			}, cancel.Grace(5*time.Second))
			require.Equal(t,
				[]string{errGrace5s.Error(), "context canceled: shutting down"},
				errorStrings(multierr.Errors(err)))
		})
	})

	t.Run("reports the grace period but not the caller's cause when ignoring", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.Background())
			stop(errShutdown)
			err := cancel.Shield(ctx, func(ctx context.Context) error {
				<-ctx.Done()
				return ctx.Err()
			}, cancel.Grace(5*time.Second), cancel.Ignore())
			require.ErrorIs(t, err, cancel.ErrGraceExceeded)
			require.NotErrorIs(t, err, context.Canceled)
			require.NotErrorIs(t, err, errShutdown)
		})
	})

	t.Run("ends the work's context at once with a zero grace period", func(t *testing.T) {
		err := cancel.Shield(context.Background(), func(ctx context.Context) error {
			require.Error(t, ctx.Err())
			return nil
		}, cancel.Grace(0))
		require.ErrorIs(t, err, cancel.ErrGraceExceeded)
	})

	t.Run("releases the grace timer when the work returns", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var wctx context.Context
			err := cancel.Shield(context.Background(), func(ctx context.Context) error {
				wctx = ctx
				return nil
			}, cancel.Grace(time.Hour))
			require.NoError(t, err)
			require.Equal(t, context.Canceled, context.Cause(wctx))
		})
	})
}

var errGrace5s = fmt.Errorf("%w (5s)", cancel.ErrGraceExceeded)

func errorStrings(errs []error) []string {
	s := make([]string, len(errs))
	for i, err := range errs {
		s[i] = err.Error()
	}
	return s
}
