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
	defer q.mu.Unlock()
	return q.isClosed && q.items.n == 0
}
