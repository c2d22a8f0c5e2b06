package flow

import (
	"context"
	"runtime"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
)

// runPool is run for a limit > 0: the same contract, on limit worker tasks
// of a private group that take values one after another, instead of an
// executor job (a group Task) per value. A value costs a channel send to a
// worker and a slot in a ring, and no allocation, which for small calls is
// most of the difference with a hand-written pool.
//
// The ranging goroutine reads src and hands each value, with its position,
// to the workers through work; a worker stores the result in the value's
// slot of the ring and marks it done; the ranging goroutine hands results
// to out in order, waking only when the slot it waits for is done. At most
// window values are in flight (read and not handed to out), so the ring
// and work never hold more than window entries.
//
// A failing call is handled as run does. In order, the worker keeps the
// error in the slot and goes on; when the ranging goroutine reaches it,
// every earlier value is done, and it cancels the rest and returns the
// error. In time, the worker's task fails with the error, which cancels
// the group at once; the ranging goroutine sees the group's context end
// and returns what Close returns, the first failure first.
// maxPoolLimit is the largest limit runPool takes: its ring has 2×limit
// slots made up front. Larger limits go through the executor, whose window
// grows with use.
const maxPoolLimit = 4096

func runPool[In, Out any](ctx context.Context, name string, src Seq[In], limit, window int, how failures, fn func(context.Context, In) (Out, error), out func(Out) bool) error {
	gctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g := group.New(gctx, group.Name(name))
	gdone := g.Context() // ends when gctx ends or, in time, when a call fails
	p := &pool[In, Out]{
		fn:    fn,
		how:   how,
		ring:  make([]slot[In, Out], window), // window <= 2×maxPoolLimit
		work:  make(chan int64, window),      // at most window values in flight: a send never blocks
		ready: make(chan struct{}, 1),        // a wake-up hint; a pending one is enough
	}
	p.waiting.Store(-1)
	closed, workClosed := false, false
	defer func() {
		if !closed {
			// A panic out of src or out: the workers wait on work, not
			// on the group, so they must see it closed to leave.
			if !workClosed {
				close(p.work)
			}
			stopAndJoin(g)
		}
	}()

	var head, tail int64 // next position to hand to out; next to read
	workers := 0
	failed := error(nil) // a failure met in order, or the end of gctx
	stopped := false
	// deliver hands out the result at head, waiting for it; it reports
	// whether to go on.
	deliver := func() bool {
		s := p.slotOf(head)
		if !p.await(head, s, gdone) {
			failed = context.Cause(gdone)
			return false
		}
		if s.err != nil {
			failed = s.err // in order; in time the group already failed
			return false
		}
		v := s.out
		var zero In
		var zeroOut Out
		s.in, s.out = zero, zeroOut // let them be collected
		s.done.Store(false)
		head++
		if !out(v) {
			stopped = true
			return false
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
			if workers < limit && int64(workers) < tail-head+1 {
				workers++
				g.Go(p.worker)
			}
			p.work <- tail
			tail++
			// Hand out what is ready, then make room.
			for head < tail && p.slotOf(head).done.Load() {
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
	close(p.work) // the workers run what is left, or see the group close
	workClosed = true
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

// awaitSpins is how many times await yields before it parks.
const awaitSpins = 4

// A slot holds one value in flight and its result.
type slot[In, Out any] struct {
	in   In
	out  Out
	err  error
	done atomic.Bool // out and err are set
}

type pool[In, Out any] struct {
	fn      func(context.Context, In) (Out, error)
	how     failures
	ring    []slot[In, Out] // window slots; position i uses slot i mod window
	work    chan int64      // positions of values to run
	ready   chan struct{}   // wakes the ranging goroutine
	waiting atomic.Int64    // the position the ranging goroutine waits for, or -1
}

func (p *pool[In, Out]) slotOf(i int64) *slot[In, Out] { return &p.ring[i%int64(len(p.ring))] }

// worker runs values until work is closed or the group is cancelled. It
// waits on work alone, not on the group's context too: a select over both
// costs twice a receive, per value. The ranging goroutine closes work on
// every way out, so no worker waits once it is done; a cancelled group
// is seen at the next value.
func (p *pool[In, Out]) worker(ctx context.Context) error {
	for i := range p.work {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s := p.slotOf(i)
		v, err := p.fn(ctx, s.in)
		s.out, s.err = v, err
		s.done.Store(true)
		if p.waiting.Load() == i {
			select {
			case p.ready <- struct{}{}:
			default: // a hint is pending already
			}
		}
		if err != nil && p.how == inTime {
			return err
		}
	}
	return nil
}

// await waits until the slot s of position i is done, or gdone ends; it
// reports whether s is done.
func (p *pool[In, Out]) await(i int64, s *slot[In, Out], gdone context.Context) bool {
	// Yield a few times before parking: the worker on the value is
	// usually about to finish it, and a park and a wake-up per value would
	// cost more than the value (this halves Map's cost per tiny value on
	// two cores; see BenchmarkMapPerValue).
	for range awaitSpins {
		if s.done.Load() {
			return true
		}
		runtime.Gosched()
	}
	p.waiting.Store(i)
	defer p.waiting.Store(-1)
	for !s.done.Load() {
		select {
		case <-p.ready:
		case <-gdone.Done():
			return s.done.Load()
		}
	}
	return true
}
