package executor

import (
	"runtime"
	"time"

	"github.com/nursery-go/nursery/group"
)

// spins is how many times an idle worker yields the processor, looking for
// a delivery, before it parks. A producer submitting tiny jobs hands the
// next one over within a few hundred nanoseconds: catching it while still
// awake saves a park and a wake-up per job, which otherwise cost more than
// the rest of the job's path. Spinning is bounded and yields, so an idle
// executor costs no CPU after a few microseconds.
const spins = 32

// retired is the delivery that tells an idle worker to exit: the reaper,
// Wait or closing took it off ex.idle first, so no job can follow it. The
// worker still counts in ex.workers until it has exited, so a job placed
// meanwhile may go to the backlog: a retired worker takes it before it
// exits (see retiredLocked).
var retired = new(group.Task)

// wait waits for a delivery. It reports false when the worker has been
// retired (idle too long, or the executor waits or closes) and has exited.
func (w *worker) wait() (*group.Task, bool) {
	ex := w.ex
	// Only a few workers spin at once: more could not all be handed a job
	// before they park anyway, and would only take turns on the processors.
	if ex.spinning.Add(1) <= ex.maxSpin {
		for range spins {
			select {
			case t := <-w.ch:
				ex.spinning.Add(-1)
				return w.got(t)
			default:
			}
			runtime.Gosched()
		}
	}
	ex.spinning.Add(-1)
	select {
	case t := <-w.ch:
		return w.got(t)
	case <-ex.wclosing: // closing: nothing new will come
	}
	ex.mu.Lock()
	if !w.idle || len(ex.idle) <= ex.queued {
		// Reserved or retired just now: a delivery is on its way and must
		// not be lost. Or a job on its way to the queue needs this worker
		// (a worker refused by the closing workers' group could not take
		// it): it waits for the job, or to be retired once the job has
		// gone elsewhere.
		ex.mu.Unlock()
		return w.got(<-w.ch)
	}
	ex.unidleLocked(w)
	ex.removeLocked(w)
	ex.mu.Unlock()
	return nil, false
}

func (w *worker) got(t *group.Task) (*group.Task, bool) {
	if t != retired {
		return t, true
	}
	ex := w.ex
	ex.mu.Lock()
	t, next := ex.retiredLocked(w)
	ex.mu.Unlock()
	switch next {
	case doRun:
		return t, true
	case doPark:
		return w.wait()
	}
	return nil, false
}

// idleLocked parks w in ex.idle and makes sure the reaper will look at it.
func (ex *Executor) idleLocked(w *worker) {
	w.idle, w.epoch = true, ex.epoch
	ex.idle = append(ex.idle, w)
	if !ex.reaping {
		ex.reaping = true
		if ex.reaper == nil {
			ex.reaper = time.AfterFunc(ex.opts.idle, ex.reap)
		} else {
			ex.reaper.Reset(ex.opts.idle)
		}
	}
}

// unidleLocked takes w off ex.idle.
func (ex *Executor) unidleLocked(w *worker) {
	for i, iw := range ex.idle {
		if iw == w {
			ex.idle = append(ex.idle[:i], ex.idle[i+1:]...)
			break
		}
	}
	w.idle = false
}

// reap runs every IdleTimeout while workers are idle, in the timer's
// goroutine, and retires those idle since before the previous run: idle for
// between one and two IdleTimeouts. One timer per executor, not one per
// park: parking is the hot path.
func (ex *Executor) reap() {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.epoch++
	n := 0 // ex.idle is oldest first: retire a prefix
	for n < len(ex.idle) && ex.idle[n].epoch < ex.epoch-1 {
		ex.retireLocked(ex.idle[n])
		n++
	}
	ex.idle = append(ex.idle[:0], ex.idle[n:]...)
	if len(ex.idle) > 0 {
		ex.reaper.Reset(ex.opts.idle)
	} else {
		ex.reaping = false
	}
}

// retireLocked tells an idle worker, already taken off ex.idle or about to
// be, to exit.
func (ex *Executor) retireLocked(w *worker) {
	w.idle = false
	w.ch <- retired // never blocks: w was idle, so nothing else is in ch
}
