package group

import (
	"strconv"
	"time"
)

// Observe sets the function that hears of the events of the group, its
// tasks and its subgroups (which inherit it, as do executors made in the
// group): tasks starting and ending, supervised jobs restarting,
// executors' submitters blocking. It is how metrics, tracing and logs plug
// in (package observe has an adapter to log/slog).
//
// fn is called synchronously, in the goroutine where the event happens — a
// task's own goroutine for its start and end, the caller of Go for a
// refusal — so it must be quick, must not block, must be safe for
// concurrent use, and must not panic. It may be called while the code that
// caused the event holds a lock of its own (an executor refuses a job
// under its mutex), so it must not call back into the library — no
// Snapshot, Stats, Submit or Wait — or it may deadlock: hand the event to
// another goroutine (a channel, a queue.Queue) for anything of that kind.
//
// A group without an observer pays one nil check per event: Go
// measured no difference before and after observers existed (about 590 vs
// 630 ns, p=0.32, 2 allocations either way, 10 interleaved runs of
// BenchmarkGo on a 2-vCPU machine), and a no-op observer none either
// (BenchmarkObserver, p=0.85); an observer's own work is what costs.
//
// Observe panics if fn is nil.
func Observe(fn func(Event)) Option {
	if fn == nil {
		panic("group: Observe with a nil function")
	}
	return optionFunc(func(opts *options) { opts.observer = fn })
}

// EventKind says what an [Event] reports.
type EventKind uint8

const (
	// TaskStarted: a task's function is about to be called.
	TaskStarted EventKind = iota + 1
	// TaskSucceeded: a task's function returned nil.
	TaskSucceeded
	// TaskFailed: a task's function returned an error (Event.Err), or
	// called runtime.Goexit.
	TaskFailed
	// TaskPanicked: a task's function panicked; Event.Err is the
	// *PanicError. (A panic is also a failure; it is reported once, as
	// this kind.)
	TaskPanicked
	// TaskCanceled: a task ended cancelled (Event.Err is what it returned,
	// or an error matching ErrCanceled if it never ran; Task.Err adds its
	// context's end and cause).
	TaskCanceled
	// TaskRefused: a task was refused because its group was not open.
	TaskRefused
	// TaskRestarted: a supervisor restarts a job that ended with Event.Err,
	// after a backoff of Event.Duration; Event.Attempt counts restarts.
	// Reported by supervisors (package resource), not by Group itself.
	TaskRestarted
	// SubmitBlocked: a submitter waited Event.Duration for room in an
	// executor, whose group is Event.Group. Reported by package executor
	// when the wait ends, admitted or not (Event.Err says why not).
	SubmitBlocked
	// GroupClosed: the group Event.Group has become Closed: every task
	// and subgroup of it has ended. Event.Err is its combined failures
	// (what its parent counts, nil if none) and Event.Duration its age.
	// It is reported once per group, before anyone waiting for the group
	// (Wait, Close, Shutdown, Done) is woken and before its parent hears
	// of it, so an observer can end what it keeps for the group (a span,
	// say) before the program goes on.
	GroupClosed
)

// String returns the kind's name, such as "task-started".
func (k EventKind) String() string {
	switch k {
	case TaskStarted:
		return "task-started"
	case TaskSucceeded:
		return "task-succeeded"
	case TaskFailed:
		return "task-failed"
	case TaskPanicked:
		return "task-panicked"
	case TaskCanceled:
		return "task-canceled"
	case TaskRefused:
		return "task-refused"
	case TaskRestarted:
		return "task-restarted"
	case SubmitBlocked:
		return "submit-blocked"
	case GroupClosed:
		return "group-closed"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// An Event is one thing an observer (see [Observe]) hears of.
type Event struct {
	Kind  EventKind
	Group *Group // the group it happened in
	Task  *Task  // the task, for task events; nil otherwise
	// Err is the task's error for TaskFailed, TaskPanicked and
	// TaskCanceled, the failure that causes a TaskRestarted, why a
	// blocked submitter was not admitted for SubmitBlocked, and the
	// group's combined failures for GroupClosed.
	Err error
	// Duration is how long the task ran for the events that end a task
	// (0 if it never ran), the backoff before a
	// restart for TaskRestarted, how long the submitter waited for
	// SubmitBlocked, and the group's age for GroupClosed.
	Duration time.Duration
	// Attempt counts the restarts of a job, from 1, for TaskRestarted.
	Attempt int
}

// emit reports e to the group's observer, if it has one, with e.Group set
// to g. Packages built on Group (executor, resource) use it, through
// internal/groupctl, for the events they own.
func (g *Group) emit(e Event) {
	g.lazy()
	if o := g.opts.observer; o != nil {
		e.Group = g
		o(e)
	}
}

// observed reports whether the group has an observer, so that an event
// that is costly to build can be skipped when nobody listens.
func (g *Group) observed() bool {
	g.lazy()
	return g.opts.observer != nil
}

// emitTaskEnd reports how t ended to the group's observer.
func (g *Group) emitTaskEnd(t *Task, state TaskState, err error, how ending) {
	kind := TaskSucceeded
	switch {
	case how == panicked:
		kind = TaskPanicked
	case state == Failed:
		kind = TaskFailed
	case state == Canceled:
		kind = TaskCanceled
	}
	var d time.Duration
	if how != neverRan {
		d = t.age()
	}
	g.opts.observer(Event{Kind: kind, Group: g, Task: t, Err: err, Duration: d})
}
