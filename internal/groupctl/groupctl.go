// Package groupctl lets the module's own packages reach the few operations
// of package group that are not part of its API. Package group sets the
// functions when it is initialised; they are never nil afterwards.
package groupctl

import (
	"context"
	"errors"
)

// ErrStopRequested is matched (with errors.Is) by a cause of cancellation
// that asks a program to stop rather than reports a failure: the first
// signal of cancel.NotifyShutdown and cancel.ShutdownOn. A group whose
// context ends with such a cause does not report it from Wait.
var ErrStopRequested = errors.New("stop requested")

// CancelReported cancels g, a *group.Group, with cause, as its Cancel
// does, except that g's Wait then reports the cancellation (an error that
// matches context.Canceled and cause) instead of returning nil, without
// passing it on to g's parent as a failure. Package executor uses it for
// Executor.Cancel under fail-fast, which coroexecutor reports at the end of
// the executor's scope.
var CancelReported func(g any, cause error)

// Fail records err as a failure of g, a *group.Group, that none of its
// tasks returned, and cancels g with it as the cause, whatever g's error
// policy: g's Wait returns it. Package executor uses it for what is fatal
// to an executor — a panic in one of its hooks, which runs in a worker
// goroutine outside every job, or a failed initializer.
var Fail func(g any, err error)

// EndHeld claims t, a *group.Task made with Hold that has not
// started, and ends it with err as though its function had returned err at
// once, without running the function. It reports whether it claimed t.
// Package executor uses it for a job whose TaskStart hook failed.
var EndHeld func(t any, err error) bool

// Service marks sub, a *group.Group, as a service of its parent: a
// subgroup that serves the parent's other tasks and never ends by itself.
// When the parent is waiting, nothing but services (and internal tasks) is
// left in it and idle reports true for every one, the parent calls each
// one's wait, which must end it once drained as its Wait would. idle must not block. Package executor
// marks its group so that an executor nobody waited for lets its parent's
// Wait return.
var Service func(sub any, idle func() bool, wait func())

// Idle tells sub's parent that sub, a service, has gone idle.
var Idle func(sub any)

// LiveTasks counts the live tasks of g, a *group.Group, its subgroups left
// out.
var LiveTasks func(g any) int

// BeginWait does what g's Wait does, g a *group.Group, without waiting:
// g closes once nothing runs in it.
var BeginWait func(g any)

// Describe returns a group.Option that says what kind of thing a group is
// and how to count what it holds beyond its tasks, for snapshots: package
// executor describes its groups as "executor" with their counts. info is
// called while a snapshot is taken, from any goroutine; it may be nil.
// Describe panics if kind is empty.
var Describe func(kind string, info func() map[string]int64) any

// Like returns a group.Option that gives a new group what a subgroup of g,
// a *group.Group, would inherit: its panic hook, PanicsAsErrors, shutdown
// grace and observer. Package resource opens each resource in a root
// group made like its parent. Like panics if g is nil.
var Like func(g any) any

// Link shows child under parent (both *group.Group) in snapshots until
// child is Closed; it changes nothing else. Link panics if child is nil or
// is parent.
var Link func(parent, child any)

// Emit reports e, a group.Event, to g's observer if it has one, with
// e.Group set to g.
var Emit func(g any, e any)

// Observed reports whether g, a *group.Group, has an observer.
var Observed func(g any) bool

// GroupOf returns the *group.Group whose context ctx is or derives from, or
// nil. Package executor uses it to tell whether a call comes from one of
// its own jobs. It panics if ctx is nil.
var GroupOf func(ctx context.Context) any

// TaskOf returns the *group.Task whose context ctx is or derives from, or
// nil. It panics if ctx is nil.
var TaskOf func(ctx context.Context) any

// Held reports whether t, a *group.Task, was made with Hold: for an
// executor, whether it is one of its jobs, which only its workers run.
var Held func(t any) bool

// Hold is a group.Option that makes Go or Async admit a task without
// starting it: it is Pending and counts as running until StartHeld or
// RunHeld starts it, or it is cancelled. Package executor holds every job
// until a worker runs it.
var Hold any

// StartHeld starts t, a *group.Task made with Hold, in a goroutine of its
// own, and reports whether it did (not when it was cancelled or started
// first). It panics if t was not made with Hold.
var StartHeld func(t any) bool

// RunHeld runs t, a *group.Task made with Hold, in the calling goroutine as
// its own goroutine would (its panic is recovered and accounted for), and
// reports whether it did. It panics if t was not made with Hold.
var RunHeld func(t any) bool

// Enter counts a goroutine of the library into g as a member, without a
// task record, so that g cannot become Closed while it runs, and reports
// whether g admitted it (not when g is closing). Leave counts it out; it
// must be the goroutine's last step. Package executor's runners enter its
// workers' group.
var Enter func(g any) bool

// Leave counts out a goroutine counted in by Enter.
var Leave func(g any)

// Panicked handles r, a panic recovered in a goroutine of the library
// counted in g by Enter, as a task of g named name that panicked: the
// group's panic handler hears of it, and it fails g.
var Panicked func(g any, name string, r any)

// EachHeld calls f for every live task of g made with Hold.
var EachHeld func(g any, f func(t any))

// Internal is a group.Option that marks a task as the library's own
// bookkeeping: snapshots show it as internal (TaskSnapshot.Internal).
var Internal any

// Late is a group.Option that lets a task be admitted while its group is
// closing (not yet Closed). Only a task of the group may start one, so
// that the group cannot become Closed meanwhile: a Stack's closing task
// starts each close hook's task at its turn.
var Late any
