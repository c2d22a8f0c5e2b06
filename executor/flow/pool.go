package flow

import (
	"context"
	"runtime"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
)

// runPool is run for a limit > 0: the same contract, on limit worker tasks
// of a private group that take values one after another, instead of an
// executor job (a group Task) per value. A value costs a slot in a ring and
// an atomic store or two, no allocation and, while values keep coming, no
// channel operation nor wake-up: a hand-written pool pays a channel send
// and receive per value. (BenchmarkMapPerValue, limit 8, 2 vCPUs: about 40
// ns per value, against 150 when positions went to the workers one by one
// through a channel.)
//
// The ranging goroutine reads src into the ring and publishes each value by
// moving tail past it. A worker claims the published values from a shared
// cursor, next, a run of consecutive positions at a time; runs them in
// order, storing each result in its slot; and marks the run done in the
// slot of its first position. The ranging goroutine hands the results of
// each run to out in order once the run is done, and waits only when the
// run it is at is not. At most window values are in flight (read and not
// handed to out), so the ring never holds more than window entries.
//
// Runs are one value long at first, and double, up to maxRun (or the
// window), each time a worker sees that fewer values were published while
// it ran its run than it ran: the workers keep up with src, one of them
// could run every value, and a longer run saves the claim, the mark and
// the hand-overs per value. As soon as a run sees as many values published
// as it ran or more, calls cost more than reading values, and runs are one
// value again so that every worker gets work within the window. A call
// that turns slow in a long run holds back the rest of its run, at most
// maxRun-1 values, which in order could not be handed out before it
// anyway.
//
// A worker that finds nothing to claim yields a few times if it is the
// only one looking, then parks. A parked worker is woken only when a value
// waits and no worker is looking for one (see pool.state).
//
// A failing call is handled as run does. In order, the worker keeps the
// error in the slot and goes on; when the ranging goroutine reaches it,
// every earlier value is done, and it cancels the rest and returns the
// error. In time, the worker's task fails with the error, which cancels
// the group at once; the ranging goroutine sees the group's context end
// and returns what Close returns, the first failure first.
func runPool[In, Out any](ctx context.Context, name string, src Seq[In], limit, window int, how failures, fn func(context.Context, In) (Out, error), out func(Out) bool) error {
	gctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g := group.New(gctx, group.Name(name))
	gdone := g.Context() // ends when gctx ends or, in time, when a call fails
	p := &pool[In, Out]{
		fn:     fn,
		how:    how,
		ring:   make([]slot[In, Out], ringSize(window)),
		maxRun: int64(min(window, maxRun)),
		wake:   make(chan struct{}, limit), // a token per worker at most: a send never blocks (see pool.state)
		ready:  make(chan struct{}, 1),     // a wake-up hint; a pending one is enough
	}
	p.mask = int64(len(p.ring) - 1)
	p.run.Store(1)
	p.waiting.Store(-1)
	closed, ended := false, false
	defer func() {
		if !closed {
			// A panic out of src or out: the workers wait for work, not
			// on the group, so they must see the pool end to leave.
			if !ended {
				p.end()
			}
			stopAndJoin(g)
		}
	}()

	var head, tail int64 // next position to hand to out; next to read
	workers := 0
	failed := error(nil) // a failure met in order, or the end of gctx
	stopped := false
	// deliver hands out the results of the run at head, waiting for it to
	// be done; it reports whether to go on.
	deliver := func() bool {
		s := p.slotOf(head)
		end := s.end.Load()
		if end <= head { // not done: the mark is from the slot's last use
			if !p.await(head, s, gdone) {
				failed = context.Cause(gdone)
				return false
			}
			end = s.end.Load()
		}
		var zero In
		var zeroOut Out
		for head < end {
			s := p.slotOf(head)
			if s.err != nil {
				failed = s.err // in order; in time the group already failed
				return false
			}
			v := s.out
			s.in, s.out = zero, zeroOut // let them be collected
			head++
			if !out(v) {
				stopped = true
				return false
			}
		}
		return true
	}
	var srcErr error
	func() {
		// The loop body ends each value by making room for the next one,
		// and returns (which stops src) rather than take a value it has no
		// room or no use for: a value taken from src and dropped is lost to
		// it. Making room first and then taking the value would hold one
		// value more than the window, and take one after the answer.
		for v := range values(src, how, cancel, &srcErr, nil) {
			if gdone.Err() != nil { // ended while src was producing v
				failed = context.Cause(gdone)
				return
			}
			p.slotOf(tail).in = v
			tail++
			p.tail.Store(tail) // publish v: a worker may claim it from now on
			// A worker for each value in flight, up to limit: then a value
			// that waits with no worker looking for it has every worker
			// busy on an earlier one, or one parked to wake.
			if workers < limit && int64(workers) < tail-head {
				workers++
				p.state.Add(oneSearching) // it looks for a value as it starts
				g.Go(p.worker)
			} else if st := p.state.Load(); st < oneSearching && st != 0 {
				p.wakeOne() // none searching, some parked
			}
			// Hand out what is ready, then make room.
			for head < tail && p.slotOf(head).end.Load() > head {
				if !deliver() {
					return
				}
			}
			for tail-head == int64(window) {
				if !deliver() {
					return
				}
			}
			if gdone.Err() != nil {
				failed = context.Cause(gdone)
				return
			}
		}
	}()
	p.end() // the workers run what is left, or see the group close
	ended = true
	if failed == nil && !stopped && (srcErr == nil || how == inOrder) {
		for head < tail && deliver() {
		}
	}
	closed = true
	closeErr := g.Close()
	switch {
	case stopped:
		return nil
	case closeErr != nil:
		return closeErr
	case failed != nil:
		return failed
	}
	return srcErr
}

// maxPoolLimit is the largest limit runPool takes: its ring has 2×limit
// slots, rounded up to a power of two, made up front. Larger limits go through the executor, whose window
// grows with use.
const maxPoolLimit = 4096

const (
	// maxRun is the longest run a worker claims: enough to make the cost
	// of a run per value small, and few values to hold back behind a
	// call that turns out slow.
	maxRun = 16
	// awaitSpins is how many times await yields before it parks.
	awaitSpins = 4
	// idleSpins is how many times a worker that finds nothing to claim, and
	// is the only one looking, yields before it parks.
	idleSpins = 4
)

// A slot holds one value in flight and its result.
type slot[In, Out any] struct {
	in  In
	out Out
	err error
	// end marks the run that starts at this slot's position i done: it
	// ran the positions i to end-1, whose out and err are set. A mark of
	// i or less is from an earlier use of the slot (a run is at most
	// window long, and the ring at least as long).
	end atomic.Int64
}

// The fields of pool.state: how many workers look for a value to claim
// (above parkedMask) and how many are parked on wake (below).
const (
	oneSearching = 1 << 32
	parkedMask   = oneSearching - 1
)

type pool[In, Out any] struct {
	fn     func(context.Context, In) (Out, error)
	how    failures
	ring   []slot[In, Out] // position i uses slot i&mask
	mask   int64           // len(ring)-1; len(ring) is a power of two, at least the window
	maxRun int64           // the longest run: maxRun, or the window if shorter

	tail  atomic.Int64 // positions below are published: their slot's in is set
	next  atomic.Int64 // the next position to claim; never above tail
	run   atomic.Int64 // how many positions a worker claims at once, at most
	ended atomic.Bool  // no position will be published any more

	// state counts the workers looking for a value (searching) and those
	// parked on wake, in one word so that a worker moves from one to the
	// other at once. A worker is searching from its start (counted by the
	// goroutine that starts it) or its wake-up until it claims values or
	// parks. Whoever wakes a worker moves one count from parked to
	// searching and sends one token on wake; a worker that parked and
	// finds values after all takes its count back or, if a waker took it
	// first, receives the token sent for it. Each parked count is matched
	// by one token at most, so no more tokens are pending than workers.
	//
	// The ranging goroutine stores tail and then reads state; a worker
	// that parks writes state and then reads tail (and ended): one of the
	// two sees the other, so a published value never waits with every
	// worker parked. Likewise a worker that claims a run and sees values
	// left wakes another if none is searching.
	state atomic.Int64
	wake  chan struct{} // tokens for parked workers

	ready   chan struct{} // wakes the ranging goroutine
	waiting atomic.Int64  // the position the ranging goroutine waits for, or -1
}

func (p *pool[In, Out]) slotOf(i int64) *slot[In, Out] { return &p.ring[i&p.mask] }

// ringSize returns the least power of two no less than window, which
// is at most 2×maxPoolLimit.
func ringSize(window int) int {
	n := 1
	for n < window {
		n *= 2
	}
	return n
}

// claimable reports whether a published value is unclaimed.
func (p *pool[In, Out]) claimable() bool { return p.next.Load() < p.tail.Load() }

// claim takes the positions i to i+n-1, n > 0, if any is published and
// unclaimed, and returns tail as it was then.
func (p *pool[In, Out]) claim() (i, n, tail int64) {
	for {
		i, tail = p.next.Load(), p.tail.Load()
		n = min(tail-i, p.run.Load())
		if n <= 0 {
			return 0, 0, 0
		}
		if p.next.CompareAndSwap(i, i+n) {
			return i, n, tail
		}
	}
}

// wakeOne wakes a parked worker if none is searching: a value that waits
// then has a worker on its way.
func (p *pool[In, Out]) wakeOne() {
	for {
		st := p.state.Load()
		if st >= oneSearching || st == 0 {
			return // one is searching, or none is parked
		}
		if p.state.CompareAndSwap(st, st-1+oneSearching) {
			p.wake <- struct{}{}
			return
		}
	}
}

// end marks that no value will be published any more and wakes every
// parked worker, to run what is left or leave.
func (p *pool[In, Out]) end() {
	p.ended.Store(true)
	for {
		st := p.state.Load()
		n := st & parkedMask
		if p.state.CompareAndSwap(st, st-n+n*oneSearching) {
			for range n {
				p.wake <- struct{}{}
			}
			return
		}
	}
}

// worker runs runs of values until the pool has ended and nothing is left
// to claim, or the group is cancelled. It waits for work on wake alone,
// not on the group's context too: the ranging goroutine ends the pool on
// every way out, which wakes every parked worker; a cancelled group is
// seen at the next value.
func (p *pool[In, Out]) worker(ctx context.Context) error {
	for {
		i, n, tail := p.claim()
		if n == 0 {
			if !p.idle() {
				return nil
			}
			continue
		}
		// No longer searching. If values are left and no other worker
		// looks for them, wake one: the ranging goroutine woke none when
		// it published them, as this one was searching.
		if st := p.state.Add(-oneSearching); st < oneSearching && st != 0 && p.claimable() {
			p.wakeOne()
		}
		if err := p.runs(ctx, i, i+n); err != nil {
			return err
		}
		p.adapt(n, p.tail.Load()-tail)
		p.state.Add(oneSearching)
	}
}

// adapt sets the length of the next runs after a run of n values during
// which the ranging goroutine published published more: doubled, up to
// maxRun, when fewer than n (the workers keep up with src); one when n or
// more (calls cost more than reading values: share them out).
func (p *pool[In, Out]) adapt(n, published int64) {
	switch r := p.run.Load(); {
	case published >= n:
		if r > 1 {
			p.run.Store(1)
		}
	case r < p.maxRun:
		p.run.Store(min(2*r, p.maxRun))
	}
}

// runs runs the values at positions i to j-1 in order and marks them done
// as one run. It returns early with ctx's error or, in time, a call's
// error; the values run by then are marked done, as they are when a call
// panics or exits the goroutine.
func (p *pool[In, Out]) runs(ctx context.Context, i, j int64) error {
	k := i // the values before k have run
	defer func() {
		if k > i {
			p.slotOf(i).end.Store(k)
			if p.waiting.Load() == i {
				select {
				case p.ready <- struct{}{}:
				default: // a hint is pending already
				}
			}
		}
	}()
	for ; k < j; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := p.slotOf(k)
		v, err := p.fn(ctx, s.in)
		s.out, s.err = v, err
		if err != nil && p.how == inTime {
			return err
		}
	}
	return nil
}

// idle waits, searching, until values may be there to claim; it reports
// false when the pool has ended and none is left.
func (p *pool[In, Out]) idle() bool {
	if p.ended.Load() { // tail is final
		return p.claimable()
	}
	if p.state.Load()>>32 == 1 {
		// The only one looking: yield a few times before parking, as the
		// ranging goroutine is usually about to publish more values, and
		// a park and a wake-up would cost more than many values. Others
		// park at once, so as not to take the processors from it.
		for range idleSpins {
			runtime.Gosched()
			if p.claimable() || p.ended.Load() {
				return true
			}
		}
	}
	st := p.state.Add(1 - oneSearching) // searching → parked
	if p.claimable() || p.ended.Load() {
		// Searching again: take back the parked count or, if a waker
		// has taken it already, the token it sends for it.
		for st&parkedMask != 0 {
			if p.state.CompareAndSwap(st, st-1+oneSearching) {
				return true
			}
			st = p.state.Load()
		}
	}
	<-p.wake
	return true
}

// await waits until the run at position i, in slot s, is done, or gdone
// ends; it reports whether the run is done.
func (p *pool[In, Out]) await(i int64, s *slot[In, Out], gdone context.Context) bool {
	// Yield a few times before parking: the worker on the run is usually
	// about to finish it, and a park and a wake-up would cost more than
	// the run.
	for range awaitSpins {
		if s.end.Load() > i {
			return true
		}
		runtime.Gosched()
	}
	p.waiting.Store(i)
	defer p.waiting.Store(-1)
	for s.end.Load() <= i {
		select {
		case <-p.ready:
		case <-gdone.Done():
			return s.end.Load() > i
		}
	}
	return true
}
