package executor

import (
	"context"
	"sync"
	"time"
)

// Throttle returns a function that runs fn at most once per frame (paco's
// throttle with limit 1) and otherwise returns the result of the last call
// that ran. A frame starts when a call of fn starts; calls made within it
// return that call's value and error without running fn. Errors are
// results like values: a failing fn is not called again until its frame
// ends.
//
// The returned function is safe for concurrent use. A caller that arrives
// while fn runs blocks until it returns and shares its result, so fn never
// runs twice at once. If the waiting caller's ctx ends first, it returns
// the zero value and [context.Cause] of its ctx; the running call goes on.
//
// fn runs with the ctx of the caller that started it. If that ctx is done
// when fn returns, the result is returned to that caller only and is not
// kept, because it reflects one caller's cancellation: callers waiting on
// it try again, and one of them runs fn. If fn panics, the panic goes to
// the caller that ran it, nothing is kept, and the waiting callers try
// again.
//
// Throttle panics if fn is nil or frame is not positive.
func Throttle[T any](fn func(ctx context.Context) (T, error), frame time.Duration) func(ctx context.Context) (T, error) {
	if fn == nil || frame <= 0 {
		panic("executor: Throttle needs a function and a positive frame")
	}
	th := &throttle[T]{fn: fn, frame: frame}
	return th.call
}

type throttle[T any] struct {
	fn    func(ctx context.Context) (T, error)
	frame time.Duration

	mu sync.Mutex // guards the fields below
	// running is non-nil while fn runs and is closed when it returns.
	running chan struct{}
	until   time.Time // end of the frame of the kept result
	kept    bool      // whether v and err hold a result
	v       T
	err     error
}

func (th *throttle[T]) call(ctx context.Context) (T, error) {
	for {
		th.mu.Lock()
		if th.kept && time.Now().Before(th.until) {
			v, err := th.v, th.err
			th.mu.Unlock()
			return v, err
		}
		if ch := th.running; ch != nil {
			th.mu.Unlock()
			select {
			case <-ch:
				// Loop: the result is kept now, or it was not (the
				// runner's ctx ended or fn panicked) and we may run fn.
				continue
			case <-ctx.Done():
				var zero T
				return zero, context.Cause(ctx)
			}
		}
		ch := make(chan struct{})
		th.running = ch
		th.mu.Unlock()
		return th.run(ctx, ch)
	}
}

// run calls fn as the frame's one real call and keeps its result.
func (th *throttle[T]) run(ctx context.Context, ch chan struct{}) (v T, err error) {
	start := time.Now()
	done := false
	defer func() {
		th.mu.Lock()
		th.running = nil
		// A result is kept only if fn returned (no panic) and the ctx it
		// ran with was not done: see Throttle's doc.
		if done && ctx.Err() == nil {
			th.kept, th.until, th.v, th.err = true, start.Add(th.frame), v, err
		}
		close(ch)
		th.mu.Unlock()
	}()
	v, err = th.fn(ctx)
	done = true
	return v, err
}
