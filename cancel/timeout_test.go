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

func TestTimeout(t *testing.T) {
	// fn runs under a 1s limit named "fetch". It ignores its context for
	// workTime (0: it waits for its context to end) and then returns.
	fetch1s := &cancel.TimeoutError{Name: "fetch", Limit: time.Second}
	tests := []struct {
		name     string
		workTime time.Duration
		result   func(ctx context.Context) error
		wantTime time.Duration
		wantErrs []string // exact, in order; nil: no error
	}{
		{
			name:     "returns nil when fn succeeds in time",
			workTime: time.Millisecond,
			result:   func(context.Context) error { return nil },
			wantTime: time.Millisecond,
		},
		{
			name:     "returns fn's error when fn fails in time",
			workTime: time.Millisecond,
			result:   func(context.Context) error { return errWork },
			wantTime: time.Millisecond,
			wantErrs: []string{"work failed"},
		},
		{
			name:     "replaces a bare ctx.Err() with the limit",
			result:   func(ctx context.Context) error { return ctx.Err() },
			wantTime: time.Second,
			wantErrs: []string{"cancel: fetch: timeout of 1s exceeded"},
		},
		{
			name:     "keeps a returned cause as it is",
			result:   context.Cause,
			wantTime: time.Second,
			wantErrs: []string{"cancel: fetch: timeout of 1s exceeded"},
		},
		{
			name:     "adds the limit to a wrapped ctx.Err()",
			result:   func(ctx context.Context) error { return fmt.Errorf("fetch: %w", ctx.Err()) },
			wantTime: time.Second,
			wantErrs: []string{"fetch: context deadline exceeded", "cancel: fetch: timeout of 1s exceeded"},
		},
		{
			name:     "reports the limit when fn ignores it and succeeds late",
			workTime: 3 * time.Second,
			result:   func(context.Context) error { return nil },
			wantTime: 3 * time.Second,
			wantErrs: []string{"cancel: fetch: timeout of 1s exceeded"},
		},
		{
			name:     "reports the limit after fn's error when fn ignores it and fails late",
			workTime: 3 * time.Second,
			result:   func(context.Context) error { return errWork },
			wantTime: 3 * time.Second,
			wantErrs: []string{"work failed", "cancel: fetch: timeout of 1s exceeded"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				err := cancel.Timeout(context.Background(), "fetch", time.Second, func(ctx context.Context) error {
					if tt.workTime == 0 {
						<-ctx.Done()
						require.Equal(t, fetch1s, context.Cause(ctx))
					}
					time.Sleep(tt.workTime)
					return tt.result(ctx)
				})

				require.Equal(t, tt.wantTime, time.Since(start))
				if tt.wantErrs == nil {
					require.NoError(t, err)
					return
				}
				require.Equal(t, tt.wantErrs, errorStrings(multierr.Errors(err)))
				if tt.wantTime < time.Second {
					return
				}
				require.ErrorIs(t, err, context.DeadlineExceeded)
				var te *cancel.TimeoutError
				require.ErrorAs(t, err, &te)
				require.Equal(t, fetch1s, te)
			})
		})
	}
}

func TestTimeout_causes(t *testing.T) {
	t.Run("names the inner limit when it fires first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			err := cancel.Timeout(context.Background(), "request", 5*time.Second, func(ctx context.Context) error {
				return cancel.Timeout(ctx, "db", time.Second, waitDone)
			})
			var te *cancel.TimeoutError
			require.ErrorAs(t, err, &te)
			require.Equal(t, &cancel.TimeoutError{Name: "db", Limit: time.Second}, te)
			require.Len(t, multierr.Errors(err), 1)
		})
	})

	t.Run("names the outer limit when it fires first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			err := cancel.Timeout(context.Background(), "request", 2*time.Second, func(ctx context.Context) error {
				return cancel.Timeout(ctx, "db", 10*time.Second, waitDone)
			})
			require.Equal(t, &cancel.TimeoutError{Name: "request", Limit: 2 * time.Second}, err)
		})
	})

	t.Run("returns the parent's cause when the parent ends first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.Background())
			time.AfterFunc(time.Second, func() { stop(errShutdown) })
			err := cancel.Timeout(ctx, "fetch", time.Minute, waitDone)
			require.Equal(t, errShutdown, err)
			var te *cancel.TimeoutError
			require.False(t, errors.As(err, &te), "no limit of this call fired")
		})
	})

	t.Run("returns the parent's deadline when it comes first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, stop := context.WithTimeout(context.Background(), time.Second)
			defer stop()
			err := cancel.Timeout(ctx, "fetch", time.Minute, waitDone)
			require.Equal(t, context.DeadlineExceeded, err)
		})
	})

	t.Run("ends fn's context at once with a zero limit", func(t *testing.T) {
		err := cancel.Timeout(context.Background(), "", 0, waitDone)
		require.EqualError(t, err, "cancel: timeout of 0s exceeded")
	})

	t.Run("returns the value with the error when fn succeeds late", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			v, err := cancel.TimeoutValue(context.Background(), "fetch", time.Second, func(context.Context) (int, error) {
				time.Sleep(2 * time.Second)
				return 7, nil
			})
			require.Equal(t, 7, v)
			require.ErrorIs(t, err, context.DeadlineExceeded)
		})
	})

	t.Run("lets a panic in fn reach the caller unchanged and stops the timer", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var fctx context.Context
			require.PanicsWithValue(t, "boom", func() {
				_ = cancel.Timeout(context.Background(), "fetch", time.Second, func(ctx context.Context) error {
					fctx = ctx
					panic("boom")
				})
			})
			require.Equal(t, context.Canceled, context.Cause(fctx))
		})
	})

	t.Run("panics on misuse", func(t *testing.T) {
		ctx := context.Background()
		require.PanicsWithValue(t, "cancel: nil function", func() { _ = cancel.Timeout(ctx, "", time.Second, nil) })
		require.PanicsWithValue(t, "cancel: negative timeout", func() { _ = cancel.Timeout(ctx, "", -1, waitDone) })
		require.PanicsWithValue(t, "cancel: nil function", func() {
			_, _ = cancel.TimeoutValue[int](ctx, "", time.Second, nil)
		})
	})
}

func TestTimeoutError(t *testing.T) {
	tests := []struct {
		give *cancel.TimeoutError
		want string
	}{
		{give: &cancel.TimeoutError{Limit: time.Second}, want: "cancel: timeout of 1s exceeded"},
		{give: &cancel.TimeoutError{Name: "db", Limit: 250 * time.Millisecond}, want: "cancel: db: timeout of 250ms exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			require.EqualError(t, tt.give, tt.want)
			require.ErrorIs(t, tt.give, context.DeadlineExceeded)
			require.NotErrorIs(t, tt.give, context.Canceled)
		})
	}
}

// waitDone is a function that respects its context.
func waitDone(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}
