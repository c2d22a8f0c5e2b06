package call

import (
	"context"
	"time"
)

// A sleeper waits on one timer, made on first use and reused from wait to
// wait, so that a loop of waits (a rate limiter's waiter, Retry's backoff,
// Interval's ticks) costs one timer. Its owner calls stop when done.
type sleeper struct{ t *time.Timer }

// sleep blocks for d or until ctx ends, and reports whether d passed.
func (s *sleeper) sleep(ctx context.Context, d time.Duration) bool {
	if s.t == nil {
		s.t = time.NewTimer(d)
	} else {
		// Since Go 1.23 Reset leaves no stale tick in the channel, even
		// when the last wait ended through ctx.
		s.t.Reset(d)
	}
	select {
	case <-s.t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// stop releases the timer.
func (s *sleeper) stop() {
	if s.t != nil {
		s.t.Stop()
	}
}
