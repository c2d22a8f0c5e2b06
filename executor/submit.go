package executor

import (
	"context"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// Submit starts fn as a job of the executor and returns its task. It runs
// at once when a worker is free, else it waits in the executor's queue,
// which holds up to MaxWorkers jobs; Submit blocks while every worker is
// busy and the queue (with the backlog of [Executor.Enqueue]) is full:
// back-pressure. A producer thus gets at most MaxWorkers jobs ahead of the
// workers, and memory stays O(MaxWorkers). Blocked calls are admitted first
// come, first served, once the queue has drained to half, so that a fast
// producer is woken once per MaxWorkers/2 jobs rather than once per job.
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
	w, err := ex.acquire(ctx, true)
	if err != nil {
		return nil, err
	}
	t := ex.g.Go(fn, ex.hold)
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
	w, err := ex.acquire(context.Background(), false)
	if err != nil {
		return nil, false
	}
	t := ex.g.Go(fn, ex.hold)
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
		t := mk()
		return t, ex.dispatch(w, t)
	}
	if ex.opts.backlog >= 0 && ex.backlog.len() >= ex.opts.backlog &&
		(ex.dropFinishedLocked() == 0 || ex.backlog.len() >= ex.opts.backlog) {
		ex.mu.Unlock()
		return nil, ErrFull
	}
	// Made under the lock so that the backlog keeps the order of Enqueue
	// calls.
	t := mk()
	if t.State() == group.Refused {
		ex.mu.Unlock()
		return nil, t.Err()
	}
	ex.active++
	nw := ex.placeLocked(t)
	ex.mu.Unlock()
	if nw != nil && !ex.spawn(nw, false) {
		return nil, ex.closedErr() // t was cancelled
	}
	return t, nil
}

// acquire reserves a worker for one job. Without block (ctx is then
// unused) it fails with errBusy instead of waiting.
func (ex *Executor) acquire(ctx context.Context, block bool) (*worker, error) {
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
		if ex.backlog.len()+ex.queued < ex.max {
			// Every worker is busy, but the queue has room: the job waits
			// there (a nil worker tells dispatch so). Letting the producer
			// run up to MaxWorkers jobs ahead means workers take the next
			// job without waking it for each one.
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
	job := ex.jobLocked(ctx)
	if job != nil && ex.deadlockLocked(job) {
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
	case <-wt.ch: // granted a place in the queue, counted in ex.queued
		ex.mu.Lock()
		ex.waiters.put(wt)
		ex.mu.Unlock()
		ex.emitBlocked(since, nil)
		return nil, nil
	case <-ctx.Done():
		cause = context.Cause(ctx)
	case <-ex.closing:
		cause = ex.closedErr()
	}
	ex.mu.Lock()
	select {
	case <-wt.ch:
		// Granted while we gave up: take it. dispatch gives it back if the
		// executor has closed meanwhile.
		ex.waiters.put(wt)
		cause = nil
	default:
		ex.waiters.remove(wt)
		ex.waiters.put(wt)
	}
	ex.mu.Unlock()
	ex.emitBlocked(since, cause)
	return nil, cause
}

// emitBlocked reports a submitter's wait for room that began at since
// (zero when nobody listens) and ended admitted (err nil) or not.
func (ex *Executor) emitBlocked(since time.Time, err error) {
	if since.IsZero() {
		return
	}
	groupctl.Emit(ex.g, group.Event{Kind: group.SubmitBlocked, Err: err, Duration: time.Since(since)})
}

// dispatch hands the job made for a reservation to its worker, or to the
// queue when w is nil, or releases the reservation when the group refused
// the job (the executor closed after acquire).
func (ex *Executor) dispatch(w *worker, t *group.Task) error {
	refused := t.State() == group.Refused
	if w != nil {
		if refused {
			w.ch <- nil // releases the reservation
			return t.Err()
		}
		w.cur.Store(t) // before Submit returns, for Cancel
		w.ch <- t
		return nil
	}
	ex.mu.Lock()
	ex.queued--
	if refused {
		ex.active--
		ex.grantLocked()
		ex.trimIdleLocked()
		ex.mu.Unlock()
		return t.Err()
	}
	nw := ex.placeLocked(t)
	ex.mu.Unlock()
	if nw != nil && !ex.spawn(nw, false) {
		return ex.closedErr() // t was cancelled
	}
	return nil
}

// jobLocked returns the job whose context ctx is or derives from when that
// job holds a worker (it runs, or is on its way to one), else nil: a task
// started in the executor's group with [group.Group.Go], or a job that has
// finished, holds none.
func (ex *Executor) jobLocked(ctx context.Context) *group.Task {
	if g, _ := groupctl.GroupOf(ctx).(*group.Group); g != ex.g {
		return nil
	}
	t, _ := groupctl.TaskOf(ctx).(*group.Task)
	if t == nil {
		return nil
	}
	for _, w := range ex.all {
		if w.cur.Load() == t {
			return t
		}
	}
	return nil
}

// deadlockLocked reports whether every worker holds a job blocked in
// Submit (job itself, about to block, or a waiter's), so that none can come
// free. Helper goroutines cannot be told apart from their job: a goroutine
// that submits with its job's context counts as the job.
func (ex *Executor) deadlockLocked(job *group.Task) bool {
	blocked := map[*group.Task]bool{job: true}
	for wt := ex.waiters.head; wt != nil; wt = wt.next {
		if wt.job != nil {
			blocked[wt.job] = true
		}
	}
	n := 0
	for _, w := range ex.all {
		if t := w.cur.Load(); t != nil && blocked[t] {
			n++
		}
	}
	return n >= ex.assignedLocked()
}
