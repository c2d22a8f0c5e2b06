package call

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/multierr"
)

// Retry calls fn until it succeeds, returns a [Permanent] error, has been
// called as many times as [Attempts] allows (default 5), or ctx ends. It
// returns fn's value and nil on success.
//
// Between attempts Retry blocks for the delay of a [Backoff] ([WithBackoff];
// by default 100ms before the first retry, doubling, at most 10s, with
// jitter), so that many callers that failed together do not retry
// together.
//
// Errors: when fn returns a Permanent error, Retry returns the error inside
// it at once (or fn's error unchanged if it wraps the Permanent one). When the attempts run out, Retry returns fn's last error
// wrapped with the number of attempts. When ctx ends during a backoff, or
// before an attempt, Retry returns fn's last error combined by multierr
// with [context.Cause] of ctx (just the cause if fn never ran, or if fn's
// error already is it). errors.Is and errors.As see every part. Retry does
// not call fn once ctx is done.
//
// Retry is safe for concurrent use, unless calls share a Backoff.Rand. It
// starts no goroutines; its one timer is stopped before it returns.
func Retry[T any](ctx context.Context, fn func(ctx context.Context) (T, error), opts ...Option) (T, error) {
	mustContext(ctx, "Retry")
	if fn == nil {
		panic("call: Retry with nil function")
	}
	o := options{attempts: 5}
	apply("Retry", &o, opts)
	var (
		zero T
		last error
		s    sleeper
	)
	defer s.stop()
	for i := 0; ; i++ {
		if ctx.Err() != nil {
			return zero, withCause(ctx, last)
		}
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		if p, ok := err.(*permanentError); ok {
			return zero, p.err
		}
		if _, ok := errors.AsType[*permanentError](err); ok {
			// Permanent, wrapped by fn: keep fn's wrapping.
			return zero, err
		}
		last = err
		if i+1 >= o.attempts {
			return zero, fmt.Errorf("call: retry: %d attempts failed: %w", o.attempts, last)
		}
		if !s.sleep(ctx, o.backoff.Delay(i)) {
			return zero, withCause(ctx, last)
		}
	}
}

// withCause combines err with ctx's cause, once.
func withCause(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	if err == nil || errors.Is(err, cause) {
		return cause
	}
	return multierr.Combine(err, cause)
}

// Permanent wraps err so that [Retry] returns err at once instead of trying
// again. Retry unwraps it: the caller of Retry sees err itself. Permanent
// returns nil if err is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
