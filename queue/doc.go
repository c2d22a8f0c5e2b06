// Package queue provides [Queue], a closable, context-aware FIFO queue in
// which every item put is received exactly once or returned by
// [Queue.Drain], and no blocked goroutine is left behind by [Queue.Close].
//
//	q := queue.New[job](64)
//	go func() { defer q.Close(); for _, j := range jobs { q.Put(ctx, j) } }()
//	for j, err := range q.All(ctx) { … }
//
// [Queue.Put] blocks while the queue is full and [Queue.Get] while it is
// empty; [Queue.TryPut] and [Queue.TryGet] never block. Unlike a channel, a
// Queue can be closed from any goroutine any number of times, and using it
// after Close returns [ErrClosed] instead of panicking. The whole contract
// is in https://github.com/nursery-go/nursery/blob/main/docs/queue.md.
package queue
