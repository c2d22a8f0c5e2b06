package cancel

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Timeout runs fn in the calling goroutine with a context that ends after
// limit, with a [*TimeoutError] naming the limit as its cause. name may be
// empty; it tells nested limits apart in errors.
//
// Timeout blocks until fn returns. It does not return at the deadline if fn
// ignores its context: fn runs in the caller's goroutine, so nothing is
// abandoned, and the caller gets fn's real outcome. If ctx is done first,
// fn's context ends with ctx's cause.
//
// The returned error is fn's error, with three refinements:
//   - if fn returns its context's bare Err(), it is replaced by
//     [context.Cause], which says which limit (or which parent cause) ended
//     the context;
//   - if the limit was reached before fn returned and fn's error does not
//     already match the *TimeoutError, the *TimeoutError is appended (with
//     multierr), even when fn succeeded late;
//   - if ctx is done when fn returns (cancelled before or during the
//     call) and fn's error is not already ctx's cause (fn gave up on the
//     cancellation), the error is a [*CanceledError] holding fn's error,
//     which matches [context.Canceled] (or [context.DeadlineExceeded]) and
//     ctx's cause, even when fn succeeded: the caller was cancelled, and a
//     result that came anyway is not a success.
//
// So errors.Is(err, context.DeadlineExceeded) and errors.As(err, &te) hold
// exactly when this limit fired during the call, and te names it.
//
// To put a limit on a block of code rather than a function, use the standard
// library directly:
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
	_, err := limited(ctx, name, limit, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return callerCanceled(ctx, err, nil)
}

// TimeoutValue is [Timeout] for a function that produces a value. It
// returns fn's value together with the error described at Timeout: when
// fn finished after the limit, both its value and an error matching the
// *TimeoutError are returned, and the caller decides whether a late value
// is still of use. When ctx was cancelled during the call, the error is a
// [*CanceledError] that carries the value too.
//
// TimeoutValue blocks until fn returns. It panics if limit is negative or
// fn is nil; a panic in fn propagates to the caller unchanged.
func TimeoutValue[T any](ctx context.Context, name string, limit time.Duration, fn func(ctx context.Context) (T, error)) (T, error) {
	mustContext(ctx, "TimeoutValue")
	if fn == nil {
		panic("cancel: nil function")
	}
	v, err := limited(ctx, name, limit, fn)
	return v, callerCanceled(ctx, err, v)
}

// limited runs fn under the limit and settles its error (see Timeout).
func limited[T any](ctx context.Context, name string, limit time.Duration, fn func(ctx context.Context) (T, error)) (T, error) {
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

// A CanceledError is returned by [Timeout] and [TimeoutValue] when the
// caller's context was done by the time the function returned: the caller
// was cancelled, and the function's outcome (which may be a success) came
// anyway. It matches [context.Canceled] (or [context.DeadlineExceeded],
// when a deadline ended the context), its Cause and its Err with
// [errors.Is]; recover the result with [errors.As]:
//
//	var ce *cancel.CanceledError
//	if errors.As(err, &ce) {
//		v := ce.Value.(int) // as TimeoutValue also returns it
//	}
//
// It is used by pointer; this package never modifies one it has returned.
type CanceledError struct {
	// Value is what the function returned, nil for [Timeout].
	Value any
	// Err is the function's error, as Timeout would otherwise return it;
	// nil when the function succeeded.
	Err error
	// Cause is the cause of the caller's context ([context.Cause]).
	Cause error

	end error // ctx.Err(): context.Canceled or context.DeadlineExceeded
}

// Error says that the caller was cancelled, why, and what the function
// returned.
func (e *CanceledError) Error() string {
	msg := "cancel: caller canceled (" + fmt.Sprint(e.Cause) + ")"
	if e.Err == nil {
		return msg + "; the function succeeded"
	}
	return msg + "; the function returned: " + e.Err.Error()
}

// Unwrap returns how the caller's context ended, its cause and the
// function's error, those that are set.
func (e *CanceledError) Unwrap() []error {
	var errs []error
	for _, err := range [...]error{e.end, e.Cause, e.Err} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Is reports whether target is [context.Canceled] for a CanceledError made
// by hand, whose context's end is not recorded.
func (e *CanceledError) Is(target error) bool { return e.end == nil && target == context.Canceled }

// callerCanceled wraps the outcome of a call in a *CanceledError when ctx,
// the caller's context, is done and the outcome does not say so already. A
// function that gave up on the cancellation returned ctx's cause (settle
// has replaced a bare Err by it), which is what a cancelled blocking call
// of this module returns: wrapping it would only bury it, and nested
// limits would name the outer one through a layer per level.
func callerCanceled(ctx context.Context, err error, v any) error {
	if ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	if err != nil && errors.Is(err, cause) {
		return err
	}
	return &CanceledError{Value: v, Err: err, Cause: cause, end: ctx.Err()}
}
