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
	w, err := ex.acquire(ctx, true, nil)
	if err != nil {
		return nil, err
	}
	t := makeJob(ex, w, func() *group.Task { return ex.g.Go(fn, ex.hold) })
	return t, ex.dispatch(w, t)
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
	w, err := ex.acquire(context.Background(), false, nil)
	if err != nil {
		return nil, false
	}
	t := makeJob(ex, w, func() *group.Task { return ex.g.Go(fn, ex.hold) })
	return t, ex.dispatch(w, t) == nil
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
	if ex.waiters.len() == 0 && ex.assignedLocked() < ex.max {
		// A worker is free: the same path as a Submit that need not block.
		w, spawn := ex.reserveLocked()
		ex.mu.Unlock()
		if spawn && !ex.spawn(w, true) {
			return nil, ex.closedErr()
		}
		t := makeJob(ex, w, mk)
		return t, ex.dispatch(w, t)
	}
	if ex.opts.backlog >= 0 && ex.backlog.len()+ex.queued >= ex.opts.backlog &&
		(ex.dropFinishedLocked() == 0 || ex.backlog.len()+ex.queued >= ex.opts.backlog) {
		ex.mu.Unlock()
		return nil, ErrFull
	}
	// A place in the backlog, taken as Submit takes one in the queue: the
	// job is made without the lock, since making it may call the group's
	// observer (a refusal), which may call the executor.
	ex.active++
	ex.queued++
	ex.mu.Unlock()
	t := makeJob(ex, nil, mk)
	if err := ex.dispatch(nil, t); err != nil {
		return nil, err
	}
	return t, nil
}

// acquire reserves a worker for one job, or a place in the queue (it
// returns a nil worker then; see QueueDepth). Without block (ctx is then
// unused) it fails with errBusy instead of waiting. A blocked acquire gives
// up with errTurn when turn is closed (nil: never).
func (ex *Executor) acquire(ctx context.Context, block bool, turn <-chan struct{}) (*worker, error) {
	var job *group.Task
	looked := false
	for {
		ex.mu.Lock()
		if isClosed(ex.closing) {
			ex.mu.Unlock()
			return nil, ex.closedErr()
		}
		if ex.waiters.len() == 0 {
			if ex.assignedLocked() < ex.max {
				w, spawn := ex.reserveLocked()
				ex.mu.Unlock()
				if spawn && !ex.spawn(w, true) {
					return nil, ex.closedErr()
				}
				return w, nil
			}
			if ex.backlog.len()+ex.queued < ex.opts.queue {
				// Every worker is busy, but the queue has room: the job
				// waits there.
				ex.active++
				ex.queued++
				ex.mu.Unlock()
				return nil, nil
			}
		}
		if !block {
			ex.mu.Unlock()
			return nil, errBusy
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
	if job != nil && ex.waiters.blockedJobs(job) >= ex.assignedLocked() {
		// Every worker runs a job of ours that waits here: none of them
		// can come free unless someone else cancels a job.
		ex.mu.Unlock()
		return nil, ErrDeadlock
	}
	wt := ex.waiters.get(job)
	ex.waiters.pushBack(wt)
	ex.mu.Unlock()

	// An observer hears how long the submitter was blocked.
	var since time.Time
	if groupctl.Observed(ex.g) {
		since = time.Now()
	}
	var cause error
	select {
	case <-wt.ch: // granted a worker, or a place in the queue
		ex.mu.Lock()
		w := wt.w
		ex.waiters.put(wt)
		ex.mu.Unlock()
		ex.emitAdmitted(since, w)
		return w, nil
	case <-ctx.Done():
		cause = context.Cause(ctx)
	case <-ex.closing:
		cause = ex.closedErr()
	case <-turn:
		cause = errTurn
	}
	var w *worker
	ex.mu.Lock()
	select {
	case <-wt.ch:
		// Granted while we gave up: take it. dispatch gives it back if the
		// executor has closed meanwhile.
		w, cause = wt.w, nil
	default:
		ex.waiters.remove(wt)
	}
	ex.waiters.put(wt)
	ex.mu.Unlock()
	if cause == nil {
		ex.emitAdmitted(since, w)
	} else {
		ex.emitBlocked(since, cause)
	}
	return w, cause
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
// w (see emitBlocked). If the observer panics, the reservation is given
// back before the panic goes on.
func (ex *Executor) emitAdmitted(since time.Time, w *worker) {
	if since.IsZero() {
		return
	}
	ok := false
	defer func() {
		if !ok {
			ex.giveBack(w)
		}
	}()
	ex.emitBlocked(since, nil)
	ok = true
}

// dispatch hands the job made for a reservation to its worker, or to the
// queue when w is nil, or releases the reservation when the group refused
// the job (the executor closed after acquire).
func (ex *Executor) dispatch(w *worker, t *group.Task) error {
	if t.State() == group.Refused {
		ex.giveBack(w)
		return t.Err()
	}
	if w != nil {
		w.cur.Store(t) // before Submit returns, for Cancel
		w.ch <- t
		return nil
	}
	ex.mu.Lock()
	ex.queued--
	nw := ex.placeLocked(t)
	ex.mu.Unlock()
	if nw != nil && !ex.spawn(nw, false) {
		return ex.closedErr() // t was cancelled
	}
	return nil
}

// giveBack releases a reservation that will get no job: the worker's, or
// the place in the queue when w is nil.
func (ex *Executor) giveBack(w *worker) {
	if w != nil {
		w.ch <- nil
		return
	}
	ex.mu.Lock()
	ex.queued--
	ex.active--
	ex.grantLocked()
	ex.trimIdleLocked()
	ex.mu.Unlock()
}

// makeJob makes the job for the reservation w with mk. If mk panics (the
// group's observer may, hearing of a refusal), the reservation is given
// back before the panic goes on, so the executor is not left a worker
// short.
func makeJob[T any](ex *Executor, w *worker, mk func() T) T {
	made := false
	defer func() {
		if !made {
			ex.giveBack(w)
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
