package executor

import (
	"context"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
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
func (w *worker) run(context.Context) error {
	ex := w.ex
	normal := false
	defer func() {
		if !normal {
			ex.workerDied(w)
		}
	}()
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
		t, next = ex.nextLocked(w)
		ex.mu.Unlock()
	}
	normal = true
	return nil
}

// assignedLocked counts the jobs given to workers (running, or on their
// way): the rest of active waits in the backlog or is about to.
func (ex *Executor) assignedLocked() int { return ex.active - ex.backlog.len() - ex.queued }

// grantLocked admits blocked submitters into the queue, first come first
// served, once it has drained to half: a producer blocked on a full queue is
// woken once per MaxWorkers/2 jobs, not once per job.
func (ex *Executor) grantLocked() {
	for ex.waiters.len() > 0 && ex.backlog.len()+ex.queued <= ex.max/2 {
		wt := ex.waiters.popFront()
		if wt.inJob {
			ex.jobWaiters--
		}
		ex.active++
		ex.queued++
		wt.ch <- struct{}{} // never blocks: one grant per wait
	}
}

// placeLocked gives an accepted job (counted in active) to an idle worker,
// or to a new worker that the caller must start with spawn, or else to the
// backlog, where the next worker to finish a job takes it.
func (ex *Executor) placeLocked(t *group.Task) (spawn *worker) {
	if n := len(ex.idle); n > 0 {
		w := ex.idle[n-1]
		ex.idle[n-1] = nil
		ex.idle = ex.idle[:n-1]
		w.idle = false
		w.ch <- t // never blocks: w was idle
		return nil
	}
	if ex.workers < ex.max {
		w := ex.newWorkerLocked(false)
		w.ch <- t
		return w
	}
	ex.backlog.push(t)
	return nil
}

// nextLocked finds the worker's next job: the oldest in the backlog, else
// none: it parks, to be handed the next job placed, or exits when the
// executor waits or closes and no job is on its way.
func (ex *Executor) nextLocked(w *worker) (*group.Task, action) {
	if ex.backlog.len() > 0 {
		t := ex.backlog.pop() // it was counted in active already
		ex.grantLocked()
		return t, doRun
	}
	// Blocked submitters get places in the queue, never this worker
	// directly: a job granted earlier may still be on its way to the queue,
	// and must run first.
	ex.grantLocked()
	if ex.queued == 0 && (ex.waiting || isClosed(ex.wclosing)) {
		ex.removeLocked(w)
		return nil, doExit
	}
	ex.idleLocked(w)
	return nil, doPark
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
	if n := len(ex.idle); n > 0 {
		w = ex.idle[n-1]
		ex.idle[n-1] = nil
		ex.idle = ex.idle[:n-1]
		w.idle = false
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
// started: the workers' group refuses it once the executor closes.
func (ex *Executor) spawn(w *worker) bool {
	if ex.wg.Go(w.run).State() != group.Refused {
		return true
	}
	ex.mu.Lock()
	ex.removeLocked(w)
	ex.mu.Unlock()
	return false
}

// workerDied accounts for a worker whose job called runtime.Goexit or whose
// hook panicked, and starts a replacement when work is waiting.
func (ex *Executor) workerDied(w *worker) {
	if t := w.cur.Load(); t != nil {
		t.Cancel() // a no-op unless a hook panicked before it ran
	}
	ex.mu.Lock()
	if w.cur.Load() != nil {
		ex.active--
	}
	ex.removeLocked(w)
	var nw *worker
	if ex.backlog.len() > 0 || ex.waiters.len() > 0 {
		nw = ex.newWorkerLocked(true)
	}
	ex.mu.Unlock()
	if nw != nil {
		ex.spawn(nw)
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
