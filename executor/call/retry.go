package call

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"go.uber.org/multierr"
)

// Retry calls fn until it succeeds, returns a [Permanent] error, has been
// called as many times as [Attempts] allows (default 5), or ctx ends. It
// returns fn's value and nil on success.
//
// Between attempts Retry blocks for an exponential backoff: before retry i
// (from 0) the delay is [BaseDelay] × [Multiplier]^i (defaults 100ms and
// 2), capped at [MaxDelay] (default 10s). By default the delay is drawn
// uniformly from [0, that delay] ("full jitter"), so that many callers that
// failed together do not retry together; [NoJitter] turns that off and
// [JitterSource] makes it deterministic.
//
// Errors: when fn returns a Permanent error, Retry returns the error inside
// it at once (or fn's error unchanged if it wraps the Permanent one). When the attempts run out, Retry returns fn's last error
// wrapped with the number of attempts. When ctx ends during a backoff, or
// before an attempt, Retry returns fn's last error combined by multierr
// with [context.Cause] of ctx (just the cause if fn never ran, or if fn's
// error already is it). errors.Is and errors.As see every part. Retry does
// not call fn once ctx is done.
//
// Retry is safe for concurrent use, unless calls share a JitterSource. It
// starts no goroutines; its one timer is stopped before it returns.
func Retry[T any](ctx context.Context, fn func(ctx context.Context) (T, error), opts ...RetryOption) (T, error) {
	mustContext(ctx, "Retry")
	if fn == nil {
		panic("call: Retry with nil function")
	}
	o := retryOptions{attempts: 5, base: 100 * time.Millisecond, max: 10 * time.Second, mult: 2, jitter: true}
	for _, opt := range opts {
		if opt == nil {
			panic("call: nil RetryOption")
		}
		opt.applyRetry(&o)
	}
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
		if !s.sleep(ctx, o.delay(i)) {
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

// A RetryOption configures [Retry].
type RetryOption interface {
	applyRetry(*retryOptions)
}

type retryOptions struct {
	attempts  int
	base, max time.Duration
	mult      float64
	jitter    bool
	rand      *rand.Rand // nil: math/rand/v2's global source
}

// delay returns the wait before retry i (from 0).
func (o *retryOptions) delay(i int) time.Duration {
	// Computed in float64 so that a large i saturates at max instead of
	// overflowing.
	f := float64(o.base) * math.Pow(o.mult, float64(i))
	d := o.max
	if f < float64(o.max) {
		d = time.Duration(f)
	}
	if !o.jitter || d <= 0 {
		return d
	}
	if o.rand != nil {
		return time.Duration(o.rand.Int64N(int64(d) + 1))
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

type retryOptionFunc func(*retryOptions)

func (f retryOptionFunc) applyRetry(o *retryOptions) { f(o) }

// Attempts sets how many times [Retry] calls fn at most, the first call
// included. The default is 5.
//
// Attempts panics if n < 1.
func Attempts(n int) RetryOption {
	if n < 1 {
		panic("call: Attempts must be at least 1")
	}
	return retryOptionFunc(func(o *retryOptions) { o.attempts = n })
}

// BaseDelay sets the backoff before the first retry, before jitter. The
// default is 100ms.
//
// BaseDelay panics if d is negative.
func BaseDelay(d time.Duration) RetryOption {
	if d < 0 {
		panic("call: BaseDelay must not be negative")
	}
	return retryOptionFunc(func(o *retryOptions) { o.base = d })
}

// MaxDelay caps the backoff between attempts, before jitter. The default
// is 10s.
//
// MaxDelay panics if d is negative.
func MaxDelay(d time.Duration) RetryOption {
	if d < 0 {
		panic("call: MaxDelay must not be negative")
	}
	return retryOptionFunc(func(o *retryOptions) { o.max = d })
}

// Multiplier sets the factor by which the backoff grows after each retry.
// The default is 2; 1 gives a constant backoff.
//
// Multiplier panics if m is less than 1, infinite or NaN.
func Multiplier(m float64) RetryOption {
	if !(m >= 1) || math.IsInf(m, 1) {
		panic("call: Multiplier must be finite and at least 1")
	}
	return retryOptionFunc(func(o *retryOptions) { o.mult = m })
}

// NoJitter makes [Retry] wait the exact exponential backoff instead of a
// random delay up to it.
func NoJitter() RetryOption {
	return retryOptionFunc(func(o *retryOptions) { o.jitter = false })
}

// JitterSource makes [Retry] draw its full jitter from r instead of
// math/rand/v2's global source, for reproducible delays in tests. A
// [rand.Rand] is not safe for concurrent use: r must not be shared by
// Retry calls that run at the same time.
//
// JitterSource panics if r is nil.
func JitterSource(r *rand.Rand) RetryOption {
	if r == nil {
		panic("call: nil JitterSource")
	}
	return retryOptionFunc(func(o *retryOptions) { o.rand = r })
}
