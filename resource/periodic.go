package resource

import (
	"context"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
)

// Every runs fn every d as a supervised job of g (paco's interval) and
// returns its Supervisor. It does not block.
//
// The job is [executor.Interval]'s body: fn first runs d after the job
// starts, then at 2d, 3d, … from that start. Runs never overlap: a tick
// that comes while fn still runs is skipped, not queued, and the next run
// is at the first tick at or after the end of the slow one, so a slow fn
// never runs back to back to catch up. A job that must account for every
// period can count the ticks it missed from the times it is called.
//
// If fn returns an error or panics, the job is restarted as [Supervise]
// describes, with backoff and within the restart intensity, and the ticks
// count again from the restart. If fn returns an error matching [ErrStop],
// the job stops. When g starts closing, a run in progress is cancelled and
// no more runs start. opts are Supervise's; [Delay] postpones the start of
// the ticks.
//
// Every panics if g or fn is nil, if d is not positive, or if an option is
// nil.
func Every(g *group.Group, name string, d time.Duration, fn func(ctx context.Context) error, opts ...SuperviseOption) *Supervisor {
	if g == nil || fn == nil || d <= 0 {
		panic("resource: Every needs a group, a function and a positive period")
	}
	return Supervise(g, name, executor.Interval(d, fn), opts...)
}

// After starts fn as a task of g, named name, that runs once d from now
// (paco's defer) and returns the task. It does not block.
//
// If g starts closing before d has passed, even gracefully, fn never runs
// and the task succeeds at once: a delayed start is abandoned with its
// group. If the task alone is cancelled first, it ends with its context's
// cause.
// Once fn has started it is an ordinary task of g. [executor.Defer] is the
// same for bodies that need not watch the group, as in an executor.
//
// After panics if g or fn is nil or d is negative.
func After(g *group.Group, name string, d time.Duration, fn func(ctx context.Context) error) *group.Task {
	if g == nil || fn == nil || d < 0 {
		panic("resource: After needs a group, a function and a delay of at least 0")
	}
	return g.Go(func(ctx context.Context) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-g.Closing():
		case <-ctx.Done():
		}
		// Whichever came first, a closing group wins: it leaves Open
		// before it cancels its tasks, so the answer does not depend on
		// how the select raced.
		if g.State() != group.Open {
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fn(ctx)
	}, group.Name(name))
}
