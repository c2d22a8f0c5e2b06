package executor

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// An Executor runs jobs in a [group.Group] with at most MaxWorkers of them
// at once, on worker goroutines that run one waiting job after another. Its
// lifecycle, error policy and cancellation are in
// https://github.com/nursery-go/nursery/blob/main/docs/executor.md.
//
// An Executor is made by [New]; there is no useful zero value: the
// methods of a zero Executor panic with a message that says so. It must
// not be copied. Its methods are safe for concurrent use, including from its
// own jobs.
//
// A tiny job costs 0.5 to 1.2 µs on a 2-vCPU VM with back-pressure at
// limits 8 to 1024, 1.15 to 2.2 times what the fastest peer that blocks
// its producer (errgroup's Go with SetLimit, conc or ants) costs side by
// side, and one or two allocations of the library's own
// besides the caller's closure: the job's [group.Task], and the start of a
// worker goroutine when the job finds a place free (a job that waits for a
// worker is made and run by the worker that comes free). See
// BenchmarkSubmit in tests/bench and its RESULTS.md.
type Executor struct {
	// built is set once New has set the fields below: the group's snapshot
	// description (info) may be asked for from the moment the group exists.
	built     atomic.Bool
	g         *group.Group // the jobs' group
	wg        *group.Group // the workers' group, a subgroup of g
	opts      options
	max       int
	hold      group.Option
	gctx      context.Context // g.Context(): done once the executor is cancelled
	closing   <-chan struct{} // g.Closing()
	startOnce sync.Once       // runs the Start hook

	mu      sync.Mutex // guards everything below
	queued  int        // places in the backlog reserved by Submit for jobs being made
	running int        // places among the MaxWorkers running taken (see worker.go)
	backlog ring       // held jobs waiting for a worker, oldest first
	waiters waitList   // blocked submitters, first come first
	waiting bool       // Wait was called
}

// mustBeMade panics if ex is a zero Executor, which has no group or
// workers to run anything with.
func (ex *Executor) mustBeMade(method string) {
	if ex.g == nil {
		panic("executor: " + method + " on a zero Executor; make one with New")
	}
}

// New returns an executor whose jobs run in a new subgroup of parent: when
// parent closes, the executor closes, and parent is Closed only after the
// executor is. Like any subgroup, the executor counts as running in parent
// until it is closed: end it with [Executor.Wait], [Executor.Close] or
// [Executor.Shutdown]. A forgotten Wait does not hang the parent: once the
// parent's owner waits and nothing but idle executors is left in the
// parent (no task of the parent is left to submit, no job runs, waits or
// blocks), they end as their Wait would. A goroutine outside the parent's
// tree that still holds the executor then gets [ErrClosed]. The executor inherits parent's panic handling. If
// the Finish hook is set (see [Observe]), New starts one task in parent that
// waits for the executor to close.
//
// New panics if parent is nil or an option is nil.
func New(parent *group.Group, opts ...Option) *Executor {
	if parent == nil {
		panic("executor: New with nil parent group")
	}
	o := defaultOptions()
	apply("New", &o, opts)
	ex := &Executor{opts: o, max: o.workers, hold: groupctl.Hold.(group.Option)}
	ex.g = parent.Subgroup(o.groupOptions(ex)...)
	// Workers outlive single jobs, and a worker that dies with its job (a
	// job that calls runtime.Goexit) is replaced: their group must not fail
	// fast. Its name keeps them apart from jobs in goroutine profiles. A
	// panic in a worker is a panic in a hook (a job's own is recovered in
	// the job): with PanicsAsErrors it comes here as an error, and it goes
	// to the executor's group, whose owner must hear of it.
	ex.wg = ex.g.Subgroup(group.Name("workers"), group.OnError(func(err error) {
		if _, ok := errors.AsType[*group.PanicError](err); ok {
			groupctl.Fail(ex.g, err)
		}
	}))
	ex.gctx, ex.closing = ex.g.Context(), ex.g.Closing()
	// The Finish hook's task below is internal: the parent counts it apart.
	groupctl.Service(ex.g, ex.idleForParent, ex.beginWait)
	if o.hooks != nil && o.hooks.Finish != nil {
		done, finish := ex.g.Done(), o.hooks.Finish
		parent.Go(func(context.Context) error {
			<-done
			finish()
			return nil
		}, group.Name("executor-finish-hook"), groupctl.Internal.(group.Option))
	}
	ex.built.Store(true)
	return ex
}

// Group returns the executor's group, for its lifecycle ([group.Group.State],
// Closing, Done, Context, Cause). Tasks started in it directly with
// [group.Group.Go] are not jobs of the executor: they do not count against
// MaxWorkers.
func (ex *Executor) Group() *group.Group {
	ex.mustBeMade("Executor.Group")
	return ex.g
}

// MaxWorkers returns the most jobs the executor runs at once.
func (ex *Executor) MaxWorkers() int {
	ex.mustBeMade("Executor.MaxWorkers")
	return ex.max
}

// Wait blocks until no job runs, none waits in the backlog and no Submit is
// blocked, then the executor is Closed. Jobs may submit more jobs while Wait
// waits (nested producers); once nothing is left to run, the executor
// refuses new work with [ErrClosed], from then on even while tasks that are
// not jobs (started with ex.Group().Go) keep its group Open. Wait cancels
// nothing.
//
// Wait returns what [group.Group.Wait] returns for the executor's group: the
// failures of jobs, first first (none with [SuppressErrors]), then a
// cancellation that ended the executor's work from outside — its parent
// group or the parent's context, [Timeout], or [Executor.Cancel] under
// fail-fast — as an error that matches [context.Canceled] (or
// [context.DeadlineExceeded] for a deadline) and its cause. A clean finish
// and the executor's own Close return nil. A job's panic is raised again
// here, as group's Wait does. Called from one of the
// executor's jobs, Wait returns [group.ErrWaitInTask] instead of hanging.
func (ex *Executor) Wait() error {
	ex.mustBeMade("Executor.Wait")
	ex.beginWait()
	return ex.g.Wait()
}

// idleForParent reports whether the executor has nothing to do: no job
// running, waiting or on its way, no blocked submitter, and no task
// started in its group directly. Its parent asks when it is waiting and
// nothing but idle executors (and other services) is left in it.
func (ex *Executor) idleForParent() bool {
	ex.mu.Lock()
	idle := ex.activeLocked() == 0 && ex.waiters.len() == 0
	ex.mu.Unlock()
	return idle && groupctl.LiveTasks(ex.g) == 0
}

// beginWait starts what Wait does, without waiting: the executor closes
// once nothing runs, waits or blocks.
func (ex *Executor) beginWait() {
	ex.mu.Lock()
	ex.waiting = true
	drained := ex.drainedLocked()
	ex.mu.Unlock()
	if drained {
		// No worker is left to notice that the work is done.
		ex.wg.Cancel()
	}
	groupctl.BeginWait(ex.g)
}

// Close cancels every job, running or waiting, refuses new ones, and waits
// until the executor is Closed. It returns what [Executor.Wait] returns; a
// close without failures returns nil. It implements [io.Closer], is
// idempotent and is made for defer ex.Close().
func (ex *Executor) Close() error {
	ex.mustBeMade("Executor.Close")
	return ex.g.Close()
}

// Shutdown closes the executor gracefully: it refuses new work at once,
// fails blocked Submit calls with [ErrClosed], and lets running and
// backlogged jobs finish on their own. If ctx ends first, it cancels what is
// left; see [group.Group.Shutdown] for what it returns then.
func (ex *Executor) Shutdown(ctx context.Context) error {
	mustContext(ctx, "Executor.Shutdown")
	ex.mustBeMade("Executor.Shutdown")
	return ex.g.Shutdown(ctx)
}
