package queue

import "strconv"

// Len returns the number of buffered items. Items of blocked putters are not
// counted.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.unlock()
	return q.lenLocked()
}

// Cap returns the capacity given to [New]; 0 means unbounded.
func (q *Queue[T]) Cap() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.capacity
}

// Empty reports whether the queue holds no buffered item.
func (q *Queue[T]) Empty() bool { return q.Len() == 0 }

// Full reports whether a bounded queue holds Cap items. An unbounded queue
// is never full.
func (q *Queue[T]) Full() bool {
	q.mu.Lock()
	defer q.unlock()
	return q.fullLocked()
}

// IsClosed reports whether [Queue.Close] has been called.
func (q *Queue[T]) IsClosed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.isClosed
}

// String describes the queue's state, for example
// "queue(len=3, cap=10, open)" or "queue(len=0, cap=unbounded, closed)".
func (q *Queue[T]) String() string {
	q.mu.Lock()
	n, limit, isClosed := q.lenLocked(), q.capacity, q.isClosed
	q.unlock()
	c, state := "unbounded", "open"
	if limit > 0 {
		c = strconv.Itoa(limit)
	}
	if isClosed {
		state = "closed"
	}
	return "queue(len=" + strconv.Itoa(n) + ", cap=" + c + ", " + state + ")"
}
