package call

import (
	"context"
	"time"
)

// Defer returns a task body, for [group.Group.Go] or [Executor.Submit], that
// waits d and then runs fn. It blocks for d, then for as long as fn runs,
// and returns fn's error.
//
// If ctx is done before d has elapsed, or when the body is called, the
// body returns [context.Cause] of ctx without running fn. The body may be
// called any number of times, concurrently; each call waits its own d on a
// timer that it stops when it returns.
//
// Defer panics if fn is nil.
func Defer(d time.Duration, fn func(ctx context.Context) error) func(ctx context.Context) error {
	if fn == nil {
		panic("call: Defer with nil function")
	}
	return func(ctx context.Context) error {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if d > 0 {
			var s sleeper
			defer s.stop()
			if !s.sleep(ctx, d) {
				return context.Cause(ctx)
			}
		}
		return fn(ctx)
	}
}

// Interval returns a task body, for [group.Group.Go] or [Executor.Submit],
// that runs fn every d until ctx ends. The body blocks until then.
//
// fn first runs d after the body is called, then at 2d, 3d, … from that
// call, like [time.Ticker]; runs never overlap. Missed ticks are dropped,
// not accumulated: when a run of fn ends after the next tick, the body
// waits for the first tick at or after the end, so a slow fn keeps to the
// grid and never runs back to back to catch up.
//
// When ctx ends the body returns [context.Cause] of ctx, which a group
// counts as cancelled, not failed. If fn returns an error the body stops and
// returns it. With [Runs](n) the body returns nil after the n-th run. The
// body may be called any number of times, concurrently; each call has its
// own timer, stopped when it returns.
//
// Interval panics if d is not positive, fn is nil or an option is nil.
func Interval(d time.Duration, fn func(ctx context.Context) error, opts ...Option) func(ctx context.Context) error {
	if d <= 0 || fn == nil {
		panic("call: Interval needs a positive period and a function")
	}
	var o options
	apply("Interval", &o, opts)
	runs := o.runs // 0: no limit
	return func(ctx context.Context) error {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		left := runs // each call counts its own runs; 0 never ends
		next := time.Now().Add(d)
		wait := d
		var s sleeper
		defer s.stop()
		for {
			if !s.sleep(ctx, wait) {
				return context.Cause(ctx)
			}
			if err := fn(ctx); err != nil {
				return err
			}
			if left--; left == 0 {
				return nil
			}
			// Skip the ticks that passed while fn ran: the next run is
			// at the first tick at or after now. A time.Ticker would
			// instead keep one stale tick and run fn again at once.
			now := time.Now()
			next = next.Add(d)
			if late := now.Sub(next); late > 0 {
				next = next.Add((late + d - 1) / d * d)
			}
			wait = next.Sub(now)
		}
	}
}
