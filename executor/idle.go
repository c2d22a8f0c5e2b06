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
	if !w.idle || ex.idle.len() <= ex.queued {
		// Reserved or retired just now: a delivery is on its way and must
		// not be lost. Or a job on its way to the queue needs this worker
		// (a worker refused by the closing workers' group could not take
		// it): it waits for the job, or to be retired once the job has
		// gone elsewhere.
		ex.mu.Unlock()
		return w.got(<-w.ch)
	}
	ex.idle.remove(w)
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

// An idleList holds the parked workers, oldest first. Taking the newest
// (to reuse the warmest worker) and the oldest (to reap) are O(1); so is
// taking a worker out of the middle, which happens when a parked worker
// leaves on its own as the executor closes: its entry stays behind, stale,
// and is skipped when reached.
type idleList struct {
	ws []idleEntry
	n  int // live entries
}

type idleEntry struct {
	w   *worker
	gen uint32 // w.gen when it parked: a later park makes this entry stale
}

func (e idleEntry) live() bool { return e.w.idle && e.w.gen == e.gen }

func (l *idleList) len() int { return l.n }

// push parks w as the newest idle worker.
func (l *idleList) push(w *worker) {
	w.idle = true
	w.gen++
	l.ws = append(l.ws, idleEntry{w, w.gen})
	l.n++
}

// popNewest takes the most recently parked worker, or returns nil.
func (l *idleList) popNewest() *worker {
	for len(l.ws) > 0 {
		e := l.ws[len(l.ws)-1]
		l.ws[len(l.ws)-1] = idleEntry{}
		l.ws = l.ws[:len(l.ws)-1]
		if e.live() {
			l.n--
			e.w.idle = false
			return e.w
		}
	}
	return nil
}

// oldest returns the worker parked longest ago, or nil, leaving it parked.
func (l *idleList) oldest() *worker {
	for len(l.ws) > 0 {
		if e := l.ws[0]; e.live() {
			return e.w
		}
		l.ws[0] = idleEntry{}
		l.ws = l.ws[1:]
	}
	return nil
}

// popOldest takes the worker oldest returned.
func (l *idleList) popOldest() *worker {
	w := l.oldest()
	if w != nil {
		l.ws[0] = idleEntry{}
		l.ws = l.ws[1:]
		l.n--
		w.idle = false
	}
	return w
}

// remove takes w, parked, out of the list.
func (l *idleList) remove(w *worker) {
	w.idle = false
	l.n--
	if l.n == 0 {
		clear(l.ws)
		l.ws = l.ws[:0]
	}
}

// idleLocked parks w in ex.idle and makes sure the reaper will look at it.
func (ex *Executor) idleLocked(w *worker) {
	w.epoch = ex.epoch
	ex.idle.push(w)
	if !ex.reaping {
		ex.reaping = true
		if ex.reaper == nil {
			ex.reaper = time.AfterFunc(ex.opts.idle, ex.reap)
		} else {
			ex.reaper.Reset(ex.opts.idle)
		}
	}
}

// reap runs every IdleTimeout while workers are idle, in the timer's
// goroutine, and retires those idle since before the previous run: idle for
// between one and two IdleTimeouts. One timer per executor, not one per
// park: parking is the hot path.
func (ex *Executor) reap() {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.epoch++
	for w := ex.idle.oldest(); w != nil && w.epoch < ex.epoch-1; w = ex.idle.oldest() {
		ex.retireLocked(ex.idle.popOldest())
	}
	if ex.idle.len() > 0 {
		ex.reaper.Reset(ex.opts.idle)
	} else {
		ex.reaping = false
	}
}

// retireLocked tells an idle worker, taken off ex.idle, to exit.
func (ex *Executor) retireLocked(w *worker) {
	w.ch <- retired // never blocks: w was idle, so nothing else is in ch
}
