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
		// futs is a ring of the items in flight, oldest at head. It starts
		// small and grows up to the window, so that a large window (or an
		// unbounded one, for callers with no limit) costs only what is used.
		futs := make([]*group.Future[Out], min(window, 64))
		head, n := 0, 0
		var turn turns // fail-fast: a failed item fails ex only in its turn
		var failed <-chan struct{}
		if inTurn {
			failed = turn.watch()
		}
		taken := int64(0)
		call := &itemCall[In, Out]{fn: fn, inTurn: inTurn, turn: &turn}
		defer func() {
			tasks := make([]*group.Task, 0, n)
			for i := range n {
				tasks = append(tasks, &futs[(head+i)%len(futs)].Task)
			}
			cancelAndWait(tasks)
		}()
		emit := func() bool {
			turn.reach()
			f := futs[head]
			futs[head] = nil
			head, n = (head+1)%len(futs), n-1
			done := ctx.Done()
			if ctx.Err() == nil { // an ended ctx wins over a ready result
				if f.State().Final() {
					// Ready: no wait, and no Done channel made for it.
					done = nil
				} else {
					select {
					case <-f.Done():
						done = nil
					case <-done:
					}
				}
			}
			if done != nil {
				f.Cancel()
				<-f.Done()
				s.fail(context.Cause(ctx))
				return false
			}
			v, err := f.Result()
			return s.deliver(v, err, f.State())
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
				i := taken
				taken++
				f := makeJob(ex, w, func() *group.Future[Out] {
					return group.Async(ex.g, func(ctx context.Context) (Out, error) {
						return call.run(ctx, v, i)
					}, ex.hold)
				})
				if err = ex.dispatch(w, &f.Task); err == nil {
					if n == len(futs) {
						futs, head = growRing(futs, head, n, window), 0
					}
					futs[(head+n)%len(futs)] = f
					n++
					// Yield what is ready first: it keeps the window
					// short, and the caller may be waiting for it.
					for n > 0 && (n == window || futs[head].State().Final()) {
						if !emit() {
							return
						}
					}
					continue
				}
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

// itemCall is what the jobs of one Map's items share, so that an item's
// closure holds only the item, its position and a pointer to this: the
// closure is a quarter of what Map allocates per item.
type itemCall[In, Out any] struct {
	fn     func(context.Context, In) (Out, error)
	inTurn bool
	turn   *turns
}

// run calls fn on the item at position i.
func (c *itemCall[In, Out]) run(ctx context.Context, v In, i int64) (Out, error) {
	out, err := c.fn(ctx, v)
	if err != nil && c.inTurn {
		// Under fail-fast the failure closes the executor, which cancels
		// the items in flight: wait until the items before this one have
		// been yielded.
		c.turn.await(ctx, i)
	}
	return out, err
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
