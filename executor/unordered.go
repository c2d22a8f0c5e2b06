package executor

import (
	"context"
	"iter"
	"time"
)

// MapUnordered is [Map] that yields results as they complete instead of in
// the order of seq. With at most [Window] items in flight, it takes the
// next item as soon as any result has been yielded, so one slow item never
// holds back the others. Its jobs run many items each, as Map's do; a
// failed item is yielded once its job has ended. Leaving the range, ctx
// ending and the executor closing are handled as in Map.
//
// MapUnordered panics if ex, seq or fn is nil.
func MapUnordered[In, Out any](ctx context.Context, ex *Executor, seq iter.Seq[In], fn func(ctx context.Context, v In) (Out, error), opts ...Option) iter.Seq2[Out, error] {
	mustContext(ctx, "MapUnordered")
	if ex == nil || seq == nil || fn == nil {
		panic("executor: MapUnordered with nil executor, sequence or function")
	}
	window := streamOptions(ex, "MapUnordered", opts).window
	return func(yield func(Out, error) bool) {
		newUnordered(ctx, ex, fn, window, yield).run(seq)
	}
}

// unordered is the ranging side of MapUnordered and MapBatches. Its items
// run in the runners of an ordered Map (see mapShared), which push each
// item that ends on the done stack; the consumer takes the stack whole and
// yields its items oldest first.
type unordered[In, Out any] struct {
	stream[Out]
	m      *mapShared[In, Out]
	ctx    context.Context
	window int
	n      int               // items taken from seq and not yet yielded
	ended  *mapItem[In, Out] // items taken off the done stack, oldest first, linked by next
	batch  *batcher[Out]     // nil unless MapBatches
}

func newUnordered[In, Out any](ctx context.Context, ex *Executor, fn func(context.Context, In) (Out, error), window int, yield func(Out, error) bool) *unordered[In, Out] {
	m := &mapShared[In, Out]{ex: ex, fn: fn, ready: make(chan struct{}, 1), maxRun: maxRun, unordered: true}
	if ex.opts.hooks != nil {
		m.maxRun = 1 // every item a job, for the hooks to see
	}
	return &unordered[In, Out]{stream: stream[Out]{ex: ex, yield: yield}, m: m, ctx: ctx, window: window}
}

// run takes the items of seq and yields their results until seq ends and
// every item is yielded, or yielding stops; it then waits for every job of
// the stream (see mapShared.stop).
func (u *unordered[In, Out]) run(seq iter.Seq[In]) {
	m, ctx := u.m, u.ctx
	defer m.stop()
	taken := int64(0)
	// Room is made before an item is taken, as in Map: the only wait with
	// an item in hand is place's, for a worker.
	for v := range seq {
		it := m.get(v, taken)
		taken++
		var err error
		if isClosed(m.ex.closing) {
			// The runners going would still take it as pending, only to
			// be cancelled: once ex closes, the stream gives it nothing
			// more, as when acquire fails.
			err = m.ex.closedErr()
		} else {
			err = m.place(ctx, it, nil)
		}
		if err != nil {
			m.recycle(it)
			if !u.submitFailed(ctx, err) {
				return
			}
			break
		}
		u.n++
		// Yield what is ready, and make room for the next item.
		for u.n > 0 && (u.n == u.window || u.ended != nil || m.done.Load() != nil) {
			if !u.recv() {
				return
			}
		}
		if !u.polled() {
			return
		}
	}
	for u.n > 0 {
		if !u.recv() {
			return
		}
	}
	m.drained = true
	u.finish()
	if u.batch != nil {
		u.batch.end()
	}
}

// recv waits for an item to end, yields it, and reports whether to go on.
// A runner signals m.ready when an item or the runner ends; a job that
// never runs does not, and settle finds it.
func (u *unordered[In, Out]) recv() bool {
	m := u.m
	exDone := m.ex.gctx.Done()
	for {
		if u.ctx.Err() != nil { // an ended ctx wins over a ready result
			u.fail(context.Cause(u.ctx))
			return false
		}
		if it := u.next(); it != nil {
			v, state, err := m.result(it)
			m.recycle(it)
			u.n--
			return u.deliver(v, err, state)
		}
		done, waited := u.settle()
		if waited || m.done.Load() != nil {
			continue // it has ended items, or started a runner
		}
		var tick <-chan time.Time
		if u.batch != nil {
			tick = u.batch.waiting()
		}
		m.waiting.Store(true)
		select {
		case <-tick:
			m.waitOver(u.ctx)
			if !u.batch.tick() { // yields a batch
				return false
			}
		case <-m.ready: // an item or a runner has ended
		case <-done: // the newest runner has ended, or will never run
		case <-exDone: // pending items will never run
			exDone = nil
		case <-u.ctx.Done(): // seen at the top
		}
		m.waitOver(u.ctx)
	}
}

// next returns the oldest item of those that had ended when the done
// stack was last taken, taking it again when none is left; nil if none has
// ended.
func (u *unordered[In, Out]) next() *mapItem[In, Out] {
	if u.ended == nil {
		// The stack is newest first: reverse it.
		var ended *mapItem[In, Out]
		for it := u.m.done.Swap(nil); it != nil; {
			nx := it.next
			it.next, ended = ended, it
			it = nx
		}
		u.ended = ended
	}
	it := u.ended
	if it != nil {
		u.ended, it.next = it.next, nil
	}
	return it
}

// settle ends the items that will end without a runner's signal: the item
// of a runner that never ran (pruneLocked), and the pending items when no
// runner is left to take them and no item waits to be yielded: once the
// executor's context has ended they are cancelled (see result), else a
// runner is started for the oldest, with back-pressure (and it takes the
// others). It reports whether it waited
// for a worker; if not, it returns the Done channel of the newest runner,
// which tells when it has ended, or never will run (nil if none is left).
func (u *unordered[In, Out]) settle() (<-chan struct{}, bool) {
	m, ex := u.m, u.m.ex
	m.mu.Lock()
	m.pruneLocked()
	// With items ended, they are yielded first: the last runner may have
	// ended with a failure that is about to close the executor, and no
	// runner should start for the items after it before that is known.
	if m.phead < len(m.pending) && m.active == 0 && m.done.Load() == nil {
		if ex.gctx.Err() != nil {
			for m.phead < len(m.pending) {
				it := m.pending[m.phead]
				m.dropPendingLocked(it)
				m.end(it)
			}
		} else {
			it := m.pending[m.phead]
			m.dropPendingLocked(it)
			m.mu.Unlock()
			w, _, err := ex.acquire(u.ctx, true, nil, nil)
			if err == nil {
				if err = m.start(w, it); err != nil {
					// Refused: the executor has closed since acquire, and
					// the item is cancelled with the others it never
					// started, not yielded as a failure of its own.
					m.mu.Lock()
					it.r = nil
					m.mu.Unlock()
				}
			}
			switch {
			case err == nil:
			case u.ctx.Err() != nil:
				// The item is dropped: recv ends the stream, and stop the jobs.
			default:
				it.err = err // its result (see result)
				m.end(it)
			}
			return nil, true
		}
	}
	var done <-chan struct{}
	if len(m.runners) > 0 {
		// Not final when pruned; if it is now, the wait ends at once and
		// the next prune forgets it.
		done = m.runners[len(m.runners)-1].t.Done()
	}
	m.mu.Unlock()
	return done, false
}

// polled delivers a batch whose poll time has passed while items were
// being taken, and reports whether to go on.
func (u *unordered[In, Out]) polled() bool {
	if u.batch == nil || !u.batch.armed {
		return true
	}
	select {
	case <-u.batch.timer.C:
		return u.batch.tick()
	default:
		return true
	}
}
