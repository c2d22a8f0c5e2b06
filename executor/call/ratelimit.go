package call

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// A RateLimiter lets at most n calls start in any period and keeps a minimum
// spacing between consecutive starts. Callers that must wait are served
// first in, first out. With n = 2, period 1s and spacing 200ms, back-to-back
// callers start at 0, 0.2s, 1s, 1.2s, 2s, 2.2s, …
//
// golang.org/x/time/rate is not used: its token bucket has no minimum
// spacing (a full bucket releases its burst at once), it does not promise
// FIFO order among blocked waiters, and it would be a new runtime
// dependency. RateLimiter is a window over the last n start times instead,
// which gives both guarantees exactly.
//
// The zero value is not usable (its Wait panics); create one with
// [NewRateLimiter]. A
// RateLimiter must not be copied after first use. It is safe for concurrent
// use. It owns no goroutines: each blocked caller waits on its own timer,
// and only the caller at the head of the queue has one.
type RateLimiter struct {
	n       int
	per     time.Duration
	spacing time.Duration

	mu sync.Mutex // guards the fields below
	// starts is a ring of the last len(starts) start times, oldest at
	// next once the ring is full.
	starts []time.Time
	next   int
	// waiters holds a *rateWaiter per blocked caller, in arrival order.
	waiters list.List
}

// rateWaiter is one blocked caller of [RateLimiter.Wait].
type rateWaiter struct {
	// turn receives one value when the waiter becomes the head of the
	// queue. Its buffer of 1 means the send, done under mu, never blocks:
	// each waiter becomes the head at most once.
	turn chan struct{}
}

// NewRateLimiter returns a RateLimiter that lets at most n calls start in
// any window of length per, and no two starts closer than minSpacing.
//
// NewRateLimiter panics if n < 1, per <= 0 or minSpacing < 0.
func NewRateLimiter(n int, per, minSpacing time.Duration) *RateLimiter {
	if n < 1 || per <= 0 || minSpacing < 0 {
		panic("call: NewRateLimiter needs n >= 1, per > 0 and minSpacing >= 0")
	}
	return &RateLimiter{n: n, per: per, spacing: minSpacing, starts: make([]time.Time, 0, n)}
}

// Wait blocks until the caller may start, records the start and returns
// nil. Callers are let through in the order they called Wait.
//
// If ctx is done before the caller's turn comes, Wait returns
// [context.Cause] of ctx without recording a start; the caller gives up its
// place and the callers behind it move up in the same order, at the times
// they would have had without it. If ctx is already done when Wait is
// called, Wait returns its cause at once, even if a start were free.
func (l *RateLimiter) Wait(ctx context.Context) error {
	mustContext(ctx, "RateLimiter.Wait")
	if l.n == 0 {
		panic("call: RateLimiter.Wait on a zero RateLimiter; make one with NewRateLimiter")
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	l.mu.Lock()
	if l.waiters.Len() == 0 && l.delayLocked(time.Now()) <= 0 {
		// Fast path: nobody queues ahead and a start is free now.
		l.recordLocked(time.Now())
		l.mu.Unlock()
		return nil
	}
	w := &rateWaiter{turn: make(chan struct{}, 1)}
	e := l.waiters.PushBack(w)
	if l.waiters.Front() == e {
		w.turn <- struct{}{}
	}
	l.mu.Unlock()

	select {
	case <-w.turn:
		// We are the head; only the head computes a delay, so a waiter
		// that leaves never makes the others recompute theirs.
	case <-ctx.Done():
		l.leave(e)
		return context.Cause(ctx)
	}

	var s sleeper
	defer s.stop()
	for {
		l.mu.Lock()
		now := time.Now()
		d := l.delayLocked(now)
		if d <= 0 {
			l.recordLocked(now)
			l.removeLocked(e)
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		// After the sleep, loop to check again under mu: the delay is
		// recomputed rather than trusted, so the clock is the only authority.
		if !s.sleep(ctx, d) {
			l.leave(e)
			return context.Cause(ctx)
		}
	}
}

// delayLocked returns how long after now the next start may happen.
func (l *RateLimiter) delayLocked(now time.Time) time.Duration {
	if len(l.starts) == 0 {
		return 0
	}
	last := l.starts[(l.next+len(l.starts)-1)%len(l.starts)]
	at := last.Add(l.spacing)
	if len(l.starts) == l.n {
		if t := l.starts[l.next].Add(l.per); t.After(at) {
			at = t
		}
	}
	return at.Sub(now)
}

// recordLocked remembers a start at now, dropping the oldest when full.
func (l *RateLimiter) recordLocked(now time.Time) {
	if len(l.starts) < l.n {
		l.starts = append(l.starts, now)
		l.next = len(l.starts) % l.n
		return
	}
	l.starts[l.next] = now
	l.next = (l.next + 1) % l.n
}

// leave removes a waiter whose ctx ended.
func (l *RateLimiter) leave(e *list.Element) {
	l.mu.Lock()
	l.removeLocked(e)
	l.mu.Unlock()
}

// removeLocked removes e and, if it was the head, hands the turn on. It
// checks the list rather than e's turn channel: a turn may have been sent
// and not yet received when ctx ended, and it must not be lost.
func (l *RateLimiter) removeLocked(e *list.Element) {
	head := l.waiters.Front() == e
	l.waiters.Remove(e)
	if f := l.waiters.Front(); head && f != nil {
		f.Value.(*rateWaiter).turn <- struct{}{}
	}
}
