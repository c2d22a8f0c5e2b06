package queue

import "errors"

var (
	// ErrClosed is returned by [Queue.Put] and [Queue.TryPut] once the queue
	// is closed, including to putters that were blocked when [Queue.Close]
	// was called (their item was not added). It is returned by [Queue.Get],
	// [Queue.TryGet] and [Queue.GetUntilEmpty] once the queue is closed and
	// every buffered item has been received.
	ErrClosed = errors.New("queue: closed")

	// ErrFull is returned by [Queue.TryPut] when a bounded queue is open and
	// holds Cap items and no getter is waiting.
	ErrFull = errors.New("queue: full")

	// ErrEmpty is returned by [Queue.TryGet] when the queue is open and holds
	// no item.
	ErrEmpty = errors.New("queue: empty")
)
