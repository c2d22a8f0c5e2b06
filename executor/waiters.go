package executor

import (
	"context"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
)

// A waiter is a Submit blocked until its job has a place among the
// running, or a place in the queue (see QueueDepth). Whoever grants it one
// signals ch: with run set for a place among the running, or not for a
// place in the queue (counted in ex.queued).
//
// Waiters are recycled through the executor's free list: a blocked Submit
// is the common case under back-pressure, and an allocation for each would
// double the cost of a job.
type waiter struct {
	ch         chan struct{}               // buffer 1: exactly one grant per wait, sent under ex.mu
	run        bool                        // granted a place among the running, not in the queue
	fn         func(context.Context) error // Submit's function, which a worker may make the job of (see after)
	taken      bool                        // a worker makes fn's job: it signals ch once it has
	t          *group.Task                 // the job a worker made of fn
	panicked   any                         // what the group's observer panicked with, making it
	job        *group.Task                 // the running job the Submit was made from, or nil
	prev, next *waiter
}

// waitList is a FIFO of blocked submitters with O(1) removal of one that
// gives up. It keeps the recycled waiters too, and counts the running jobs
// that have a submitter in it, for deadlock detection without a scan.
type waitList struct {
	head, tail *waiter
	n          int
	waiting    atomic.Int32 // n, readable without the executor's lock (see anyone)
	free       *waiter      // recycled waiters, linked through next

	// blocked counts, for each running job with a submitter in the list,
	// how many it has (a job's helper goroutines submit with its context
	// too). A job that finishes is dropped (jobDone) even while helpers of
	// it still wait: it no longer holds a worker.
	blocked map[*group.Task]int
}

// place tells what a granted waiter was granted.
func (w *waiter) place() place {
	if w.run {
		return runPlace
	}
	return queuePlace
}

func (l *waitList) len() int { return l.n }

// anyone reports, without the executor's lock, whether a submitter was
// blocked a moment ago: a hint for a job that takes several items (an
// ordered Map's runner), which makes way at once when someone waits.
func (l *waitList) anyone() bool { return l.waiting.Load() > 0 }

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
	*w = waiter{ch: w.ch, next: l.free}
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
	l.waiting.Store(int32(l.n))
	if w.job != nil {
		if l.blocked == nil {
			l.blocked = make(map[*group.Task]int)
		}
		l.blocked[w.job]++
	}
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
	l.waiting.Store(int32(l.n))
	if w.job != nil {
		if c, ok := l.blocked[w.job]; ok {
			if c > 1 {
				l.blocked[w.job] = c - 1
			} else {
				delete(l.blocked, w.job)
			}
		}
	}
}

// popFront removes and returns the first waiter, or nil.
func (l *waitList) popFront() *waiter {
	w := l.head
	if w != nil {
		l.remove(w)
	}
	return w
}

// jobDone forgets job, which has finished, as a blocked job.
func (l *waitList) jobDone(job *group.Task) {
	if len(l.blocked) > 0 {
		delete(l.blocked, job)
	}
}

// blockedJobs counts the running jobs with a submitter in the list, job
// counted too (it is about to be).
func (l *waitList) blockedJobs(job *group.Task) int {
	n := len(l.blocked)
	if l.blocked[job] == 0 {
		n++
	}
	return n
}
