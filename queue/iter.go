package queue

import (
	"context"
	"iter"
)

// All returns an iterator that receives items from q with [Queue.Get] and
// yields each one with a nil error, in FIFO order.
//
// The iteration ends quietly when the queue is closed and drained. If ctx
// ends first, it yields once more, with the zero T and [context.Cause] of
// ctx, and ends. So after the loop the caller knows which happened:
//
//	for v, err := range q.All(ctx) {
//		if err != nil {
//			return err // ctx ended before the queue was drained
//		}
//		use(v)
//	}
//	// the queue was closed and every item was received
//
// If the queue is closed and drained, the iteration ends without an error
// even if ctx is done too. Breaking out of the loop loses nothing: an item
// is taken from the queue only to be yielded. Several goroutines may range
// over the same queue; each item goes to exactly one of them.
//
// All returns an [iter.Seq2] rather than an [iter.Seq] plus an Err method
// because the error belongs to one loop, not to the queue: with concurrent
// consumers, a queue-wide Err would report another loop's context, and a
// Seq2 puts the error where range makes the caller look at it.
func (q *Queue[T]) All(ctx context.Context) iter.Seq2[T, error] {
	mustContext(ctx, "Queue.All")
	return func(yield func(T, error) bool) {
		for {
			v, err := q.Get(ctx)
			if err != nil {
				// Get fails with ErrClosed only when the queue is closed and
				// drained, and otherwise with ctx's cause. Closed and drained
				// is permanent (nothing can be put after Close), so checking
				// it here cannot race, and it wins over a done ctx.
				if !q.drained() {
					yield(v, err)
				}
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// drained reports whether q is closed and empty, which is final.
func (q *Queue[T]) drained() bool {
	q.mu.Lock()
	defer q.unlock()
	return q.isClosed && q.lenLocked() == 0
}

// First removes items from the front of q, one at a time as [Queue.Get]
// does, until pred reports true for one, and returns that item. The items
// before it, for which pred reported false, are removed and discarded; the
// items after it stay in the queue. First takes an item only to test it, so
// it never removes more than it tests.
//
// First blocks while the queue is empty, like Get. It returns [ErrClosed]
// once the queue is closed and drained with no match. If ctx is already
// done, it returns [context.Cause] of ctx and takes nothing; if ctx ends
// while it waits, it returns the cause, and the items it has tested and
// discarded so far stay removed.
//
// pred runs in the caller's goroutine without the queue's lock held, so it
// may use the queue. Other consumers may take items meanwhile; each item
// goes to exactly one of them.
//
// First panics if pred is nil.
func (q *Queue[T]) First(ctx context.Context, pred func(T) bool) (T, error) {
	mustContext(ctx, "Queue.First")
	if pred == nil {
		panic("queue: First with a nil predicate")
	}
	for {
		v, err := q.Get(ctx)
		if err != nil || pred(v) {
			return v, err
		}
	}
}
