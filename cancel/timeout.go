package cancel

import (
	"context"
	"time"
)

// Timeout runs fn in the calling goroutine with a context that ends after
// limit, with a [*TimeoutError] naming the limit as its cause (paco's
// timeout, asyncio's wait_for). name may be empty; it tells nested limits
// apart in errors.
//
// Timeout blocks until fn returns. It does not return at the deadline if fn
// ignores its context: fn runs in the caller's goroutine, so nothing is
// abandoned, and the caller gets fn's real outcome. If ctx is done first,
// fn's context ends with ctx's cause.
//
// The returned error is fn's error, with two refinements:
//   - if fn returns its context's bare Err(), it is replaced by
//     [context.Cause], which says which limit (or which parent cause) ended
//     the context;
//   - if the limit was reached before fn returned and fn's error does not
//     already match the *TimeoutError, the *TimeoutError is appended (with
//     multierr), even when fn succeeded late.
//
// So errors.Is(err, context.DeadlineExceeded) and errors.As(err, &te) hold
// exactly when this limit fired during the call, and te names it.
//
// To put a limit on a block of code rather than a function (paco's
// TimeoutLimit), use the standard library directly:
//
//	ctx, stop := context.WithTimeoutCause(ctx, d, &cancel.TimeoutError{Name: "db", Limit: d})
//	defer stop()
//
// and a [Scope] when the deadline must move while the work runs.
//
// Timeout costs what context.WithTimeoutCause around the call costs, about
// 800 ns and 5 allocations; see BenchmarkTimeout.
//
// A zero limit ends fn's context at once, as with [context.WithTimeout].
// Timeout panics if limit is negative or fn is nil; a panic in fn
// propagates to the caller unchanged, after the timer has been stopped.
func Timeout(ctx context.Context, name string, limit time.Duration, fn func(ctx context.Context) error) error {
	mustContext(ctx, "Timeout")
	if fn == nil {
		panic("cancel: nil function")
	}
	_, err := TimeoutValue(ctx, name, limit, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// TimeoutValue is [Timeout] for a function that produces a value. It
// returns fn's value together with the error described at Timeout: when
// fn finished after the limit, both its value and an error matching the
// *TimeoutError are returned, and the caller decides whether a late value
// is still of use.
//
// TimeoutValue blocks until fn returns. It panics if limit is negative or
// fn is nil; a panic in fn propagates to the caller unchanged.
func TimeoutValue[T any](ctx context.Context, name string, limit time.Duration, fn func(ctx context.Context) (T, error)) (T, error) {
	mustContext(ctx, "TimeoutValue")
	if fn == nil {
		panic("cancel: nil function")
	}
	if limit < 0 {
		panic("cancel: negative timeout")
	}
	te := &TimeoutError{Name: name, Limit: limit}
	tctx, stop := context.WithTimeoutCause(ctx, limit, te)
	// Deferred so that the timer is released when fn panics too.
	defer stop()
	v, err := fn(tctx)
	// Before the deferred stop, which would end tctx with Canceled.
	return v, settle(tctx, err, te)
}
