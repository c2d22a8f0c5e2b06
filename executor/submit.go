package executor

import (
	"context"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// Submit starts fn as a job of the executor and returns its task, once the
// job has a worker: it blocks while MaxWorkers jobs are accepted and
// unfinished (back-pressure), so that a producer never gets ahead of the
// workers and memory stays O(MaxWorkers). Blocked calls are served first
// come, first served, each as a worker comes free. [QueueDepth] lets Submit
// queue a number of jobs beyond the running ones before it blocks.
//
// If ctx ends while Submit blocks, it returns [context.Cause](ctx) and
// submits nothing. If the executor is closed or closes, it returns
// [ErrClosed]; when a failure or a cancellation closed it, the error wraps
// that cause too, so that a producer loop's
//
//	if _, err := ex.Submit(ctx, job); err != nil {
//		return err
//	}
//
// returns the failure, not only "closed". A ctx
// that is already done does not stop a Submit that need not block. Called
// from one of the executor's own jobs when waiting would never end, it
// returns [ErrDeadlock] (see "Submitting from a job" in https://github.com/nursery-go/nursery/blob/main/docs/executor.md).
//
// Once [Executor.Wait] has found nothing left to run, Submit returns
// ErrClosed, even though the executor's group may still be Open: a task
// started in it with ex.Group().Go (not a job) that submits after that is
// refused, and the group closes when that task returns. Such producers
// should submit before Wait is called, or be jobs themselves.
//
// fn receives the job's context, not ctx: it is cancelled when the job is
// cancelled or the executor closes. A panic in fn is handled as in
// [group.Group.Go].
//
// Submit panics if fn is nil.
func (ex *Executor) Submit(ctx context.Context, fn func(ctx context.Context) error) (*group.Task, error) {
	mustContext(ctx, "Executor.Submit")
	ex.mustBeMade("Executor.Submit")
	if fn == nil {
		panic("executor: Submit with nil function")
	}
	s, t, err := ex.acquire(ctx, true, nil, fn)
	if t != nil || err != nil {
		return t, err // a worker made the job
	}
	t = makeJob(ex, s, func() *group.Task { return ex.g.Go(fn, ex.hold) })
	return t, ex.dispatch(s, t)
}

// TrySubmit accepts fn as a job if [Executor.Submit] would accept it without
// blocking (a worker is free, or the queue has room), and reports whether it
// did. It never blocks, and never passes blocked Submit calls.
//
// TrySubmit panics if fn is nil.
func (ex *Executor) TrySubmit(fn func(ctx context.Context) error) (*group.Task, bool) {
	ex.mustBeMade("Executor.TrySubmit")
	if fn == nil {
		panic("executor: TrySubmit with nil function")
	}
	s, _, err := ex.acquire(context.Background(), false, nil, nil)
	if err != nil {
		return nil, false
	}
	t := makeJob(ex, s, func() *group.Task { return ex.g.Go(fn, ex.hold) })
	return t, ex.dispatch(s, t) == nil
}

// Enqueue accepts fn as a job without blocking: the job starts at once if a
// worker is free, else it waits in the backlog (after the jobs queued by
// Submit) and runs, oldest first, as workers come free; the task is
// [group.Pending] until then. Enqueue returns [ErrFull] when the backlog
// bounded by [Backlog] is full (see there for what counts), and [ErrClosed]
// (wrapping the cause, as Submit's does) when the executor no longer accepts
// work. A job waiting in the backlog is cancelled without running when the
// executor closes, and runs when it shuts down gracefully.
//
// Enqueue panics if fn is nil.
func (ex *Executor) Enqueue(fn func(ctx context.Context) error) (*group.Task, error) {
	ex.mustBeMade("Executor.Enqueue")
	if fn == nil {
		panic("executor: Enqueue with nil function")
	}
	return ex.enqueue(func() *group.Task { return ex.g.Go(fn, ex.hold) })
}

// enqueue is Enqueue with the job made by mk, a held task of ex.g.
func (ex *Executor) enqueue(mk func() *group.Task) (*group.Task, error) {
	ex.mu.Lock()
	if isClosed(ex.closing) {
		ex.mu.Unlock()
		return nil, ex.closedErr()
	}
	if ex.waiters.len() == 0 && ex.takeLocked() {
		// A worker is free: the same path as a Submit that need not block.
		ex.mu.Unlock()
		t := makeJob(ex, runPlace, mk)
		return t, ex.dispatch(runPlace, t)
	}
	if ex.opts.backlog >= 0 && ex.backlog.len()+ex.queued >= ex.opts.backlog &&
		(ex.dropFinishedLocked() == 0 || ex.backlog.len()+ex.queued >= ex.opts.backlog) {
		ex.mu.Unlock()
		return nil, ErrFull
	}
	// A place in the backlog, taken as Submit takes one in the queue: the
	// job is made without the lock, since making it may call the group's
	// observer (a refusal), which may call the executor.
	ex.queued++
	ex.mu.Unlock()
	t := makeJob(ex, queuePlace, mk)
	if err := ex.dispatch(queuePlace, t); err != nil {
		return nil, err
	}
	return t, nil
}

// acquire reserves a place among the running for one job (runPlace), or a
// place in the queue (queuePlace; see QueueDepth). Without block (ctx is
// then unused) it fails with errBusy instead of waiting. A blocked acquire
// gives up with errTurn when turn is closed (nil: never).
//
// Given fn, a Submit's function, a blocked acquire may instead return the
// job made of fn by the worker whose place it got (see after), with no
// place: the job runs already, or was refused.
func (ex *Executor) acquire(ctx context.Context, block bool, turn <-chan struct{}, fn func(context.Context) error) (place, *group.Task, error) {
	var job *group.Task
	looked := false
	for {
		ex.mu.Lock()
		if isClosed(ex.closing) {
			ex.mu.Unlock()
			return 0, nil, ex.closedErr()
		}
		if ex.waiters.len() == 0 {
			if ex.running < ex.max {
				if !ex.takeLocked() {
					// The workers' group is closing: Wait has found
					// nothing left to do.
					ex.mu.Unlock()
					return 0, nil, ex.closedErr()
				}
				ex.mu.Unlock()
				return runPlace, nil, nil
			}
			if ex.backlog.len()+ex.queued < ex.opts.queue {
				// Every worker is busy, but the queue has room: the job
				// waits there.
				ex.queued++
				ex.mu.Unlock()
				return queuePlace, nil, nil
			}
		}
		if !block {
			ex.mu.Unlock()
			return 0, nil, errBusy
		}
		if looked {
			break
		}
		// Which job, if any, submits: found from ctx's values, which may
		// run the caller's code, so never under the lock.
		ex.mu.Unlock()
		job, looked = ex.jobOf(ctx), true
	}
	if job != nil && job.State() != group.Running {
		job = nil // it has finished: a helper of it holds no worker
	}
	if job != nil && ex.waiters.blockedJobs(job) >= ex.running {
		// Every worker runs a job of ours that waits here: none of them
		// can come free unless someone else cancels a job.
		ex.mu.Unlock()
		return 0, nil, ErrDeadlock
	}
	wt := ex.waiters.get(job)
	wt.fn = fn
	ex.waiters.pushBack(wt)
	ex.mu.Unlock()

	// An observer hears how long the submitter was blocked.
	var since time.Time
	if groupctl.Observed(ex.g) {
		since = time.Now()
	}
	var cause error
	select {
	case <-wt.ch: // granted a place, or given the job made for it
		return ex.granted(wt, since)
	case <-ctx.Done():
		cause = context.Cause(ctx)
	case <-ex.closing:
		cause = ex.closedErr()
	case <-turn:
		cause = errTurn
	}
	ex.mu.Lock()
	if wt.taken {
		// A worker makes the job: it has taken the place already.
		ex.mu.Unlock()
		<-wt.ch
		return ex.granted(wt, since)
	}
	select {
	case <-wt.ch:
		// Granted while we gave up: take it. dispatch gives it back if the
		// executor has closed meanwhile.
		ex.mu.Unlock()
		return ex.granted(wt, since)
	default:
		ex.waiters.remove(wt)
	}
	ex.waiters.put(wt)
	ex.mu.Unlock()
	ex.emitBlocked(since, cause)
	return 0, nil, cause
}

// granted returns what the blocked acquire wt was granted, once signalled:
// a place, or the job a worker made of its function. It raises again a
// panic of the group's observer while the worker made it.
func (ex *Executor) granted(wt *waiter, since time.Time) (place, *group.Task, error) {
	s, t, p := wt.place(), wt.t, wt.panicked
	taken := wt.taken
	ex.mu.Lock()
	ex.waiters.put(wt)
	ex.mu.Unlock()
	if !taken {
		ex.emitAdmitted(since, s)
		return s, nil, nil
	}
	if p != nil {
		panic(p)
	}
	ex.emitBlocked(since, nil)
	if t.State() == group.Refused {
		return 0, t, t.Err()
	}
	return 0, t, nil
}

// emitBlocked reports a submitter's wait for room that began at since
// (zero when nobody listens) and ended admitted (err nil) or not.
func (ex *Executor) emitBlocked(since time.Time, err error) {
	if since.IsZero() {
		return
	}
	groupctl.Emit(ex.g, group.Event{Kind: group.SubmitBlocked, Err: err, Duration: time.Since(since)})
}

// emitAdmitted reports a blocked submitter admitted with the reservation
// s (see emitBlocked). If the observer panics, the reservation is given
// back before the panic goes on.
func (ex *Executor) emitAdmitted(since time.Time, s place) {
	if since.IsZero() {
		return
	}
	ok := false
	defer func() {
		if !ok {
			ex.giveBack(s)
		}
	}()
	ex.emitBlocked(since, nil)
	ok = true
}

// dispatch starts the job made for a reservation: in a worker of its own
// for a place among the running, else in the queue, or in a worker of its
// own if one has come free meanwhile. It releases the reservation when the
// group refused the job (the executor closed after acquire).
func (ex *Executor) dispatch(s place, t *group.Task) error {
	if t.State() == group.Refused {
		ex.giveBack(s)
		return t.Err()
	}
	if s == runPlace {
		go ex.work(t)
		return nil
	}
	ex.mu.Lock()
	ex.queued--
	if ex.takeLocked() {
		ex.mu.Unlock()
		go ex.work(t)
		return nil
	}
	if ex.running == 0 {
		// The workers' group refused a worker (the executor closes), and
		// none is left to take the job from the backlog.
		drained := ex.drainedLocked()
		ex.mu.Unlock()
		t.Cancel()
		if drained {
			ex.wg.Cancel()
		}
		return ex.closedErr()
	}
	ex.backlog.push(t)
	ex.mu.Unlock()
	return nil
}

// giveBack releases a reservation that will get no job. A place among the
// running passes on as a finishing worker's does.
func (ex *Executor) giveBack(s place) {
	if s == runPlace {
		ex.passOn(nil)
		return
	}
	ex.mu.Lock()
	ex.queued--
	ex.grantLocked()
	drained := ex.drainedLocked()
	ex.mu.Unlock()
	if drained {
		ex.wg.Cancel()
	}
}

// makeJob makes the job for the reservation s with mk. If mk panics (the
// group's observer may, hearing of a refusal), the reservation is given
// back before the panic goes on, so the executor is not left a worker
// short.
func makeJob[T any](ex *Executor, s place, mk func() T) T {
	made := false
	defer func() {
		if !made {
			ex.giveBack(s)
		}
	}()
	t := mk()
	made = true
	return t
}

// jobOf returns the job whose context ctx is or derives from, or nil: a
// task started in the executor's group with [group.Group.Go] is no job.
func (ex *Executor) jobOf(ctx context.Context) *group.Task {
	if g, _ := groupctl.GroupOf(ctx).(*group.Group); g != ex.g {
		return nil
	}
	if t, _ := groupctl.TaskOf(ctx).(*group.Task); t != nil && groupctl.Held(t) {
		return t
	}
	return nil
}
