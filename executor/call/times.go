package call

import (
	"context"
	"errors"
	"sync"
)

// ErrPanicked is the error that calls of a function made by [Times] get,
// past the last run, when that run panicked.
var ErrPanicked = errors.New("call: the last run panicked")

// ErrExhausted is what a function made by [Times] with [FailExhausted]
// returns for the calls past the n-th.
var ErrExhausted = errors.New("call: function called more times than allowed")

// FailExhausted makes the calls past the n-th of a function made by [Times]
// return [ErrExhausted] at once instead of the n-th run's result. A caller
// that wants a value of its own there substitutes it when errors.Is(err,
// ErrExhausted).
func FailExhausted() Option {
	return option{"FailExhausted", "Times", func(o *options) { o.refuse = true }}
}

// Times returns a function that runs fn the first n times it is called and
// afterwards returns the result of the n-th run without running fn, or
// [ErrExhausted] with [FailExhausted]. A call past the n-th that arrives
// while the n-th still runs waits for it, or until its own ctx ends (then it
// returns context.Cause(ctx)). If the n-th run panics, the panic goes to its
// caller and later calls get [ErrPanicked]. The returned function is safe
// for concurrent use.
//
// Times panics if fn is nil, n is not positive or an option is nil.
func Times[T any](n int, fn func(ctx context.Context) (T, error), opts ...Option) func(ctx context.Context) (T, error) {
	if fn == nil {
		panic("call: Times with a nil function")
	}
	if n <= 0 {
		panic("call: Times count must be positive")
	}
	var o options
	apply("Times", &o, opts)
	refuse := o.refuse
	var (
		mu    sync.Mutex
		calls int
		done  = make(chan struct{})
		last  T
		err   error
	)
	return func(ctx context.Context) (T, error) {
		mu.Lock()
		calls++
		c := calls
		if calls > n {
			calls = n + 1 // no overflow however many calls come
		}
		mu.Unlock()
		switch {
		case c < n:
			return fn(ctx)
		case c == n:
			panicked := true
			defer func() {
				if panicked {
					err = ErrPanicked
				}
				close(done)
			}()
			last, err = fn(ctx)
			panicked = false
			return last, err
		case refuse:
			var zero T
			return zero, ErrExhausted
		}
		select {
		case <-done: // a result already there is returned, ctx or not
			return last, err
		default:
		}
		select {
		case <-done:
			return last, err
		case <-ctx.Done():
			var zero T
			return zero, context.Cause(ctx)
		}
	}
}
