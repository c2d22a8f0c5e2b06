// Package groupctl lets the module's own packages reach the few operations
// of package group that are not part of its API. Package group sets the
// functions when it is initialised; they are never nil afterwards.
package groupctl

import "errors"

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

// EndHeld claims t, a *group.Task made with group.Hold that has not
// started, and ends it with err as though its function had returned err at
// once, without running the function. It reports whether it claimed t.
// Package executor uses it for a job whose TaskStart hook failed.
var EndHeld func(t any, err error) bool

// Service marks sub, a *group.Group, as a service of its parent: a
// subgroup that serves the parent's other tasks and never ends by itself.
// weight is how many members of the parent it accounts for (itself, and
// any task it started in the parent that ends when it does). When the
// parent is waiting, nothing but services is left in it and idle reports
// true for every one, the parent calls each one's wait, which must end it
// once drained as its Wait would. idle must not block. Package executor
// marks its group so that an executor nobody waited for lets its parent's
// Wait return.
var Service func(sub any, weight int, idle func() bool, wait func())

// Idle tells sub's parent that sub, a service, has gone idle.
var Idle func(sub any)

// LiveTasks counts the live tasks of g, a *group.Group, its subgroups left
// out.
var LiveTasks func(g any) int

// BeginWait does what g's Wait does, g a *group.Group, without waiting:
// g closes once nothing runs in it.
var BeginWait func(g any)
