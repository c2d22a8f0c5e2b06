package executor

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// A worker is a goroutine, a task of the executor's worker group, that runs
// one held job after another with [group.Task.Run]: starting a goroutine
// per job would cost more than the rest of a tiny job's path together.
//
// A worker is busy (it runs a job, or a job is on its way to it on ch) or
// idle (in ex.idle, spinning or parked). Every job or reservation given to it is one unit of
// ex.active, which it gives back when the job has finished.
type worker struct {
	ex    *Executor
	ch    chan *group.Task // buffer 1: one delivery per reservation; nil releases it
	cur   atomic.Pointer[group.Task]
	pos   int    // index in ex.all, guarded by ex.mu
	epoch uint64 // ex.epoch when it went idle, guarded by ex.mu
	idle  bool   // in ex.idle, guarded by ex.mu
	gen   uint32 // counts its parks, guarded by ex.mu (see idleList)
	fresh bool   // a replacement: looks for work itself instead of waiting for a delivery
}

// action is what nextLocked tells a worker to do.
type action int8

const (
	doRun  action = iota // run the job returned
	doPark               // wait for a delivery
	doExit               // nothing to do and the executor is waiting or closing
)

// run is the worker's task body.
func (w *worker) run(ctx context.Context) error {
	ex := w.ex
	normal := false
	defer func() {
		if !normal {
			ex.workerDied(w)
		}
	}()
	if ex.opts.init != nil {
		if err := ex.opts.init(ctx); err != nil {
			// The executor is cancelled before this returns: the loop
			// below cancels every job it is given instead of running it.
			groupctl.Fail(ex.g, fmt.Errorf("executor: worker initializer: %w", err))
		}
	}
	var t *group.Task
	next := doPark
	if w.fresh {
		ex.mu.Lock()
		t, next = ex.nextLocked(w)
		ex.mu.Unlock()
	}
	for {
		if next == doPark {
			var ok bool
			if t, ok = w.wait(); !ok {
				break
			}
		} else if next == doExit {
			break
		}
		if t != nil {
			w.cur.Store(t)
			ex.runJob(t)
			w.cur.Store(nil)
		}
		ex.mu.Lock()
		ex.active-- // t has finished, or the reservation was released
		if t != nil {
			ex.waiters.jobDone(t)
		}
		t, next = ex.nextLocked(w)
		idle := next == doPark && ex.active == 0 && ex.waiters.len() == 0
		ex.mu.Unlock()
		if idle {
			// A parent waiting for nothing but idle executors ends them.
			groupctl.Idle(ex.g)
		}
	}
	normal = true
	return nil
}

// assignedLocked counts the jobs given to workers (running, or on their
// way): the rest of active waits in the backlog or is about to.
func (ex *Executor) assignedLocked() int { return ex.active - ex.backlog.len() - ex.queued }

// pendingLocked counts the jobs in the backlog that have not been cancelled
// while they waited.
func (ex *Executor) pendingLocked() int {
	n := 0
	ex.backlog.each(func(t *group.Task) {
		if !t.State().Final() {
			n++
		}
	})
	return n
}

// dropFinishedLocked takes the jobs cancelled while they waited out of the
// backlog, so that they no longer take room in it, and reports how many it
// took. Workers skip them anyway; this is for the slow paths that would
// otherwise refuse or block for want of room.
func (ex *Executor) dropFinishedLocked() int {
	n := ex.backlog.filter(func(t *group.Task) bool { return !t.State().Final() })
	ex.active -= n
	return n
}

// grantLocked admits blocked submitters into the queue (see QueueDepth),
// first come first served, once it has drained to half: a producer blocked
// on a full queue is woken once per depth/2 jobs, not once per job.
func (ex *Executor) grantLocked() {
	for ex.waiters.len() > 0 && ex.opts.queue > 0 && ex.backlog.len()+ex.queued <= ex.opts.queue/2 {
		wt := ex.waiters.popFront()
		ex.active++
		ex.queued++
		wt.ch <- struct{}{} // never blocks: one grant per wait
	}
}

// handOffLocked reserves w, a worker with nothing to run, for the first
// blocked submitter, and reports whether there was one. A job granted a
// place in the queue earlier may still be on its way there and must run
// first: while some has no idle worker to go to, w is kept for it.
func (ex *Executor) handOffLocked(w *worker) bool {
	if ex.waiters.len() == 0 || ex.queued > ex.idle.len() {
		return false
	}
	wt := ex.waiters.popFront()
	ex.active++
	wt.w = w
	wt.ch <- struct{}{} // never blocks: one grant per wait
	return true
}

// placeLocked gives an accepted job (counted in active) to an idle worker,
// or to a new worker that the caller must start with spawn, or else to the
// backlog, where the next worker to finish a job takes it.
func (ex *Executor) placeLocked(t *group.Task) (spawn *worker) {
	if w := ex.idle.popNewest(); w != nil {
		w.cur.Store(t) // for Cancel
		w.ch <- t      // never blocks: w was idle
		return nil
	}
	if ex.workers < ex.max {
		w := ex.newWorkerLocked(false)
		w.cur.Store(t)
		w.ch <- t
		return w
	}
	ex.backlog.push(t)
	return nil
}

// nextLocked finds the worker's next job: the oldest in the backlog, else
// none: it parks, to be handed the next job placed, or exits when the
// executor waits or closes and every job on its way to the queue has
// another idle worker to go to.
func (ex *Executor) nextLocked(w *worker) (*group.Task, action) {
	if t := ex.popLocked(w); t != nil {
		return t, doRun
	}
	// The first blocked submitter gets this worker, unless a job on its
	// way to the queue needs it; then blocked submitters may get places in
	// the queue, if it has room.
	if ex.handOffLocked(w) {
		return nil, doPark
	}
	ex.grantLocked()
	if (ex.waiting || isClosed(ex.wclosing)) && ex.idle.len() >= ex.queued {
		// Every job on its way has an idle worker to go to: this one is
		// not needed.
		ex.removeLocked(w)
		return nil, doExit
	}
	ex.idleLocked(w)
	return nil, doPark
}

// popLocked gives w the oldest job of the backlog, if any.
func (ex *Executor) popLocked(w *worker) *group.Task {
	if ex.backlog.len() == 0 {
		return nil
	}
	t := ex.backlog.pop() // it was counted in active already
	w.cur.Store(t)
	ex.grantLocked()
	return t
}

// retiredLocked decides what a worker told to exit does: it takes a job
// that went to the backlog meanwhile (it was still counted in ex.workers
// then), parks again when a job on its way to the queue would find no idle
// worker, and exits otherwise.
func (ex *Executor) retiredLocked(w *worker) (*group.Task, action) {
	if t := ex.popLocked(w); t != nil {
		return t, doRun
	}
	if ex.handOffLocked(w) {
		return nil, doPark
	}
	if ex.queued > ex.idle.len() {
		ex.idleLocked(w)
		return nil, doPark
	}
	ex.removeLocked(w)
	return nil, doExit
}

// trimIdleLocked retires the idle workers that no job on its way to the
// queue needs, once the executor waits or closes: none will be needed
// again.
func (ex *Executor) trimIdleLocked() {
	if !ex.waiting && !isClosed(ex.wclosing) {
		return
	}
	for ex.idle.len() > ex.queued {
		ex.retireLocked(ex.idle.popNewest())
	}
}

// removeLocked forgets an exiting worker. The last one out of a waiting
// executor closes the workers' group, so that the executor's group can
// close (a group waits for its subgroups).
func (ex *Executor) removeLocked(w *worker) {
	last := ex.all[len(ex.all)-1]
	ex.all[w.pos], last.pos = last, w.pos
	ex.all = ex.all[:len(ex.all)-1]
	ex.workers--
	if ex.workers == 0 {
		if ex.reaping {
			ex.reaper.Stop() // nothing left to reap
			ex.reaping = false
		}
		if ex.waiting && ex.active == 0 {
			// Cancel only takes the workers' group's lock, never ex.mu.
			ex.wg.Cancel()
		}
	}
}

// reserveLocked takes one unit of active for a job about to be made and
// returns the worker that will run it: an idle one, or a new one (spawn
// reports true) that the caller must start with spawn.
func (ex *Executor) reserveLocked() (w *worker, spawn bool) {
	ex.active++
	if w = ex.idle.popNewest(); w != nil {
		return w, false
	}
	return ex.newWorkerLocked(false), true
}

func (ex *Executor) newWorkerLocked(fresh bool) *worker {
	w := &worker{ex: ex, ch: make(chan *group.Task, 1), pos: len(ex.all), fresh: fresh}
	ex.all = append(ex.all, w)
	ex.workers++
	return w
}

// spawn starts a worker made by newWorkerLocked and reports whether it
// started: the workers' group refuses it once the executor closes (or Wait
// has found nothing left to do). A worker that does not start gives back
// what it was given: the reservation (reserved), or the job placed in its
// channel, which is cancelled. The last worker gone cancels the backlog too,
// since no worker is left to run it.
func (ex *Executor) spawn(w *worker, reserved bool) bool {
	if ex.wg.Go(w.run).State() != group.Refused {
		return true
	}
	var drop []*group.Task
	ex.mu.Lock()
	select {
	case t := <-w.ch:
		drop = append(drop, t)
		ex.active--
	default:
	}
	if reserved {
		ex.active--
	}
	if ex.workers == 1 {
		for ex.backlog.len() > 0 {
			drop = append(drop, ex.backlog.pop())
			ex.active--
		}
	}
	ex.removeLocked(w)
	ex.mu.Unlock()
	for _, t := range drop {
		t.Cancel()
	}
	return false
}

// workerDied accounts for a worker whose job called runtime.Goexit or whose
// hook panicked, and starts a replacement when work is waiting.
func (ex *Executor) workerDied(w *worker) {
	if t := w.cur.Load(); t != nil {
		t.Cancel() // a no-op unless a hook panicked before it ran
	}
	ex.mu.Lock()
	if t := w.cur.Load(); t != nil {
		ex.active--
		ex.waiters.jobDone(t)
	}
	ex.removeLocked(w)
	var nw *worker
	if ex.backlog.len() > 0 || ex.waiters.len() > 0 {
		nw = ex.newWorkerLocked(true)
	}
	ex.mu.Unlock()
	if nw != nil {
		ex.spawn(nw, false)
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
