package queue

import (
	"context"
	"sync"
	"sync/atomic"
)

// Queue is a closable first-in, first-out queue of items of type T, bounded
// or unbounded, whose blocking calls take a [context.Context].
//
// The zero value is an open, unbounded, empty queue ready to use; [New]
// makes a bounded one. A Queue must not be copied after first use. It is
// safe for concurrent use by any number of goroutines. A closed queue stays
// closed: it cannot be reopened or reused.
//
// Moving an item through a Put and a Get costs about 37 to 45 ns with no
// allocation in BenchmarkPutGet with one producer and one consumer, 0.6
// to 0.7 times a send and a receive on a buffered channel; with four of
// each, about a channel's cost, from a quarter to twice it with the
// machine's cross-core latency. See "Performance" in https://github.com/nursery-go/nursery/blob/main/docs/queue.md.
type Queue[T any] struct {
	// The fast path reads head and tail on every call, so they have a cache
	// line of their own; they change only under mu. See segment.go.
	head atomic.Pointer[segment[T]] // where gets take; nil until the first put
	tail atomic.Pointer[segment[T]] // where puts add
	_    [48]byte

	mu       sync.Mutex    // guards every field below, and the gates
	capacity int           // 0: unbounded
	segSize  int           // slots per segment; 0: segmentSize (tests set it)
	kick     chan struct{} // shared by the segments; made with the first
	spare    *segment[T]   // retired segments to reuse, linked by next
	nspare   int           // length of spare
	getters  waitList[T]   // blocked in Get; non-empty only while the queue is empty
	putters  waitList[T]   // blocked in Put; non-empty only while the queue is full
	free     *waiter[T]    // waiters to reuse, linked by next
	nfree    int           // length of free
	isClosed bool
}

// New returns an open, empty queue that holds at most capacity items.
// A capacity of 0 means unbounded, like the zero [Queue]. Memory for the
// items is allocated as they arrive, in segments of up to 1024 items, not
// up front; a queue of capacity 1024 or less spreads its items over cache
// lines, up to 64 bytes per item, and others take about 16 KiB a segment.
//
// New panics if capacity is negative.
func New[T any](capacity int) *Queue[T] {
	if capacity < 0 {
		panic("queue: negative capacity")
	}
	return &Queue[T]{capacity: capacity}
}

// Put adds v at the back of the queue. It blocks while the queue is full,
// until a getter frees a slot, the queue is closed, or ctx is done.
//
// Put returns nil once v is in the queue (or handed directly to a blocked
// getter), and [ErrClosed] if the queue is closed before that, in which case
// v was not added. If ctx is already done when Put is called, it returns
// [context.Cause] of ctx and adds nothing, even if there is room. If ctx ends
// while Put is blocked, Put returns the cause and v is not added, unless v
// had already been accepted (moved into a slot that a getter freed, or taken
// by [Queue.Drain]), in which case Put returns nil: the earlier event wins,
// and v is never both accepted and reported as failed.
//
// Blocked putters are served in the order they called Put: each slot a
// getter frees goes to the oldest one.
func (q *Queue[T]) Put(ctx context.Context, v T) error {
	mustContext(ctx, "Queue.Put")
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	// The fast path: no lock, unless the queue is full, closed, or has
	// waiters (see segment.go).
	if t := q.tail.Load(); t != nil && t.tryPut(v) {
		return nil
	}
	q.mu.Lock()
	if q.fullLocked() {
		// Gate gets too and count again, so that Put waits only on a
		// queue that stays full until a get comes to the mutex and moves
		// the oldest putter's item in: a lock-free get after the count
		// would leave Put waiting on a queue with room. (Gets that claimed
		// a position before the gate are counted.)
		q.gateLocked()
	}
	if q.isClosed || !q.fullLocked() {
		err := q.tryPutLocked(v)
		q.unlock()
		return err
	}
	w := q.newWaiterLocked()
	w.v = v
	q.putters.pushBack(w)
	q.unlock()

	_, s := q.wait(ctx, w, &q.putters)
	q.mu.Unlock()
	switch s {
	case served:
		return nil
	case closed:
		return ErrClosed
	default:
		return context.Cause(ctx)
	}
}

// TryPut adds v at the back of the queue if there is room, or hands it to a
// blocked getter, without blocking. It returns [ErrClosed] if the queue is
// closed and [ErrFull] if it is full; in both cases v was not added.
func (q *Queue[T]) TryPut(v T) error {
	if t := q.tail.Load(); t != nil && t.tryPut(v) {
		return nil
	}
	q.mu.Lock()
	err := q.tryPutLocked(v)
	q.unlock()
	return err
}

func (q *Queue[T]) tryPutLocked(v T) error {
	if q.isClosed {
		return ErrClosed
	}
	// Getters wait only while the queue is empty, so giving v straight to
	// the oldest one keeps FIFO order, and it cannot be lost: the getter
	// returns it even if its ctx ends before it wakes (see wait). While
	// they wait, every put comes here: the fast path is gated.
	if g := q.getters.popFront(); g != nil {
		g.v = v
		g.wake(served)
		return nil
	}
	if q.fullLocked() {
		return ErrFull
	}
	q.pushLocked(v)
	return nil
}

// Get removes and returns the item at the front of the queue. It blocks
// while the queue is empty, until an item arrives, the queue is closed, or
// ctx is done.
//
// After [Queue.Close], Get keeps returning buffered items until there are
// none, then returns [ErrClosed]. If ctx is already done when Get is called,
// it returns [context.Cause] of ctx and takes nothing, even if an item is
// ready. If ctx ends while Get is blocked, Get returns the cause, unless an
// item was already handed to it, in which case it returns that item and nil:
// an item handed to a getter is never dropped.
//
// Blocked getters are served in the order they called Get.
func (q *Queue[T]) Get(ctx context.Context) (T, error) {
	mustContext(ctx, "Queue.Get")
	return q.get(ctx, false)
}

// GetUntilEmpty waits like [Queue.Get] for at least one item, then removes
// every item in the queue and returns the last one; the others are
// discarded. It is for consumers that only need the latest value.
// Items of putters blocked on a full queue count as in the queue: they move
// in as space frees and are removed too. [Queue.TryGetUntilEmpty] is the
// form that never blocks.
func (q *Queue[T]) GetUntilEmpty(ctx context.Context) (T, error) {
	mustContext(ctx, "Queue.GetUntilEmpty")
	return q.get(ctx, true)
}

// TryGetUntilEmpty is [Queue.GetUntilEmpty] without blocking: it removes
// every item in the queue, including those of blocked putters, and returns
// the last one; the others are discarded. It returns [ErrEmpty] if the queue
// is open and empty, and [ErrClosed] if it is closed and empty.
func (q *Queue[T]) TryGetUntilEmpty() (T, error) {
	q.mu.Lock()
	v, err := q.tryGetLocked()
	if err == nil {
		v = q.lastLocked(v)
	}
	q.unlock()
	return v, err
}

// lastLocked removes every item in the queue and returns the last one, or v
// if there is none.
func (q *Queue[T]) lastLocked(v T) T {
	q.gateLocked()
	for q.lenLocked() > 0 {
		v, _ = q.tryGetLocked()
	}
	return v
}

func (q *Queue[T]) get(ctx context.Context, all bool) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, context.Cause(ctx)
	}
	if !all {
		if h := q.head.Load(); h != nil {
			if v, ok := h.tryGet(); ok {
				return v, nil
			}
		}
	}
	q.mu.Lock()
	v, err := q.tryGetLocked()
	if err == ErrEmpty {
		// Before waiting, gate puts and look again: a lock-free put may
		// have added since. Then the queue stays empty until a put comes
		// to the mutex, and that put hands its item to the oldest getter.
		q.gateTailLocked()
		v, err = q.tryGetLocked()
	}
	if err == ErrEmpty {
		w := q.newWaiterLocked()
		q.getters.pushBack(w)
		q.unlock()

		var s int
		v, s = q.wait(ctx, w, &q.getters)
		switch s {
		case closed:
			v, err = zero, ErrClosed
		case waiting:
			v, err = zero, context.Cause(ctx)
		default:
			err = nil
		}
	}
	if all && err == nil {
		v = q.lastLocked(v)
	}
	q.unlock()
	return v, err
}

// TryGet removes and returns the item at the front of the queue without
// blocking. It returns [ErrEmpty] if the queue is open and empty, and
// [ErrClosed] if it is closed and empty.
func (q *Queue[T]) TryGet() (T, error) {
	if h := q.head.Load(); h != nil {
		if v, ok := h.tryGet(); ok {
			return v, nil
		}
	}
	q.mu.Lock()
	v, err := q.tryGetLocked()
	q.unlock()
	return v, err
}

func (q *Queue[T]) tryGetLocked() (T, error) {
	var zero T
	v, ok := q.popLocked()
	if !ok {
		if q.isClosed {
			return zero, ErrClosed
		}
		return zero, ErrEmpty
	}
	// The pop freed a slot: the oldest blocked putter's item moves in now,
	// under the mutex, so a newcomer's TryPut cannot take the slot first.
	if p := q.putters.popFront(); p != nil {
		q.pushLocked(p.v)
		p.v = zero
		p.wake(served)
	}
	return v, nil
}

// Close closes the queue: later puts fail with [ErrClosed], and gets return
// the items still buffered, then [ErrClosed]. Every blocked getter wakes with
// [ErrClosed] (there is nothing buffered while getters wait), and every
// blocked putter wakes with [ErrClosed] and its item is not added.
//
// Close never blocks for long and never panics. It is idempotent and safe to
// call from any goroutine; calls after the first do nothing.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	defer q.unlock()
	if q.isClosed {
		return
	}
	q.isClosed = true
	for w := q.getters.popFront(); w != nil; w = q.getters.popFront() {
		w.wake(closed)
	}
	for w := q.putters.popFront(); w != nil; w = q.putters.popFront() {
		w.wake(closed)
	}
}

// Drain removes and returns every item in the queue, oldest first, without
// blocking; it returns nil if there is none. It is the same as calling
// [Queue.TryGet] until it fails, done atomically.
//
// After [Queue.Close], Drain returns everything that was put and not yet
// received, so that shutdown code loses nothing; nothing can be added later.
// On an open queue Drain takes what is there at the moment, including the
// items of putters blocked on a full queue (their Put returns nil); the
// queue stays open and usable.
func (q *Queue[T]) Drain() []T {
	q.mu.Lock()
	defer q.unlock()
	out := q.takeLocked()
	for p := q.putters.popFront(); p != nil; p = q.putters.popFront() {
		out = append(out, p.v)
		var zero T
		p.v = zero
		p.wake(served)
	}
	return out
}
