package executor

import (
	"fmt"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// Hooks are functions the executor calls at events of its life and of its
// jobs', for metrics and tracing. Any of them may be
// nil. They must be quick and safe for concurrent use; they run in worker
// goroutines, between jobs. A hook that returns an error does what its field
// says. A hook that panics takes the executor down like
// a job that panics: the panic is raised again by [Executor.Wait] (returned
// as a [*group.PanicError] when the parent group was made with
// [group.PanicsAsErrors]) and reaches the parent group.
//
// An executor without hooks pays one nil check per job for them.
type Hooks struct {
	// Start is called once, in a worker, before the first job starts. If
	// it returns an error, the executor fails with that error (even with
	// [SuppressErrors]: it cannot run anything as it should): it is
	// cancelled, the job does not run, and [Executor.Wait] returns the
	// error.
	Start func() error
	// Finish is called once, when the executor is Closed, by a task of
	// the parent group that waits for it.
	Finish func()
	// TaskStart is called before a job starts. It may be called for a job
	// that is cancelled at that very moment and then does not run. If it
	// returns an error, the job does not run: it ends Failed with that
	// error, as though it had returned it, and TaskError and TaskFinish
	// are called for it.
	TaskStart func(t *group.Task) error
	// TaskFinish is called after every TaskStart, once the job has
	// reached its final state: t.State and t.Err tell how it ended.
	TaskFinish func(t *group.Task)
	// TaskError is called, before TaskFinish, for a job that failed, with
	// its error.
	TaskError func(t *group.Task, err error)
}

// Observe, an option of [New], makes the executor call h's hooks.
func Observe(h Hooks) Option {
	return ofNew("Observe", func(o *options) { o.hooks = &h })
}

// runJob runs a job in the calling worker.
func (ex *Executor) runJob(t *group.Task) {
	if ex.gctx.Err() != nil {
		// Cancelled: the group drops held jobs as it cancels, but may not
		// have reached this one yet; it must not start now.
		t.Cancel()
		return
	}
	if ex.opts.hooks == nil {
		groupctl.RunHeld(t)
		return
	}
	ex.runObserved(t, ex.opts.hooks)
}

func (ex *Executor) runObserved(t *group.Task, h *Hooks) {
	if t.State().Final() {
		groupctl.RunHeld(t) // cancelled while it waited: Run only claims it
		return
	}
	if h.Start != nil {
		// Every worker waits in Do until Start has returned, and sees the
		// executor cancelled if it failed.
		ex.startOnce.Do(func() {
			if err := h.Start(); err != nil {
				groupctl.Fail(ex.g, fmt.Errorf("executor: Start hook: %w", err))
			}
		})
		if ex.gctx.Err() != nil {
			t.Cancel()
			return
		}
	}
	var refused error
	if h.TaskStart != nil {
		refused = h.TaskStart(t)
	}
	// Deferred: a job that calls runtime.Goexit has failed, and its hooks
	// run as its worker exits.
	defer func() {
		if h.TaskError != nil && t.State() == group.Failed {
			h.TaskError(t, t.Err())
		}
		if h.TaskFinish != nil {
			h.TaskFinish(t)
		}
	}()
	if refused != nil {
		groupctl.EndHeld(t, refused)
		return
	}
	groupctl.RunHeld(t)
}
