package cancel

import "context"

// OnCancel returns a task body, of the type group's Go accepts, that blocks
// until its context is done and then calls fn with that context. Started in
// a group, it runs fn when the group closes or the task is cancelled, and
// the group waits for fn before it reports Closed.
//
// fn receives the task's context, already done: [context.Cause] says why,
// and the context's values are still there. Work in fn that needs a live
// context should be shielded, bounded by a grace period:
//
//	cancel.OnCancel(func(ctx context.Context) error {
//		return cancel.Shield(ctx, flush, cancel.Grace(time.Second), cancel.Ignore())
//	})
//
// The body returns fn's error: nil means the hook ran and succeeded, not
// that the task was never cancelled, because cancellation is the hook's
// expected trigger rather than a failure.
//
// A panic in fn is not recovered here: it reaches whoever runs the body,
// and group recovers it at the task boundary like a panic in any task.
// OnCancel panics if fn is nil.
func OnCancel(fn func(ctx context.Context) error) func(ctx context.Context) error {
	if fn == nil {
		panic("cancel: nil function")
	}
	return func(ctx context.Context) error {
		<-ctx.Done()
		return fn(ctx)
	}
}

// OnDone returns a task body, of the type group's Go accepts, that blocks
// until done is closed and then calls fn with the task's context. Started
// in a group, it lets the group own a reaction to something finishing:
// another task, another group, a future, a context — anything with a Done
// channel: OnDone(t.Done(), fn). Since fn has the signature of a task
// body, any task can be made to start after another: OnDone(ready, serve).
// A nil done is never closed: fn then runs only if the task is never
// cancelled, that is never.
//
// If the task's context is done before done is closed, the body returns
// [context.Cause](ctx) without calling fn: the reaction belongs to the
// task, and a cancelled task does not start new work. If both have
// happened by the time the body looks, done wins and fn runs with the done
// context, so that a reaction to something that did finish is not lost.
//
// The body returns fn's error, or the context's cause as above. A panic in
// fn is not recovered here: it reaches whoever runs the body, and group
// recovers it at the task boundary like a panic in any task. OnDone panics
// if fn is nil.
func OnDone(done <-chan struct{}, fn func(ctx context.Context) error) func(ctx context.Context) error {
	if fn == nil {
		panic("cancel: nil function")
	}
	return func(ctx context.Context) error {
		select {
		case <-done:
			// Finished: react.
		case <-ctx.Done():
			// The select picks at random among ready arms; look again so
			// that a done that is also closed always wins, as documented.
			select {
			case <-done:
			default:
				return context.Cause(ctx)
			}
		}
		return fn(ctx)
	}
}
