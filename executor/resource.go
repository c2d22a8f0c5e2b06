package executor

import "github.com/nursery-go/nursery/group"

// State returns the lifecycle state of the executor's group. With
// [Executor.Closing], [Executor.Done] and [Executor.Close] it makes an
// Executor a resource (package resource): resource.Open can return one,
// and closes it gracefully with [Executor.Shutdown] in its turn.
func (ex *Executor) State() group.State {
	ex.mustBeMade("Executor.State")
	return ex.g.State()
}

// Closing returns a channel that is closed when the executor leaves Open:
// it refuses new work from then on.
func (ex *Executor) Closing() <-chan struct{} {
	ex.mustBeMade("Executor.Closing")
	return ex.closing
}

// Done returns a channel that is closed when the executor is Closed: no
// job runs or waits any more.
func (ex *Executor) Done() <-chan struct{} {
	ex.mustBeMade("Executor.Done")
	return ex.g.Done()
}
