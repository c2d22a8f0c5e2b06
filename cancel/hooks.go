package cancel

import "context"

// Waitable is anything that can be waited for through a channel that is
// closed when it finishes: a [context.Context], a group's *Group and *Task,
// a *Future, a [Chan]. [OnDone] waits for one.
type Waitable interface {
	// Done returns a channel that is closed when the Waitable finishes.
	// A nil channel means it never finishes.
	Done() <-chan struct{}
}

// Chan adapts a bare channel to a [Waitable] that finishes when the channel
// is closed: cancel.Chan(ch) accepts both chan struct{} and <-chan struct{}.
// The zero value, a nil channel, never finishes. A Chan may be copied and is
// safe for concurrent use, as the channel it holds.
type Chan <-chan struct{}

// Done returns the channel itself.
func (c Chan) Done() <-chan struct{} { return c }

// OnCancel returns a task body, of the type group's Go accepts, that blocks
// until its context is done and then calls fn with that context (hat.aio's
// call_on_cancel). Started in a group, it runs fn when the group closes or
// the task is cancelled, and the group waits for fn before it reports
// Closed.
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
// until w finishes and then calls fn with the task's context (hat.aio's
// call_on_done). Started in a group, it lets the group own a reaction to
// something finishing: another task, another group, a channel, a context.
// Since fn has the signature of a task body, any task can be made to start
// after w: OnDone(ready, serve).
//
// If the task's context is done before w finishes, the body returns
// [context.Cause](ctx) without calling fn: the reaction belongs to the
// task, and a cancelled task does not start new work. If both have
// happened by the time the body looks, w wins and fn runs with the done
// context, so that a reaction to something that did finish is not lost.
//
// The body returns fn's error, or the context's cause as above. A panic in
// fn is not recovered here: it reaches whoever runs the body, and group
// recovers it at the task boundary like a panic in any task. OnDone panics
// if w or fn is nil.
func OnDone(w Waitable, fn func(ctx context.Context) error) func(ctx context.Context) error {
	if w == nil {
		panic("cancel: nil Waitable")
	}
	if fn == nil {
		panic("cancel: nil function")
	}
	return func(ctx context.Context) error {
		done := w.Done()
		select {
		case <-done:
			// w finished: react.
		case <-ctx.Done():
			// The select picks at random among ready arms; look again so
			// that a w that has also finished always wins, as documented.
			select {
			case <-done:
			default:
				return context.Cause(ctx)
			}
		}
		return fn(ctx)
	}
}
