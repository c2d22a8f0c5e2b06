package resource

import (
	"context"
	"time"

	"github.com/nursery-go/nursery/group"
)

// After starts fn as a task of g, named name, that runs once d from now and
// returns the task. It does not block.
//
// If g starts closing before d has passed, even gracefully, fn never runs
// and the task succeeds at once: a delayed start is abandoned with its
// group. If the task alone is cancelled first, it ends with its context's
// cause.
// Once fn has started it is an ordinary task of g. [call.Defer] is the
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
