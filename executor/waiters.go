package executor

import "github.com/nursery-go/nursery/group"

// A waiter is a Submit blocked until the queue has a place for its job.
// Whoever grants it the place (counted in ex.queued) signals ch.
//
// Waiters are recycled through the executor's free list: a blocked Submit
// is the common case under back-pressure, and an allocation for each would
// double the cost of a job.
type waiter struct {
	ch         chan struct{} // buffer 1: exactly one grant per wait, sent under ex.mu
	job        *group.Task   // the job holding a worker the Submit was made from, or nil
	prev, next *waiter
}

// waitList is a FIFO of blocked submitters with O(1) removal of one that
// gives up. It keeps the recycled waiters too.
type waitList struct {
	head, tail *waiter
	n          int
	free       *waiter // recycled waiters, linked through next
}

func (l *waitList) len() int { return l.n }

// get returns a fresh waiter from the free list or a new one.
func (l *waitList) get(job *group.Task) *waiter {
	w := l.free
	if w != nil {
		l.free = w.next
		w.next = nil
	} else {
		w = &waiter{ch: make(chan struct{}, 1)}
	}
	w.job = job
	return w
}

// put recycles w, which must not be in the list and must have an empty ch.
func (l *waitList) put(w *waiter) {
	w.prev, w.next, w.job = nil, l.free, nil
	l.free = w
}

func (l *waitList) pushBack(w *waiter) {
	w.prev, w.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
	l.n++
}

func (l *waitList) remove(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.prev, w.next = nil, nil
	l.n--
}

// popFront removes and returns the first waiter, or nil.
func (l *waitList) popFront() *waiter {
	w := l.head
	if w != nil {
		l.remove(w)
	}
	return w
}
