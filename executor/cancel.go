package executor

import (
	"context"

	"github.com/nursery-go/nursery/group"
)

// Cancel cancels jobs, running or waiting in the backlog, waits for them to
// finish, and returns how many of them ended [group.Canceled]
// (asyncio-pool's cancel). A job that had finished before the call, or that caught
// its cancellation and returned nil, is not counted: it completed. Without
// tasks, Cancel cancels every job accepted before the call (running,
// handed to a worker, or waiting in the backlog); jobs submitted
// concurrently with it may escape.
//
// Cancel blocks until every job it cancelled has finished, because only
// then is it known whether the job accepted its cancellation. If ctx ends
// first, Cancel returns the count so far and [context.Cause](ctx); the
// remaining jobs are still cancelled and finish on their own.
//
// Under the default fail-fast policy, cancelling jobs through Cancel closes
// the executor as well, as a cancelled job does in coroexecutor: every
// other job is cancelled too, and new work is refused. That happens when
// Cancel is called without tasks, or when one of the tasks had not
// finished; naming only finished jobs changes nothing. With
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
	for _, t := range live {
		if t.State() == group.Pending {
			t.Cancel()
		}
	}
	for _, t := range live {
		t.Cancel()
	}
	if !ex.opts.suppress && (all || len(live) > 0) {
		ex.g.Cancel()
	}
	n := 0
	for _, t := range live {
		select {
		case <-t.Done():
		case <-ctx.Done():
			return n, context.Cause(ctx)
		}
		if t.State() == group.Canceled {
			n++
		}
	}
	return n, nil
}

// jobs lists the jobs given to a worker (w.cur is set under ex.mu when a
// job is placed, and before Submit returns when it is dispatched) and those
// waiting in the backlog.
func (ex *Executor) jobs() []*group.Task {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	tasks := make([]*group.Task, 0, len(ex.all)+ex.backlog.len())
	for _, w := range ex.all {
		if t := w.cur.Load(); t != nil {
			tasks = append(tasks, t)
		}
	}
	ex.backlog.each(func(t *group.Task) { tasks = append(tasks, t) })
	return tasks
}
