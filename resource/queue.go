package resource

import (
	"context"
	"fmt"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/queue"
)

// A Queue is a [queue.Queue] that is a [Resource]: it belongs to a Stack,
// the resource of its consumers, and closes gracefully as a queue does —
// [queue.Queue.Close], then the consumers drain what it had accepted.
// [Open] can return it directly.
//
// Its consumers are tasks of the same Stack that receive from it, usually
// by ranging over [queue.Queue.All]. Open the queue's resource before the
// resources that put into it: those close first (they stop putting), then
// the queue's turn comes. NewQueue registers a close hook that closes the
// queue, so the queue stops accepting at the start of its turn while the
// consumers keep uncancelled contexts; their range loops end when it is
// drained, and the turn is over. If the budget is spent first, the
// consumers are cancelled, and the items left in the queue are named in
// the [*CutOffError] with the tasks, never dropped silently.
//
// The methods of queue.Queue are promoted; Close and the lifecycle
// methods are the resource's. A Queue is made by [NewQueue]; it must not
// be copied, and it is safe for concurrent use.
type Queue[T any] struct {
	*queue.Queue[T]
	s *Stack
}

// NewQueue makes a queue of capacity items (0: unbounded) that belongs to
// s, usually the Stack that [Open] gives its function. [DrainTimeout]
// says how long its consumers may need to drain it; the close budget of
// the resource covers that (see Open). It does not block.
//
// If s has started closing, NewQueue returns the queue closed, with an
// error matching [ErrClosed]. NewQueue panics if s or an option is nil or
// capacity is negative.
func NewQueue[T any](s *Stack, capacity int, opts ...Option) (*Queue[T], error) {
	if s == nil || capacity < 0 {
		panic("resource: NewQueue with nil Stack or negative capacity")
	}
	var o options
	apply("NewQueue", &o, opts)
	q := &Queue[T]{Queue: queue.New[T](capacity), s: s}
	needDrain(s.Group, o.drain)
	s.leftOvers(func() []group.StuckTask {
		if n := q.Len(); n > 0 {
			return []group.StuckTask{{Task: fmt.Sprintf("queue of %s: %d item(s) never taken", s.Name(), n)}}
		}
		return nil
	})
	return q, s.OnClose("close queue", func(context.Context) error {
		q.Queue.Close()
		return nil
	})
}

// State returns the state of the queue's Stack.
func (q *Queue[T]) State() group.State { return q.s.State() }

// Closing returns a channel closed when the queue's Stack leaves Open.
func (q *Queue[T]) Closing() <-chan struct{} { return q.s.Closing() }

// Done returns a channel closed when the queue's Stack is Closed: its
// consumers have returned.
func (q *Queue[T]) Done() <-chan struct{} { return q.s.Done() }

// Close closes the queue and its Stack at once: the consumers are
// cancelled, and what they had not taken stays in the queue (see
// [queue.Queue.Drain]). It returns what the Stack's Close returns. For a
// graceful close use [Queue.Shutdown], as Open does.
func (q *Queue[T]) Close() error {
	q.Queue.Close()
	return q.s.Close()
}

// Shutdown closes the queue and shuts its Stack down gracefully: the
// consumers drain it; if ctx ends first, they are cancelled. It returns
// what [group.Group.Shutdown] returns.
func (q *Queue[T]) Shutdown(ctx context.Context) error {
	mustContext(ctx, "Queue.Shutdown")
	q.Queue.Close()
	return q.s.Shutdown(ctx)
}
