package executor

import (
	"fmt"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// A worker is a goroutine that runs jobs, each with [group.Task.Run]. It
// starts with one job, then takes the oldest job of the backlog, and when
// there is none hands its place to the first blocked submitter, or exits.
// No worker waits idle: a parked goroutine that must be woken for every
// job costs more than starting a new one, and an executor with nothing to
// do holds no goroutine at all.
//
// The places among the MaxWorkers running are ex.running. Each is a
// member of the workers' group (groupctl.Enter), taken when the place is
// and left when it is freed, so that the executor's group cannot become
// Closed before its workers have done their bookkeeping and their hooks.
// A place passes from a finishing worker to the next job or to a blocked
// submitter as it is: such a hand-over is never refused, even while the
// executor closes.

// A place is what acquire reserves for one job.
type place int8

const (
	runPlace   place = iota + 1 // a place among the running: the job gets a worker of its own
	queuePlace                  // a place in the queue (see QueueDepth) or the backlog
)

// work is the body of a worker goroutine, which holds a place among the
// running and starts with the job t.
func (ex *Executor) work(t *group.Task) {
	normal := false
	defer func() {
		if !normal {
			// t called runtime.Goexit (r is nil), or a hook panicked.
			ex.died(t, recover())
		}
	}()
	if ex.opts.init != nil {
		if err := ex.opts.init(ex.gctx); err != nil {
			// The executor is cancelled before this returns: runJob
			// cancels every job given to it instead of running it.
			groupctl.Fail(ex.g, fmt.Errorf("executor: worker initializer: %w", err))
		}
	}
	for t != nil {
		ex.runJob(t)
		t = ex.after(t)
	}
	normal = true
}

// after accounts for the worker's finished job done and returns its next
// job, or nil: the worker then exits, its place freed or passed on. When
// the next in line is a blocked Submit, the worker makes that Submit's job
// itself and runs it at once: the submitter is woken once, to return, and
// no goroutine is started.
func (ex *Executor) after(done *group.Task) *group.Task {
	ex.mu.Lock()
	ex.waiters.jobDone(done)
	for {
		t, wt, kept := ex.nextLocked(true)
		if wt == nil {
			idle := !kept && ex.activeLocked() == 0 && ex.waiters.len() == 0
			drained := ex.drainedLocked()
			ex.mu.Unlock()
			if !kept {
				if idle {
					// A parent waiting for nothing but idle executors
					// ends them (as their Wait would: the workers' group
					// closes once this worker has left it).
					groupctl.Idle(ex.g)
				}
				ex.leave(drained)
			}
			return t
		}
		ex.mu.Unlock()
		if t = ex.makeFor(wt); t != nil {
			return t
		}
		// The group refused wt's job, or its observer panicked: the place
		// is still the worker's.
		ex.mu.Lock()
	}
}

// makeFor makes the job of the blocked Submit wt, taken off the list by
// nextLocked, and wakes the submitter with it. It returns the job, or nil
// when the group refused it (the submitter gets the refused task) or the
// group's observer panicked (the submitter panics with the same value).
func (ex *Executor) makeFor(wt *waiter) (t *group.Task) {
	made := false
	defer func() {
		if !made {
			if wt.panicked = recover(); wt.panicked == nil {
				// runtime.Goexit: the worker goes, and the submitter
				// must not return without a job or an error.
				wt.panicked = errObserverExited
			}
			t = nil
		}
		wt.ch <- struct{}{} // never blocks: one grant per wait
	}()
	t = ex.g.Go(wt.fn, ex.hold)
	wt.t = t
	made = true
	if t.State() == group.Refused {
		return nil
	}
	return t
}

// died accounts for a worker whose job t called runtime.Goexit, or whose
// hook or initializer panicked with r, and passes its place on.
func (ex *Executor) died(t *group.Task, r any) {
	t.Cancel() // a no-op unless a hook panicked before t ran
	if r != nil {
		// As a worker's panic: with PanicsAsErrors it comes to the workers'
		// group's OnError as an error, which gives it to the executor's.
		groupctl.Panicked(ex.wg, "worker", r)
	}
	ex.passOn(t)
}

// passOn passes on a place among the running that its holder, not a
// worker that goes on, no longer needs, once the job done (nil: none) has
// ended: see nextLocked. A job taken from the backlog gets a new worker.
func (ex *Executor) passOn(done *group.Task) {
	ex.mu.Lock()
	ex.waiters.jobDone(done)
	next, _, kept := ex.nextLocked(false)
	drained := ex.drainedLocked()
	ex.mu.Unlock()
	if next != nil {
		go ex.work(next)
	} else if !kept {
		ex.leave(drained)
	}
}

// nextLocked passes on a place among the running that its holder no longer
// needs: to the oldest job of the backlog, which it returns for the caller
// to run, else to the first blocked submitter. With inline, a blocked
// Submit is returned instead, for the caller to make its job and run it
// (see after). It reports whether the place was passed on; when it was
// not, it is freed, and the caller must call leave.
func (ex *Executor) nextLocked(inline bool) (*group.Task, *waiter, bool) {
	if ex.backlog.len() > 0 {
		t := ex.backlog.pop()
		ex.grantLocked()
		return t, nil, true
	}
	if ex.waiters.len() > 0 {
		wt := ex.waiters.popFront()
		if inline && wt.fn != nil {
			wt.taken = true
			return nil, wt, true
		}
		wt.run = true
		wt.ch <- struct{}{} // never blocks: one grant per wait
		return nil, nil, true
	}
	ex.running--
	return nil, nil, false
}

// takeLocked takes a new place among the running for a job, if one is free
// and the workers' group admits one more member (it does not once the
// executor closes, or Wait has found nothing left to do).
func (ex *Executor) takeLocked() bool {
	if ex.running >= ex.max || !groupctl.Enter(ex.wg) {
		return false
	}
	ex.running++
	return true
}

// drainedLocked reports whether the executor is waiting and has nothing
// left to do: its workers' group can then close, once every worker has
// left it, so that the executor's group can close (a group waits for its
// subgroups).
func (ex *Executor) drainedLocked() bool { return ex.waiting && ex.activeLocked() == 0 }

// activeLocked counts the jobs accepted and not finished, and the places
// reserved for jobs being made: the places taken among the running (each
// a job running or on its way to a worker), the jobs in the backlog and the
// places in it reserved by Submit.
func (ex *Executor) activeLocked() int { return ex.running + ex.backlog.len() + ex.queued }

// leave frees a place among the running (after nextLocked did not pass it
// on), and closes the workers' group if the executor is drained.
func (ex *Executor) leave(drained bool) {
	if drained {
		// The group closes when its last member has left.
		ex.wg.Cancel()
	}
	groupctl.Leave(ex.wg)
}

// grantLocked admits blocked submitters into the queue (see QueueDepth),
// first come first served, once it has drained to half: a producer blocked
// on a full queue is woken once per depth/2 jobs, not once per job.
func (ex *Executor) grantLocked() {
	for ex.waiters.len() > 0 && ex.opts.queue > 0 && ex.backlog.len()+ex.queued <= ex.opts.queue/2 {
		wt := ex.waiters.popFront()
		ex.queued++
		wt.ch <- struct{}{} // never blocks: one grant per wait
	}
}

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
	return ex.backlog.filter(func(t *group.Task) bool { return !t.State().Final() })
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
