package call

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrThrottled is what a function made by [Throttle] with [FailThrottled]
// returns for a call past the frame's limit.
var ErrThrottled = errors.New("call: throttled")

// Throttle returns a function that runs fn at most once per frame
// ([PerFrame] allows n runs) and otherwise returns the result of
// the last run ([FailThrottled]: [ErrThrottled] instead). A frame starts
// when a call comes after the previous frame has ended; calls made within
// it past its limit return the result of its latest run that has returned,
// without running fn. Errors are results like values: a failing fn is not
// called again until its frame ends.
//
// The returned function is safe for concurrent use. A caller past the
// limit that arrives before any run of the frame has returned blocks until
// one does and shares its result, so fn never runs more than the limit at
// once. If the waiting caller's ctx ends first, it returns the zero value
// and [context.Cause] of its ctx; the running call goes on.
//
// fn runs with the ctx of the caller that started it. If that ctx is done
// when fn returns, the result is returned to that caller only and is not
// kept, and the run does not count against the frame, because it reflects
// one caller's cancellation: callers waiting on it try again, and one of
// them runs fn. If fn panics, the panic goes to the caller that ran it,
// and likewise nothing is kept.
//
// Throttle panics if fn is nil, frame is not positive or an option is nil.
func Throttle[T any](fn func(ctx context.Context) (T, error), frame time.Duration, opts ...Option) func(ctx context.Context) (T, error) {
	if fn == nil || frame <= 0 {
		panic("call: Throttle needs a function and a positive frame")
	}
	th := &throttle[T]{fn: fn, frame: frame, opts: options{limit: 1}}
	apply("Throttle", &th.opts, opts)
	return th.call
}

type throttle[T any] struct {
	fn    func(ctx context.Context) (T, error)
	frame time.Duration
	opts  options

	mu    sync.Mutex // guards the fields below
	id    uint64     // counts frames
	until time.Time  // end of frame id
	runs  int        // runs started in frame id that count against it
	// ended is closed, and replaced, whenever a run returns or panics.
	ended chan struct{}
	kept  uint64 // the frame of v and err; 0: none
	v     T
	err   error
}

func (th *throttle[T]) call(ctx context.Context) (T, error) {
	for {
		th.mu.Lock()
		if now := time.Now(); th.id == 0 || !now.Before(th.until) {
			th.id, th.until, th.runs = th.id+1, now.Add(th.frame), 0
		}
		if th.runs < th.opts.limit {
			th.runs++
			id := th.id
			if th.ended == nil {
				th.ended = make(chan struct{})
			}
			th.mu.Unlock()
			return th.run(ctx, id)
		}
		if th.opts.refuse {
			th.mu.Unlock()
			var zero T
			return zero, ErrThrottled
		}
		if th.kept == th.id {
			v, err := th.v, th.err
			th.mu.Unlock()
			return v, err
		}
		ended := th.ended
		th.mu.Unlock()
		select {
		case <-ended:
			// Loop: a result is kept now, or it was not (the runner's ctx
			// ended or fn panicked) and we may run fn.
		case <-ctx.Done():
			var zero T
			return zero, context.Cause(ctx)
		}
	}
}

// run calls fn as one of frame id's real calls and keeps its result.
func (th *throttle[T]) run(ctx context.Context, id uint64) (v T, err error) {
	done := false
	defer func() {
		th.mu.Lock()
		// A result is kept only if fn returned (no panic) and the ctx it
		// ran with was not done: see Throttle's doc.
		switch {
		case done && ctx.Err() == nil:
			if id == th.id {
				th.kept, th.v, th.err = id, v, err
			}
		case id == th.id:
			th.runs-- // hand the run over to a waiter
		}
		close(th.ended)
		th.ended = make(chan struct{})
		th.mu.Unlock()
	}()
	v, err = th.fn(ctx)
	done = true
	return v, err
}
