// Package groupctl lets the module's own packages reach the few operations
// of package group that are not part of its API. Package group sets the
// functions when it is initialised; they are never nil afterwards.
package groupctl

// CancelReported cancels g, a *group.Group, with cause, as its Cancel
// does, except that g's Wait then reports the cancellation (an error that
// matches context.Canceled and cause) instead of returning nil, without
// passing it on to g's parent as a failure. Package executor uses it for
// Executor.Cancel under fail-fast, which coroexecutor reports at the end of
// the executor's scope.
var CancelReported func(g any, cause error)

// Fail records err as a failure of g, a *group.Group, as if one of its
// tasks had returned it: a fail-fast group is cancelled with it as the
// cause and its Wait returns it; a supervised group hands it to its
// handler. Package executor uses it for a panic in one of its hooks, which
// runs in a worker goroutine, outside every job, and would otherwise be
// lost in the workers' group.
var Fail func(g any, err error)
