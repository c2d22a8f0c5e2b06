package executor

import (
	"context"
	"iter"

	"github.com/nursery-go/nursery/group"
)

// Map runs fn on each item of seq as jobs of ex and yields the results in
// the order of seq (aioextensions' resolve), each with its job's error. At
// most [Window] items are in flight at once; Map takes the next item from
// seq only when the window has room (the oldest result has been yielded),
// so a slow item holds back the others by at most the window, and it takes
// none once it has stopped: a source such as a queue loses no item to it. Submitting blocks as [Executor.Submit]
// does, so Map shares ex's workers and back-pressure with other work.
//
// Map runs when ranged over, in the ranging goroutine, and is done when the
// range ends: leaving the range early (break, return) or ctx ending
// cancels the items in flight and waits until they have finished, so
// nothing is left running. When ctx ends, Map yields [context.Cause](ctx)
// and stops. Jobs must return when their context is cancelled, or leaving
// the range waits for them.
//
// When ex closes while Map runs (a failure under fail-fast, Close, the
// parent closing), Map submits nothing more; items not yet started never
// start; results already produced, and failures, are still yielded in
// order; items cancelled by the close are skipped, and Map ends by yielding
// the executor's cause ([group.Group.Cause], the first failure) unless an
// error was yielded already. With [SuppressErrors] a failed item yields its
// error and Map goes on.
//
// Map panics if ex, seq or fn is nil.
func Map[In, Out any](ctx context.Context, ex *Executor, seq iter.Seq[In], fn func(ctx context.Context, v In) (Out, error), opts ...MapOption) iter.Seq2[Out, error] {
	mustContext(ctx, "Map")
	if ex == nil || seq == nil || fn == nil {
		panic("executor: Map with nil executor, sequence or function")
	}
	window := windowOf(ex, opts)
	return func(yield func(Out, error) bool) {
		s := &stream[Out]{ex: ex, yield: yield}
		// futs is a ring of the items in flight, oldest at head. It starts
		// small and grows up to the window, so that a large window (or an
		// unbounded one, for callers with no limit) costs only what is used.
		futs := make([]*group.Future[Out], min(window, 64))
		head, n := 0, 0
		defer func() {
			tasks := make([]*group.Task, 0, n)
			for i := range n {
				tasks = append(tasks, &futs[(head+i)%len(futs)].Task)
			}
			cancelAndWait(tasks)
		}()
		emit := func() bool {
			f := futs[head]
			futs[head] = nil
			head, n = (head+1)%len(futs), n-1
			done := ctx.Done()
			if ctx.Err() == nil { // an ended ctx wins over a ready result
				select {
				case <-f.Done():
					done = nil
				case <-done:
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
			w, err := ex.acquire(ctx, true)
			if err == nil {
				f := group.Async(ex.g, func(ctx context.Context) (Out, error) { return fn(ctx, v) }, ex.hold)
				if err = ex.dispatch(w, &f.Task); err == nil {
					if n == len(futs) {
						futs, head = growRing(futs, head, n, window), 0
					}
					futs[(head+n)%len(futs)] = f
					n++
					// Yield what is ready first: it keeps the window
					// short, and the caller may be waiting for it.
					for n > 0 && (n == window || isClosed(futs[head].Done())) {
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

// growRing returns a larger copy of the full ring futs, oldest item first,
// at most limit long.
func growRing[T any](futs []T, head, n, limit int) []T {
	grown := make([]T, min(limit, max(2*len(futs), 1)))
	for i := range n {
		grown[i] = futs[(head+i)%len(futs)]
	}
	return grown
}
