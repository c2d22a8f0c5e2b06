package executor

import (
	"context"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// Cancel cancels jobs, running or waiting in the backlog, waits for them to
// finish, and returns how many of them it reached before they finished: a
// job that had finished before the call is not counted, a job that caught
// its cancellation and returned a value is, and keeps its value (see
// [group.Task.Cancel]). Without tasks, Cancel cancels every job accepted
// before the call (running, handed to a worker, or waiting in the backlog);
// jobs submitted concurrently with it may escape.
//
// Cancel blocks until every job it cancelled has finished, so that the
// jobs are known to have let go of what they held. If ctx ends first,
// Cancel returns the count of those finished so far and
// [context.Cause](ctx); the remaining jobs are still cancelled and finish
// on their own.
//
// Under the default fail-fast policy, cancelling jobs through Cancel closes
// the executor as well: every
// other job is cancelled too, new work is refused, and [Executor.Wait]
// reports the cancellation with an error that matches [context.Canceled]
// and [group.ErrCanceled] (it is not a failure of the parent group). That
// happens when Cancel is called without tasks, or when one of the tasks had
// not finished; naming only finished jobs changes nothing. With
// [SuppressErrors] the executor goes on. A direct [group.Task.Cancel] of a
// job cancels that job only, whatever the policy.
//
// The tasks should be jobs of this executor; other tasks are cancelled and
// counted all the same.
//
// Cancel panics if ctx or one of the tasks is nil.
func (ex *Executor) Cancel(ctx context.Context, tasks ...*group.Task) (int, error) {
	mustContext(ctx, "Executor.Cancel")
	ex.mustBeMade("Executor.Cancel")
	for _, t := range tasks {
		if t == nil {
			panic("executor: Executor.Cancel with a nil task")
		}
	}
	all := len(tasks) == 0
	if all {
		tasks = ex.jobs()
	}
	live := make([]*group.Task, 0, len(tasks))
	for _, t := range tasks {
		if !t.State().Final() {
			live = append(live, t)
		}
	}
	// Waiting jobs first: a worker freed by cancelling a running one must
	// not start a job that is about to be cancelled too.
	reached := make(map[*group.Task]bool, len(live))
	for _, t := range live {
		if t.State() == group.Pending && t.Cancel() {
			reached[t] = true
		}
	}
	for _, t := range live {
		if t.Cancel() {
			reached[t] = true
		}
	}
	if !ex.opts.suppress && (all || len(live) > 0) {
		// Reported by Wait, as coroexecutor raises at the end of its scope.
		groupctl.CancelReported(ex.g, errCancel)
	}
	n := 0
	for _, t := range live {
		select {
		case <-t.Done():
		case <-ctx.Done():
			return n, context.Cause(ctx)
		}
		if reached[t] {
			n++
		}
	}
	return n, nil
}

// jobs lists the executor's unfinished jobs: running, on their way to a
// worker, or waiting in the backlog. Every job is a held task of its group,
// and nothing else is.
func (ex *Executor) jobs() []*group.Task {
	var tasks []*group.Task
	groupctl.EachHeld(ex.g, func(t any) { tasks = append(tasks, t.(*group.Task)) })
	return tasks
}
