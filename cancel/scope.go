package cancel

import (
	"context"
	"sync"
	"time"
)

// Scope is a cancellation scope whose deadline can move while work runs. Its
// [Scope.Context] ends when the deadline passes, when [Scope.Cancel] is
// called, or when the parent context ends, whichever comes first; afterwards
// [Scope.Expired] and [Scope.Canceled] tell which.
//
// Go contexts cannot move a deadline, so a Scope is a cancel-cause context
// plus a timer of its own. One consequence: when the deadline passes, the
// context's Err() is [context.Canceled], not [context.DeadlineExceeded];
// its [context.Cause] is an error that matches both [ErrExpired] and
// context.DeadlineExceeded, so check errors.Is(context.Cause(ctx), ...).
// The context's own Deadline method reports only the parent's deadline;
// use [Scope.Deadline] for the scope's.
//
// Create Scopes with [NewScope]; the zero value is not usable: its methods
// panic with a message that says so. A Scope must
// not be copied. All methods are safe for concurrent use and never block
// for long: none waits for the work running under the scope. NewScope and
// Cancel together cost about 1 µs and 5 allocations; moving the deadline
// about 100 ns and none. See BenchmarkScope.
//
// The timer is released when the deadline passes or when Cancel is called.
// Call Cancel when the work is done, as with the cancel func of
// [context.WithCancel] (defer s.Cancel()); otherwise a scope whose parent
// ended first keeps its timer until the deadline.
type Scope struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	// expired and canceled are this scope's own causes. Their addresses
	// are the scope's own, so Expired and Canceled compare by identity and
	// are not fooled by a parent scope that ended the same way.
	expired  scopeCause // wraps ErrExpired
	canceled scopeCause // wraps context.Canceled

	mu       sync.Mutex  // guards deadline and timer
	deadline time.Time   // zero: no deadline
	timer    *time.Timer // created on the first deadline, then reused
}

// NewScope returns a Scope whose context is a child of ctx and whose
// deadline is deadline; a zero deadline means none yet (set one later with
// [Scope.SetDeadline]). A deadline already past ends the context before
// NewScope returns. Call [Scope.Cancel] when done.
func NewScope(ctx context.Context, deadline time.Time) *Scope {
	mustContext(ctx, "NewScope")
	sctx, stop := context.WithCancelCause(ctx)
	s := &Scope{
		ctx:      sctx,
		cancel:   stop,
		expired:  scopeCause{ErrExpired},
		canceled: scopeCause{context.Canceled},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set(deadline)
	return s
}

// mustBeMade panics if s is a zero Scope, which has no context to end.
func (s *Scope) mustBeMade(method string) {
	if s.cancel == nil {
		panic("cancel: " + method + " on a zero Scope; make one with NewScope")
	}
}

// Context returns the scope's context. It is the same context on every
// call.
func (s *Scope) Context() context.Context {
	s.mustBeMade("Scope.Context")
	return s.ctx
}

// Deadline returns the scope's current deadline; ok reports whether it has
// one. After the scope has ended it returns the last deadline set.
func (s *Scope) Deadline() (deadline time.Time, ok bool) {
	s.mustBeMade("Scope.Deadline")
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deadline, !s.deadline.IsZero()
}

// SetDeadline moves the scope's deadline to t, earlier or later; a zero t
// removes the deadline. A deadline already past ends the context before
// SetDeadline returns, with the cause described at [Scope]. Once the scope
// has ended, SetDeadline has no effect: an ended context cannot restart.
func (s *Scope) SetDeadline(t time.Time) {
	s.mustBeMade("Scope.SetDeadline")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set(t)
}

// Extend moves the scope's deadline by d, later if d is positive and
// earlier if it is negative, in one step that concurrent callers cannot
// interleave. It has no effect if the scope has no deadline or has ended.
// A deadline moved into the past ends the context before Extend returns.
func (s *Scope) Extend(d time.Duration) {
	s.mustBeMade("Scope.Extend")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deadline.IsZero() {
		return
	}
	s.set(s.deadline.Add(d))
}

// Cancel ends the scope's context, if it has not ended yet, with a cause
// that matches [context.Canceled], and releases the timer. It is
// idempotent and does not wait for the work running under the scope.
func (s *Scope) Cancel() {
	s.mustBeMade("Scope.Cancel")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
	}
	s.cancel(&s.canceled)
}

// Expired reports whether the scope's deadline ended its context, as
// opposed to [Scope.Cancel] or the parent context. It reports false while
// the context has not ended.
func (s *Scope) Expired() bool {
	s.mustBeMade("Scope.Expired")
	return context.Cause(s.ctx) == error(&s.expired)
}

// Canceled reports whether [Scope.Cancel] ended the scope's context, as
// opposed to the deadline or the parent context. A Cancel called after the
// context had ended for another reason does not count.
func (s *Scope) Canceled() bool {
	s.mustBeMade("Scope.Canceled")
	return context.Cause(s.ctx) == error(&s.canceled)
}

// set moves the deadline to t and arms the timer for it. s.mu must be held.
func (s *Scope) set(t time.Time) {
	if s.ctx.Err() != nil {
		// Ended, perhaps by the parent: nothing to move, and the timer is
		// of no more use.
		if s.timer != nil {
			s.timer.Stop()
		}
		return
	}
	s.deadline = t
	switch d := time.Until(t); {
	case t.IsZero():
		if s.timer != nil {
			s.timer.Stop()
		}
	case d <= 0:
		// End it now rather than from a timer goroutine, so that the
		// caller sees the context done when the call returns.
		if s.timer != nil {
			s.timer.Stop()
		}
		s.cancel(&s.expired)
	case s.timer == nil:
		s.timer = time.AfterFunc(d, s.fire)
	default:
		s.timer.Reset(d)
	}
}

// fire runs in the timer's goroutine when the timer goes off.
func (s *Scope) fire() {
	// cancel is called with mu held so that fire and set are atomic with
	// respect to each other: a deadline moved later either happens before
	// this check (then the scope lives on) or after the cancel (then set
	// sees the context ended). Cancelling under mu is safe because the
	// context package runs no user code synchronously on cancel.
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deadline.IsZero() || s.ctx.Err() != nil {
		return // the deadline was removed, or the scope ended meanwhile.
	}
	if d := time.Until(s.deadline); d > 0 {
		// The deadline moved later while this call waited for mu, or the
		// wall clock behind a deadline without a monotonic reading moved:
		// the deadline is still ahead, so wait for it. If set already
		// rescheduled the timer, this Reset only repeats the same time.
		s.timer.Reset(d)
		return
	}
	s.cancel(&s.expired)
}

// scopeCause is a cause that belongs to one Scope: it reads and matches as
// the error it wraps, and its address tells it from every other scope's.
type scopeCause struct{ error }

func (c *scopeCause) Unwrap() error { return c.error }
