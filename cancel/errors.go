package cancel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nursery-go/nursery/internal/groupctl"

	"go.uber.org/multierr"
)

// ErrGraceExceeded is the cause of the context that [Shield] and
// [ShieldValue] give to the work when its [Grace] period ends, and it is
// part of the error they return when the grace period ended before the work
// returned. It matches [context.DeadlineExceeded] with [errors.Is].
var ErrGraceExceeded error = &deadlineError{"cancel: shield grace period exceeded"}

// ErrExpired is the cause of a [Scope]'s context when the scope's deadline
// passes. It matches [context.DeadlineExceeded] with [errors.Is], so
// errors.Is(context.Cause(ctx), context.DeadlineExceeded) holds for an
// expired scope even though ctx.Err() is [context.Canceled]; see [Scope].
var ErrExpired error = &deadlineError{"cancel: scope deadline exceeded"}

// deadlineError is a sentinel that also matches context.DeadlineExceeded, in
// the manner of os.ErrDeadlineExceeded: callers that only know the standard
// library still see a deadline, callers that know this package see which one.
type deadlineError struct{ msg string }

func (e *deadlineError) Error() string { return e.msg }

// Is reports whether target is context.DeadlineExceeded. Equality with the
// sentinel itself is checked by errors.Is before Is is called.
func (e *deadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// graceError is the cause a shield's grace period ends with. Each call
// makes its own, so that settle can tell it from any other by identity; it
// matches ErrGraceExceeded and, through it, context.DeadlineExceeded.
type graceError struct{ grace time.Duration }

func (e *graceError) Error() string { return fmt.Sprintf("%v (%v)", ErrGraceExceeded, e.grace) }

func (e *graceError) Unwrap() error { return ErrGraceExceeded }

// TimeoutError is the cause of the context that [Timeout] and [TimeoutValue]
// give to the function they run when its time limit is reached, and it is
// part of the error they return when the limit was reached before the
// function returned. Name and Limit say which limit fired, so nested
// timeouts can be told apart.
//
// A TimeoutError matches [context.DeadlineExceeded] with [errors.Is]; match
// the type itself with [errors.As]. A TimeoutError may also be used as the
// cause of [context.WithTimeoutCause] directly. The zero value is an unnamed
// limit of zero. This package never modifies a TimeoutError, so one may be
// shared between goroutines.
type TimeoutError struct {
	// Name names the limit in error messages; it may be empty.
	Name string
	// Limit is the time the function was given.
	Limit time.Duration
}

// Error returns "cancel: NAME: timeout of LIMIT exceeded", or
// "cancel: timeout of LIMIT exceeded" when Name is empty.
func (e *TimeoutError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("cancel: timeout of %v exceeded", e.Limit)
	}
	return fmt.Sprintf("cancel: %s: timeout of %v exceeded", e.Name, e.Limit)
}

// Is reports whether target is [context.DeadlineExceeded].
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// SignalError is the cause of the contexts returned by [NotifyShutdown] and
// [ShutdownOn] when a signal ends them: the first signal ends the graceful
// context, the second the hard one. Each context's cause names the signal
// that ended it. This package never modifies a SignalError, so one may be
// shared between goroutines.
type SignalError struct {
	// Signal is the signal that was received.
	Signal os.Signal
	// Hard is set for the second signal, which ends the hard context: a
	// stop that cuts work short rather than the one the program asked for.
	Hard bool
}

// Is makes the first signal's error a requested stop to package group, so
// that a group whose context it ends does not report it as a failure. The
// second signal's error, which stops hard, is not one.
func (e *SignalError) Is(target error) bool {
	return target == groupctl.ErrStopRequested && !e.Hard
}

// Error returns "cancel: received signal NAME", for example
// "cancel: received signal interrupt"; NAME is "<nil>" for the zero value.
func (e *SignalError) Error() string {
	return "cancel: received signal " + fmt.Sprint(e.Signal)
}

// causeOf returns why ctx is done as one error that matches both ctx.Err()
// and context.Cause(ctx) with errors.Is. A custom cause alone would not
// match context.Canceled, and ctx.Err() alone would lose the cause.
func causeOf(ctx context.Context) error {
	err, cause := ctx.Err(), context.Cause(ctx)
	if errors.Is(cause, err) {
		return cause
	}
	return fmt.Errorf("%w: %w", err, cause)
}

// settle combines the error returned by a function that ran under the
// limited context ctx with how ctx ended, before ctx is released.
//
// A bare ctx.Err() returned by the function is replaced by context.Cause,
// which says more (which limit, which signal). If ctx ended because its own
// limit fired (its cause is limit, compared by identity, so an outer limit
// of the same type is not mistaken for it), the limit is added to the error
// unless the error already matches it: reaching the limit is reported even
// when the function ignored it and then succeeded, because the caller asked
// for an outcome within the limit and did not get one.
func settle(ctx context.Context, err, limit error) error {
	cause := context.Cause(ctx)
	if cause == nil {
		return err // ctx is not done: the function finished in time.
	}
	if err != nil && err == ctx.Err() {
		err = cause
	}
	if cause == limit && !errors.Is(err, limit) {
		err = multierr.Append(err, limit)
	}
	return err
}
