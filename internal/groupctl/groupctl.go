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
