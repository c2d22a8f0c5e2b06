package executor

import (
	"cmp"
	"context"
	"errors"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
)

// Map runs fn on each item of seq as jobs of ex and yields the results in
// the order of seq, each with its error. At most [Window] items are in
// flight at once; Map takes the next item from seq only when the window has
// room (the oldest result has been yielded), so a slow item holds back the
// others by at most the window, and it takes none once it has stopped: a
// source such as a queue loses no item to it. Submitting blocks as
// [Executor.Submit] does, so Map shares ex's workers and back-pressure with
// other work.
//
// A job of Map runs one item, then the items taken meanwhile that no job
// has started, one after another, up to 64, and makes way sooner for any
// Submit blocked on ex: cheap items cost a job's bookkeeping once for many,
// while slow ones still spread over every worker free. A job ends with
// its first failed item; the items after it go to other jobs. But while
// the ranging goroutine is elsewhere than waiting for a result (in seq, or
// in the loop body), the last job goes on as long as items are waiting,
// past 64 items, a blocked Submit and, with [SuppressErrors], a failure
// (it then ends failed with its first failure): so items never wait with
// no job while seq waits for their work, as a crawler's queue does. In an
// executor with hooks (see [Observe]) each item is a job of its own, so
// that the hooks see every item.
//
// Map runs when ranged over, in the ranging goroutine, and is done when the
// range ends: leaving the range early (break, return) or ctx ending
// cancels the items in flight and waits until their jobs have finished, so
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
		m := &mapShared[In, Out]{ex: ex, fn: fn, inTurn: inTurn, ready: make(chan struct{}, 1), maxRun: maxRun}
		if ex.opts.hooks != nil {
			m.maxRun = 1
		}
		s := &stream[Out]{ex: ex, yield: yield}
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
		defer m.stop()
		emit := func() bool {
			m.turn.reach()
			it := items[head]
			items[head] = nil
			head, n = (head+1)%len(items), n-1
			if ctx.Err() != nil || !m.wait(ctx, it) { // an ended ctx wins over a ready result
				s.fail(context.Cause(ctx))
				return false
			}
			v, state, err := m.result(it)
			m.recycle(it)
			return s.deliver(v, err, state)
		}
		// Room for an item is made before it is taken from seq: a value
		// taken and then dropped because the range ended would be lost to
		// a source such as a queue. So the ready results are yielded and
		// the window made to have room at the end of each step, and the
		// only wait with a value in hand is for a worker, which yields
		// nothing and so cannot end the range.
		for v := range seq {
			it := m.get(v, taken)
			taken++
			err := m.place(ctx, it, failed)
			for err == errTurn {
				// A failed item waits for its turn, and the workers may all
				// be busy until it has it: yield up to it before blocking.
				for n > 0 {
					if !emit() {
						m.recycle(it)
						return
					}
				}
				err = m.place(ctx, it, nil)
			}
			if err == nil {
				if n == len(items) {
					items, head = growRing(items, head, n, window), 0
				}
				items[(head+n)%len(items)] = it
				n++
				// Yield what is ready first: it keeps the window short,
				// and the caller may be waiting for it.
				for n > 0 && (n == window || items[head].ended.Load()) {
					if !emit() {
						return
					}
				}
				continue
			}
			m.recycle(it)
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
		m.drained = true
		s.finish()
	}
}

// maxRun is how many items one job of an ordered Map runs at most.
const maxRun = 64

// mapShared is what the items and jobs of one ordered Map share. Its jobs
// are runners: each starts with the item it was made for and then takes
// the oldest pending item (taken from seq while every runner was busy and
// no worker was free for another), until none is left, it has run maxRun,
// or a Submit is blocked on the executor. The ranging goroutine starts a
// runner when it takes an item and a worker is free, or, when no runner is
// left that could take the pending items, with back-pressure; and when the
// item it waits for is pending with no runner left, for that item.
//
// Item records are reused: an item costs no allocation of the stream's
// own, and a runner its Task and its record.
//
// MapUnordered and MapBatches run on the same runners (see unordered):
// they take no turns, and learn of each item's end from the done stack
// instead of waiting for the oldest.
type mapShared[In, Out any] struct {
	ex      *Executor
	fn      func(context.Context, In) (Out, error)
	inTurn  bool
	turn    turns
	ready   chan struct{} // buffer 1: an item or a runner has ended since the consumer last looked
	maxRun  int
	drained bool // every item was yielded (set by the ranging goroutine)

	// unordered: the stream is MapUnordered's (or MapBatches'), whose
	// consumer learns which items have ended from done, a stack of them
	// pushed as they end (see end) that it takes whole (see
	// unordered.next).
	unordered bool
	done      atomic.Pointer[mapItem[In, Out]]

	// waiting: the consumer waits for a result, and will start a runner
	// for pending items left with none (see waitOver). Anywhere else it
	// may be away in code that waits for the items (seq, or the loop
	// body), so the last runner does not leave them (see leaveLocked).
	waiting atomic.Bool

	mu       sync.Mutex          // guards the fields below, and mapItem.r
	pending  []*mapItem[In, Out] // items no runner has taken yet, oldest at phead
	phead    int
	npending atomic.Int32          // len(pending) - phead, for a runner's spin
	spinning atomic.Int32          // runners in spin: idle, and about to take what comes
	pruneAt  int                   // prune runners when the list is this long (see start)
	active   int                   // runners that may still take a pending item
	nactive  atomic.Int32          // active, for away to read without m.mu
	runners  []*mapRunner[In, Out] // runners whose job is not known final

	free *mapItem[In, Out] // item records to reuse
}

// A mapItem is one item of an ordered Map: the item, the runner that has
// it and, once fn has returned, its result.
type mapItem[In, Out any] struct {
	v        In
	i        int64               // position in seq
	r        *mapRunner[In, Out] // the runner that has it; nil while pending
	out      Out
	err      error
	returned bool              // fn returned (not a panic or runtime.Goexit): out and err are set
	ended    atomic.Bool       // its run has ended, normally or not
	next     *mapItem[In, Out] // on the free list, or (unordered) the done stack
	// own: it failed and its runner went on (see run), so its result is
	// its own, err with state, not its job's.
	own   bool
	state group.TaskState
}

// A mapRunner is one job of an ordered Map (see mapShared).
type mapRunner[In, Out any] struct {
	m       *mapShared[In, Out]
	body    func(context.Context) error // run, bound once per record
	t       *group.Task
	first   *mapItem[In, Out] // the item it was made for
	exited  bool              // it takes no more items (under m.mu)
	started bool              // its job runs (under m.mu)
}

// get returns a record for the item v at position i, reused or new.
func (m *mapShared[In, Out]) get(v In, i int64) *mapItem[In, Out] {
	it := m.free
	if it != nil {
		m.free = it.next
		it.next = nil
	} else {
		it = &mapItem[In, Out]{}
	}
	it.v, it.i = v, i
	return it
}

// recycle takes back the record of an item yielded or never placed: no
// runner touches it once it has ended, and a runner that ended abnormally
// with it has finished (result waited for its job).
func (m *mapShared[In, Out]) recycle(it *mapItem[In, Out]) {
	var zeroIn In
	var zeroOut Out
	it.r, it.v, it.out, it.err, it.returned, it.own = nil, zeroIn, zeroOut, nil, false, false
	it.ended.Store(false)
	it.next, m.free = m.free, it
}

// place gives the item it, just taken from seq, to a runner. With no
// runner left that would take it (or one item a job), it starts one for
// it, with back-pressure; a blocked wait gives up with errTurn when turn
// is closed. Else it leaves it pending, for a runner to take, and starts
// another runner if a worker is free without waiting and no runner is
// idle (spinning): slow items spread over the free workers, while cheap
// ones are taken by the runners already going.
func (m *mapShared[In, Out]) place(ctx context.Context, it *mapItem[In, Out], turn <-chan struct{}) error {
	ex := m.ex
	m.mu.Lock()
	if m.active == 0 || m.maxRun == 1 {
		m.mu.Unlock()
		w, _, err := ex.acquire(ctx, true, turn, nil)
		if err != nil {
			return err
		}
		return m.start(w, it)
	}
	m.pushLocked(it)
	more := m.active < ex.max && m.spinning.Load() == 0
	m.mu.Unlock()
	if more {
		if w, _, err := ex.acquire(ctx, false, nil, nil); err == nil {
			// It takes the oldest pending item. A refusal leaves the
			// items pending, for the consumer to settle (see wait).
			_ = m.start(w, nil)
		}
	}
	return nil
}

// start starts a runner on the place w, with the item it, or with the
// oldest pending item when it is nil.
func (m *mapShared[In, Out]) start(w place, it *mapItem[In, Out]) error {
	ex := m.ex
	// A runner's record is not reused: the items it ended with may still
	// need its job (see result), and a job is dear next to a record.
	r := &mapRunner[In, Out]{m: m, first: it}
	r.body = r.run
	m.mu.Lock()
	if len(m.runners) >= m.pruneAt {
		// Amortised: the list at most doubles between two prunes.
		m.pruneLocked()
		m.pruneAt = 2*len(m.runners) + 8
	}
	if it != nil {
		it.r = r
	}
	m.active++
	m.nactive.Store(int32(m.active))
	m.runners = append(m.runners, r)
	m.mu.Unlock()
	r.t = makeJob(ex, w, func() *group.Task { return ex.g.Go(r.body, ex.hold) })
	err := ex.dispatch(w, r.t)
	if err != nil {
		// Refused: final already, with the executor's cause; it is the
		// item's result too (see result), and the runner took nothing.
		// The caller settles the item (pruneLocked must not).
		m.mu.Lock()
		m.exitLocked(r)
		r.first = nil
		m.mu.Unlock()
	}
	return err
}

// exitLocked marks the runner r as taking no more items.
func (m *mapShared[In, Out]) exitLocked(r *mapRunner[In, Out]) {
	if !r.exited {
		r.exited = true
		m.active--
		m.nactive.Store(int32(m.active))
	}
}

// signal tells the consumer that an item or a runner has ended.
func (m *mapShared[In, Out]) signal() {
	select {
	case m.ready <- struct{}{}:
	default: // a signal is pending already: the consumer will look
	}
}

// run is a runner's job: fn on its first item, then on pending items (see
// mapShared). An item's end, however it ends, is signalled on m.ready.
func (r *mapRunner[In, Out]) run(ctx context.Context) error {
	m := r.m
	it := r.first
	m.mu.Lock()
	r.started = true
	m.mu.Unlock()
	if it == nil {
		m.mu.Lock()
		if m.phead == len(m.pending) || ctx.Err() != nil {
			m.exitLocked(r)
			m.mu.Unlock()
			return nil // the runners going have taken them all
		}
		it = m.takeLocked(r)
		m.mu.Unlock()
	}
	defer func() {
		if it != nil {
			m.end(it) // a panic or runtime.Goexit in fn
		}
		m.mu.Lock()
		m.exitLocked(r)
		m.mu.Unlock()
		m.signal()
	}()
	var carried error // the first failure of a runner that went on past it
	for k := 1; ; k++ {
		out, err := m.fn(ctx, it.v)
		if err != nil && m.inTurn {
			// Under fail-fast the failure closes the executor, which
			// cancels the items in flight: wait until the items before
			// this one have been yielded.
			m.turn.await(ctx, it.i)
		}
		// A runner ends with its first failure, unless that would leave
		// pending items with no runner while the consumer is away (see
		// leaveLocked), with the executor going on (SuppressErrors): it
		// then goes on, and ends with that failure later.
		own := err != nil && carried != nil
		if err != nil && carried == nil && m.ex.opts.suppress {
			m.mu.Lock()
			own = !m.leaveLocked(r, ctx)
			m.mu.Unlock()
		}
		if own {
			it.own, it.state = true, outcome(ctx, err)
		}
		it.out, it.err, it.returned = out, err, true
		m.end(it)
		it = nil
		if err != nil {
			if !own {
				return err // the item's result is the job's: see result
			}
			carried = cmp.Or(carried, err)
		}
		m.signal()
		if k < m.maxRun && !m.spin() {
			k = m.maxRun // nothing came: exit below
		}
		m.mu.Lock()
		if m.phead == len(m.pending) || ctx.Err() != nil || k >= m.maxRun || m.ex.waiters.anyone() {
			if m.leaveLocked(r, ctx) {
				m.mu.Unlock()
				return carried
			}
		}
		it = m.takeLocked(r)
		m.mu.Unlock()
	}
}

// end marks the item it as ended, and in an unordered stream pushes it on
// the done stack for the consumer. The stack is only pushed to and taken
// whole, so a compare-and-swap that succeeds always links it to the true
// head, even if that record has been yielded and reused meanwhile.
func (m *mapShared[In, Out]) end(it *mapItem[In, Out]) {
	it.ended.Store(true)
	if !m.unordered {
		return
	}
	for {
		head := m.done.Load()
		it.next = head
		if m.done.CompareAndSwap(head, it) {
			return
		}
	}
}

// leaveLocked takes the runner r out of the runners that take pending
// items, and reports true, unless that would leave pending items with no
// runner while the consumer is not waiting for a result: then r stays, and
// it reports false.
//
// A source may block until an item has run (a crawler's queue, fed by its
// items), and the consumer starts runners only when it takes an item or
// waits for a result: so no item may be left pending with no runner while
// it is elsewhere. The check follows the count's store, as waitOver's
// follows its store of waiting: either r sees the consumer elsewhere and
// stays, or waitOver sees r gone and starts another.
func (m *mapShared[In, Out]) leaveLocked(r *mapRunner[In, Out], ctx context.Context) bool {
	m.exitLocked(r)
	if m.active == 0 && m.phead < len(m.pending) && !m.waiting.Load() && ctx.Err() == nil {
		r.exited = false
		m.active++
		m.nactive.Store(int32(m.active))
		return false
	}
	return true
}

// waitOver is what the consumer does when a wait for a result is over:
// from now on the last runner stays while items are pending
// (leaveLocked), and if the last one left during the wait, waitOver starts
// another, with back-pressure.
func (m *mapShared[In, Out]) waitOver(ctx context.Context) {
	m.waiting.Store(false)
	// Only the consumer adds pending items.
	for m.npending.Load() > 0 && m.nactive.Load() == 0 {
		m.mu.Lock()
		orphaned := m.phead < len(m.pending) && m.active == 0 && m.ex.gctx.Err() == nil
		m.mu.Unlock()
		if !orphaned {
			return
		}
		w, _, err := m.ex.acquire(ctx, true, nil, nil)
		if err != nil {
			return // ctx or the executor has ended: they will never run
		}
		_ = m.start(w, nil) // a refusal: the executor has closed
	}
}

// outcome is the state a task would end in that returned err with the
// context ctx (see group.Task.State).
func outcome(ctx context.Context, err error) group.TaskState {
	if ctx.Err() != nil && (errors.Is(err, ctx.Err()) || errors.Is(err, context.Cause(ctx))) {
		return group.Canceled
	}
	return group.Failed
}

// spins bounds how many times a runner with nothing pending yields the
// processor, waiting for the ranging goroutine to take another item,
// before it exits: when fn is cheap, the ranging goroutine is slower than
// a runner, and a runner that exited at once would cost a job per item.
const spins = 4

// spin reports whether an item is pending, yielding the processor up to
// spins times while none is.
func (m *mapShared[In, Out]) spin() bool {
	m.spinning.Add(1)
	defer m.spinning.Add(-1)
	for range spins {
		if m.npending.Load() > 0 || m.ex.waiters.anyone() {
			return true
		}
		runtime.Gosched()
	}
	return m.npending.Load() > 0
}

// result returns the item's result and the state it ended in. A success is
// taken as fn returned it; anything else (a failure, a panic, a job
// cancelled before it ran) as its runner's job accounts for it, once
// final: the job ended with that item. An item left pending when no runner
// would take it any more (the executor's context ended) was cancelled.
func (m *mapShared[In, Out]) result(it *mapItem[In, Out]) (Out, group.TaskState, error) {
	if it.returned && (it.err == nil || it.own) {
		return it.out, cmp.Or(it.state, group.Succeeded), it.err
	}
	m.mu.Lock()
	r := it.r
	m.mu.Unlock()
	if r == nil {
		// Never given to a runner: the executor's context had ended, or
		// no worker could be had for it.
		var zero Out
		if it.err != nil && !errors.Is(it.err, ErrClosed) {
			return zero, group.Failed, it.err
		}
		return zero, group.Canceled, cmp.Or(it.err, context.Cause(m.ex.gctx))
	}
	<-r.t.Done()
	return it.out, r.t.State(), r.t.Err()
}

// wait waits until the item it has ended, or will never run, and reports
// whether it has (false: ctx ended first). A runner signals m.ready when an
// item or the runner ends; a job that never runs (cancelled while it
// waited for a worker, or stopped by a hook) does not, and is waited for on
// its Done channel. When it is pending and no runner is left to take it,
// wait starts one for it, with back-pressure, unless the executor's
// context has ended: then it will never run.
func (m *mapShared[In, Out]) wait(ctx context.Context, it *mapItem[In, Out]) bool {
	ex := m.ex
	exDone := ex.gctx.Done()
	for !it.ended.Load() {
		m.mu.Lock()
		if it.r == nil {
			m.pruneLocked() // a runner that never ran takes nothing
		}
		var done <-chan struct{}
		switch {
		case it.r != nil && it.r.t.State().Final():
			// Its runner has ended, or never ran: either way it is all
			// it will be (see result).
			m.mu.Unlock()
			return true
		case it.r != nil:
			done = it.r.t.Done() // it may never run, if its runner does not
		case ex.gctx.Err() != nil:
			// Pending, and no runner takes an item once the executor's
			// context has ended: it is cancelled (see result).
			m.dropPendingLocked(it)
			m.mu.Unlock()
			return true
		case m.active == 0:
			// Pending, and no runner is left to take it: it is the oldest
			// pending item, since runners take them in order.
			m.dropPendingLocked(it)
			m.mu.Unlock()
			w, _, err := ex.acquire(ctx, true, nil, nil)
			if err != nil {
				if ctx.Err() != nil {
					return false
				}
				it.err = err // its result (see result)
				return true
			}
			_ = m.start(w, it) // a refusal is the item's result (see result)
			continue
		default:
			done = m.runners[len(m.runners)-1].t.Done()
		}
		m.mu.Unlock()
		m.waiting.Store(true)
		select {
		case <-m.ready:
		case <-done:
		case <-exDone:
			exDone = nil
		case <-ctx.Done():
		}
		m.waitOver(ctx)
		if ctx.Err() != nil {
			return false
		}
	}
	return true
}

// dropPendingLocked takes the item it, the oldest pending one, off the
// pending list.
func (m *mapShared[In, Out]) dropPendingLocked(it *mapItem[In, Out]) {
	if m.phead < len(m.pending) && m.pending[m.phead] == it {
		m.pending[m.phead] = nil
		m.phead++
		if m.phead == len(m.pending) {
			m.pending, m.phead = m.pending[:0], 0
		}
		m.npending.Add(-1)
	}
}

// takeLocked gives the oldest pending item to the runner r.
func (m *mapShared[In, Out]) takeLocked(r *mapRunner[In, Out]) *mapItem[In, Out] {
	it := m.pending[m.phead]
	m.dropPendingLocked(it)
	it.r = r
	return it
}

// pushLocked adds the item it at the end of the pending list.
func (m *mapShared[In, Out]) pushLocked(it *mapItem[In, Out]) {
	m.pending = append(m.pending, it)
	m.npending.Add(1)
}

// pruneLocked forgets the runners whose job is final, for reuse; one that
// never ran counts as exited. In an unordered stream, the item a runner
// that never ran was made for ends here: its job's result is its own (see
// result).
func (m *mapShared[In, Out]) pruneLocked() {
	kept := m.runners[:0]
	for _, r := range m.runners {
		if r.t != nil && r.t.State().Final() {
			m.exitLocked(r)
			if m.unordered && !r.started && r.first != nil {
				m.end(r.first)
				r.first = nil
			}
		} else {
			kept = append(kept, r)
		}
	}
	clear(m.runners[len(kept):])
	m.runners = kept
}

// stop ends the stream: it waits until every job of it is final, so that
// nothing is left running, having cancelled them first unless every item
// was yielded: runners then have nothing left to take and end by
// themselves (one started for items taken meanwhile by another ends
// without running any), and only those not started yet are cancelled.
func (m *mapShared[In, Out]) stop() {
	m.mu.Lock()
	tasks := make([]*group.Task, 0, len(m.runners))
	for _, r := range m.runners {
		tasks = append(tasks, r.t)
	}
	m.mu.Unlock()
	if m.drained {
		// A runner not started yet may wait long for a worker (behind
		// other jobs in the queue): it would take nothing.
		m.mu.Lock()
		for _, r := range m.runners {
			if !r.started && r.t != nil {
				r.t.Cancel()
			}
		}
		m.mu.Unlock()
		for _, t := range tasks {
			if t != nil {
				<-t.Done()
			}
		}
		return
	}
	cancelAndWait(tasks)
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
