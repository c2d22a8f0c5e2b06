package executor

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
)

// Map runs fn on each item of seq as jobs of ex and yields the results in
// the order of seq, each with its job's error. At most [Window] items are in
// flight at once; Map takes the next item from seq only when the window has
// room (the oldest result has been yielded), so a slow item holds back the
// others by at most the window, and it takes none once it has stopped: a
// source such as a queue loses no item to it. Submitting blocks as
// [Executor.Submit] does, so Map shares ex's workers and back-pressure with
// other work.
//
// Map runs when ranged over, in the ranging goroutine, and is done when the
// range ends: leaving the range early (break, return) or ctx ending
// cancels the items in flight and waits until they have finished, so
// nothing is left running. When ctx ends, Map yields [context.Cause](ctx)
// and stops. Jobs must return when their context is cancelled, or leaving
// the range waits for them.
//
// A failure counts at its place in seq, as in flow's stages: Map yields
// every result before the first failed item, then its error. Under
// fail-fast the failed item's job holds its error until the items before
// it have been yielded, and only then fails the executor, which cancels
// the items after it. With [SuppressErrors] a failed item yields its error
// and Map goes on.
//
// When ex closes for another reason while Map runs (Close, the parent
// closing, a failure of other work), Map submits nothing more; items not
// yet started never start; results already produced are still yielded in
// order; items cancelled by the close are skipped, and Map ends by yielding
// the executor's cause ([group.Group.Cause]) unless an error was yielded
// already.
//
// Map panics if ex, seq or fn is nil.
func Map[In, Out any](ctx context.Context, ex *Executor, seq iter.Seq[In], fn func(ctx context.Context, v In) (Out, error), opts ...Option) iter.Seq2[Out, error] {
	mustContext(ctx, "Map")
	if ex == nil || seq == nil || fn == nil {
		panic("executor: Map with nil executor, sequence or function")
	}
	mo := streamOptions(ex, "Map", opts)
	window, inTurn := mo.window, !mo.inTime && !ex.opts.suppress
	return func(yield func(Out, error) bool) {
		s := &stream[Out]{ex: ex, yield: yield}
		m := &mapShared[In, Out]{fn: fn, inTurn: inTurn, ready: make(chan struct{}, 1)}
		// items is a ring of the items in flight, oldest at head. It starts
		// small and grows up to the window, so that a large window (or an
		// unbounded one, for callers with no limit) costs only what is used.
		items := make([]*mapItem[In, Out], min(window, 64))
		head, n := 0, 0
		var failed <-chan struct{}
		if inTurn {
			failed = m.turn.watch()
		}
		taken := int64(0)
		defer func() {
			tasks := make([]*group.Task, 0, n)
			for i := range n {
				tasks = append(tasks, items[(head+i)%len(items)].t)
			}
			cancelAndWait(tasks)
			// Items yielded whose jobs are still finishing their
			// bookkeeping: the range ends once they have.
			for _, it := range m.settling {
				<-it.t.Done()
			}
		}()
		emit := func() bool {
			m.turn.reach()
			it := items[head]
			items[head] = nil
			head, n = (head+1)%len(items), n-1
			if ctx.Err() != nil || !m.wait(ctx, ex, it) { // an ended ctx wins over a ready result
				it.t.Cancel()
				<-it.t.Done()
				s.fail(context.Cause(ctx))
				return false
			}
			v, state, err := it.result()
			m.settle(it)
			return s.deliver(v, err, state)
		}
		// Room for an item is made before it is taken from seq: a value
		// taken and then dropped because the range ended would be lost to
		// a source such as a queue. So the ready results are yielded and
		// the window made to have room at the end of each step, and the
		// only wait with a value in hand is for a worker, which yields
		// nothing and so cannot end the range.
		for v := range seq {
			w, _, err := ex.acquire(ctx, true, failed, nil)
			for err == errTurn {
				// A failed item waits for its turn, and the workers may all
				// be busy until it has it: yield up to it before blocking.
				for n > 0 {
					if !emit() {
						return
					}
				}
				w, _, err = ex.acquire(ctx, true, nil, nil)
			}
			if err == nil {
				it := m.get(v, taken)
				taken++
				it.t = makeJob(ex, w, func() *group.Task { return ex.g.Go(it.body, ex.hold) })
				if err = ex.dispatch(w, it.t); err == nil {
					if n == len(items) {
						items, head = growRing(items, head, n, window), 0
					}
					items[(head+n)%len(items)] = it
					n++
					// Yield what is ready first: it keeps the window
					// short, and the caller may be waiting for it.
					for n > 0 && (n == window || items[head].ready()) {
						if !emit() {
							return
						}
					}
					continue
				}
				m.settle(it) // refused: final already
			}
			if !s.submitFailed(ctx, err) {
				return
			}
			break
		}
		for n > 0 {
			if !emit() {
				return
			}
		}
		s.finish()
	}
}

// mapShared is what the items of one Map share: the function, the order of
// failures (see turns), the signal that an item's function has ended, and
// the item records, which are reused, so that an item costs its job's Task
// and nothing of the stream's own.
type mapShared[In, Out any] struct {
	fn     func(context.Context, In) (Out, error)
	inTurn bool
	turn   turns
	ready  chan struct{} // buffer 1: some item's function has ended since the consumer last looked

	free     *mapItem[In, Out]   // records whose job is final, for reuse
	settling []*mapItem[In, Out] // records yielded whose job may still be finishing
}

// A mapItem is one item of an ordered Map: the item, its job and, once the
// job's function has returned, its result.
type mapItem[In, Out any] struct {
	m        *mapShared[In, Out]
	body     func(context.Context) error // run, bound once per record
	t        *group.Task
	v        In
	i        int64 // position in seq
	out      Out
	err      error
	returned bool        // the function returned (not a panic or runtime.Goexit): out and err are set
	ended    atomic.Bool // run has ended, normally or not
	next     *mapItem[In, Out]
}

// get returns a record for the item v at position i, reused or new.
func (m *mapShared[In, Out]) get(v In, i int64) *mapItem[In, Out] {
	it := m.free
	if it != nil {
		m.free = it.next
		it.next = nil
	} else {
		it = &mapItem[In, Out]{m: m}
		it.body = it.run
	}
	it.v, it.i = v, i
	return it
}

// settle takes back the record of an item that has been yielded (or
// refused): reused once its job is final, which it is, almost always, by
// the time its result has been yielded. Records not yet final wait on the
// settling list, which holds at most those of jobs between their return
// and the end of their bookkeeping.
func (m *mapShared[In, Out]) settle(it *mapItem[In, Out]) {
	if len(m.settling) > 0 {
		kept := m.settling[:0]
		for _, s := range m.settling {
			if s.t.State().Final() {
				m.recycle(s)
			} else {
				kept = append(kept, s)
			}
		}
		clear(m.settling[len(kept):])
		m.settling = kept
	}
	if it.t.State().Final() {
		m.recycle(it)
	} else {
		m.settling = append(m.settling, it)
	}
}

// recycle puts the record of a final job on the free list.
func (m *mapShared[In, Out]) recycle(it *mapItem[In, Out]) {
	var zeroIn In
	var zeroOut Out
	it.t, it.v, it.out, it.err, it.returned = nil, zeroIn, zeroOut, nil, false
	it.ended.Store(false)
	it.next, m.free = m.free, it
}

// run is the item's job: fn on the item. Its end, however it ends, is
// signalled on m.ready, which the consumer waits on for the oldest item.
func (it *mapItem[In, Out]) run(ctx context.Context) error {
	m := it.m
	defer func() {
		it.ended.Store(true)
		select {
		case m.ready <- struct{}{}:
		default: // a signal is pending already: the consumer will look
		}
	}()
	out, err := m.fn(ctx, it.v)
	if err != nil && m.inTurn {
		// Under fail-fast the failure closes the executor, which cancels
		// the items in flight: wait until the items before this one have
		// been yielded.
		m.turn.await(ctx, it.i)
	}
	it.out, it.err, it.returned = out, err, true
	return err
}

// ready reports whether the item's result can be yielded without waiting.
func (it *mapItem[In, Out]) ready() bool { return it.ended.Load() || it.t.State().Final() }

// result returns the item's result and its job's state. A success is
// taken as the function returned it; anything else (a failure, a panic,
// a job cancelled before it ran) as its job accounts for it, once final.
func (it *mapItem[In, Out]) result() (Out, group.TaskState, error) {
	if it.returned && it.err == nil {
		return it.out, group.Succeeded, nil
	}
	<-it.t.Done()
	return it.out, it.t.State(), it.t.Err()
}

// wait waits until the item it is ready, and reports whether it is (false:
// ctx ended first). An item's job signals m.ready when its function ends;
// a job that never runs (cancelled while it waited for a worker) does not,
// and is waited for on its Done channel once the executor's context has
// ended, which comes before any such cancellation, or at once in an
// executor with hooks, whose failure may cancel a job before it runs.
func (m *mapShared[In, Out]) wait(ctx context.Context, ex *Executor, it *mapItem[In, Out]) bool {
	var taskDone <-chan struct{}
	if ex.opts.hooks != nil {
		taskDone = it.t.Done()
	}
	exDone := ex.gctx.Done()
	for !it.ready() {
		select {
		case <-m.ready:
		case <-taskDone:
		case <-exDone:
			taskDone, exDone = it.t.Done(), nil
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// growRing returns a larger copy of the full ring futs, oldest item first,
// at most limit long.
func growRing[T any](futs []T, head, n, limit int) []T {
	grown := make([]T, min(limit, max(2*len(futs), 1)))
	for i := range n {
		grown[i] = futs[(head+i)%len(futs)]
	}
	return grown
}

// turns lets a failed item of an ordered Map wait until the items before it
// have been yielded, so that its failure, which closes a fail-fast
// executor, cancels only the items after it: an ordered stream yields
// everything before its first failure, as flow's stages do. The consumer
// pays one atomic store per item; only failed items wait.
type turns struct {
	next    atomic.Int64 // index of the item being yielded
	waiting atomic.Bool  // a failed item waits: reach must wake it
	mu      sync.Mutex
	wake    chan struct{} // closed when next moves on; made by a waiter
	failed  chan struct{} // closed when a failed item first waits; see watch
}

// watch returns a channel closed once a failed item waits for its turn.
// It is called once, before any item is submitted.
func (t *turns) watch() <-chan struct{} {
	t.failed = make(chan struct{})
	return t.failed
}

// reach tells the waiters that the item numbered next is being yielded.
func (t *turns) reach() {
	t.next.Add(1)
	if t.waiting.Load() {
		t.mu.Lock()
		if t.wake != nil {
			close(t.wake)
			t.wake = nil
		}
		t.mu.Unlock()
	}
}

// await waits until item i is being yielded, or ctx ends.
func (t *turns) await(ctx context.Context, i int64) {
	for {
		t.mu.Lock()
		if !t.waiting.Swap(true) && t.failed != nil {
			close(t.failed)
		}
		if t.next.Load() > i {
			t.mu.Unlock()
			return
		}
		if t.wake == nil {
			t.wake = make(chan struct{})
		}
		wake := t.wake
		t.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return
		}
	}
}
