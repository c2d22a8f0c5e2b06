package group

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by [Task.Err] for a task that was refused because its
// group was no longer open, by [Group.Start] on a group that is not open, and
// by [Group.Cause] (and as the cause of the group's context) after a plain
// [Group.Cancel], [Group.Close] or [Group.Shutdown]. A refusal of a group
// that a failure or a cancellation closed wraps both ErrClosed and that
// cause, so that the refusal does not hide why.
var ErrClosed = errors.New("group: closed")

// ErrCanceled is the cause of a task's context after [Task.Cancel], and the
// error of a task cancelled before it ran. It matches [context.Canceled]
// with [errors.Is].
var ErrCanceled error = &canceledSentinel{"group: task canceled"}

// canceledSentinel is a sentinel that also matches context.Canceled, in the
// manner of os.ErrDeadlineExceeded: callers that only know the standard
// library still see a cancellation.
type canceledSentinel struct{ msg string }

func (e *canceledSentinel) Error() string { return e.msg }

// Is reports whether target is context.Canceled.
func (e *canceledSentinel) Is(target error) bool { return target == context.Canceled }

// canceledError is the outcome of a cancellation: what the work returned
// (err), how its context ended (end: context.Canceled or DeadlineExceeded)
// and why (cause), so that errors.Is matches each. end and cause are nil
// when err already matches them.
type canceledError struct{ end, err, cause error }

func (e *canceledError) Error() string {
	var b strings.Builder
	for _, part := range e.Unwrap() {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(part.Error())
	}
	return b.String()
}

func (e *canceledError) Unwrap() []error {
	parts := make([]error, 0, 3)
	for _, part := range [...]error{e.end, e.err, e.cause} {
		if part != nil {
			parts = append(parts, part)
		}
	}
	return parts
}

// ctxError returns why ctx ended as one error that matches both ctx.Err()
// and context.Cause(ctx), or nil if ctx has not ended.
func ctxError(ctx context.Context) error {
	return canceledOutcome(nil, ctx.Err(), context.Cause(ctx))
}

// canceledOutcome returns err, what work returned after its context ended
// with end (ctx.Err()) and cause (context.Cause), as an error that matches
// all three: a bare ctx.Err() keeps the cause, and a returned cause still
// matches context.Canceled. It returns err itself when err matches both
// already, and the context's end with its cause when err is nil.
func canceledOutcome(err, end, cause error) error {
	if end == nil {
		return err
	}
	if err == nil {
		err = end
	}
	e := canceledError{err: err}
	if !errors.Is(err, end) {
		e.end = end
	}
	if cause != nil && !errors.Is(err, cause) {
		e.cause = cause
	}
	if e.end == nil && e.cause == nil {
		return err
	}
	return &e
}

// refusal returns the error of work refused by a group that left Open for
// cause: ErrClosed, wrapping the cause too when it is not a plain close.
func refusal(cause error) error {
	if cause == nil || errors.Is(cause, ErrClosed) {
		if cause == nil {
			return ErrClosed
		}
		return cause
	}
	return fmt.Errorf("%w: %w", ErrClosed, cause)
}

// ErrNotReady is returned by [Group.Start] when the task returned nil without
// calling ready.
var ErrNotReady = errors.New("group: task returned before calling ready")

// ErrGoexit is the error of a task that ended with [runtime.Goexit] (for
// example t.FailNow in a test) instead of returning.
var ErrGoexit = errors.New("group: task called runtime.Goexit")

// ErrWaitInTask is returned by [Group.Wait], [Group.Close] and
// [Group.Shutdown] when they are called from one of the group's own tasks (or
// a task of one of its subgroups), which would otherwise wait for itself
// forever. See "Waiting from a task" in https://github.com/nursery-go/nursery/blob/main/docs/group.md.
var ErrWaitInTask = errors.New("group: wait called from a task of the group it waits for")

// A PanicError is a panic recovered from a task. It is the error of the task
// that panicked, and by default [Group.Wait] raises it again once the group's
// other tasks have been cancelled and joined. It is used by pointer and must
// not be copied.
type PanicError struct {
	// Value is what the task passed to panic.
	Value any
	// Stack is the stack of the goroutine that panicked, captured where the
	// panic was recovered (the panicking frames are on it).
	Stack []byte
	// Task is the path of the task that panicked: its group's path and its
	// name (or "#id" when it has no name).
	Task string

	raised atomic.Bool // a Wait has raised it again
}

// Error describes the panic in one line: the task and the value. The stack
// is in Stack, and %+v prints it too.
func (e *PanicError) Error() string {
	return fmt.Sprintf("group: task %s panicked: %v", e.Task, e.Value)
}

// Format prints Error for %v and %s, and Error followed by the stack for
// %+v (which multierr and most loggers pass on to each error they hold).
func (e *PanicError) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "%s\n\ngoroutine stack at recovery:\n%s", e.Error(), e.Stack)
	case verb == 'q':
		fmt.Fprintf(f, "%q", e.Error())
	default:
		fmt.Fprint(f, e.Error())
	}
}

// Unwrap returns the panic value when it is an error, so that [errors.Is] and
// [errors.As] see through the panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// A StuckTask describes a task that had not returned when [Group.Shutdown]
// gave up waiting for it.
type StuckTask struct {
	// Task is the task's path: its group's path and its name or "#id".
	Task string
	// Age is how long the task had been running.
	Age time.Duration
}

// A ShutdownError is returned by [Group.Shutdown] when its context ended
// before the group closed and some tasks then ignored their cancellation for
// the whole grace period. The tasks are still owned by the group: a later
// [Group.Wait] or [Group.Close] waits for them.
type ShutdownError struct {
	// Cause is the cause of Shutdown's context.
	Cause error
	// Stuck lists the tasks still running, oldest first.
	Stuck []StuckTask
	// Err holds the failures of the group so far, if any.
	Err error
	// Trace says where the execution trace of the moments before Shutdown
	// gave up was written, or why it was not ("" without [StuckTrace]).
	Trace string
}

// Error names every stuck task with its age.
func (e *ShutdownError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "group: shutdown gave up (%v): %d task(s) ignored cancellation:", e.Cause, len(e.Stuck))
	for _, s := range e.Stuck {
		fmt.Fprintf(&b, " %s (running %v);", s.Task, s.Age.Round(time.Millisecond))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " failures: %v;", e.Err)
	}
	if e.Trace != "" {
		fmt.Fprintf(&b, " execution trace %s", e.Trace)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Unwrap returns the context's cause and the group's failures, so that
// errors.Is(err, context.DeadlineExceeded) holds after a deadline.
func (e *ShutdownError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Cause}
	}
	return []error{e.Cause, e.Err}
}

// A TaskError is a task's failure as its group reports it (from Wait,
// Close, Shutdown and to an [OnError] handler): [errors.As] finds which
// task failed, and [errors.Is] and errors.As see through it to the error
// the task returned. A panic is reported as a [*PanicError] instead.
type TaskError struct {
	// Group is the path of the task's group, as [Group.Path] gives it.
	Group string
	// Name is the task's name, or "" if it has none.
	Name string
	// ID is the task's id in its group (see [Task.ID]).
	ID uint64
	// Err is what the task returned.
	Err error
}

// Error is "task NAME: " and Err's message for a named task, and Err's
// message alone for an unnamed one.
func (e *TaskError) Error() string {
	if e.Name == "" {
		return e.Err.Error()
	}
	return "task " + e.Name + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *TaskError) Unwrap() error { return e.Err }
