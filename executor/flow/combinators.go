package flow

import (
	"context"
	"errors"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"go.uber.org/multierr"
)

// ErrNoFunctions is returned by [Race] when it is given no functions: with
// nothing to run there is no winner.
var ErrNoFunctions = errors.New("flow: no functions to race")

// checkFuncs panics if a function in fns is nil.
func checkFuncs[T any](name string, fns []func(context.Context) (T, error)) {
	for _, fn := range fns {
		if fn == nil {
			panic("flow: " + name + " with a nil function")
		}
	}
}

// indices returns a Seq of 0, 1, …, n-1.
func indices(n int) Seq[int] {
	return func(yield func(int, error) bool) {
		for i := range n {
			if !yield(i, nil) {
				return
			}
		}
	}
}

// Race runs every function at once and returns the first successful result:
// as soon as one function returns a nil error, Race cancels the others,
// waits for them, and returns its value. A function that fails does not end
// the race; if every function fails, Race returns their errors combined with
// go.uber.org/multierr, first failure first, and errors.Is and errors.As see
// each. If ctx ends first, the functions are cancelled and Race returns the
// failures so far with context.Cause(ctx). A panic in a function is raised
// again in the caller once the others have been cancelled and joined.
//
// Race with no functions returns [ErrNoFunctions]. Race panics if a
// function is nil.
func Race[T any](ctx context.Context, fns ...func(ctx context.Context) (T, error)) (T, error) {
	mustContext(ctx, "Race")
	checkFuncs("Race", fns)
	var zero T
	if len(fns) == 0 {
		return zero, ErrNoFunctions
	}
	if err := context.Cause(ctx); err != nil {
		return zero, err
	}
	// Failures are the race's to report, not the group's: a supervised
	// group neither fails nor cancels the others because of one. A panic
	// still cancels them all and is raised by Close.
	g := group.New(ctx, group.Name("flow.Race"), group.OnError(func(error) {}))
	// Each task sends its index when it ends, however it ends (a panic
	// included): futs is complete before the first receive.
	finished := make(chan int, len(fns)) // a slot per function, each sends once: no send blocks
	futs := make([]*group.Future[T], len(fns))
	for i, fn := range fns {
		futs[i] = group.Async(g, func(ctx context.Context) (T, error) {
			defer func() { finished <- i }()
			return fn(ctx)
		})
		if futs[i].State() == group.Refused {
			// The group closed while the race started (ctx ended, or a
			// function panicked): the function never runs, and its index
			// is sent here instead. An admitted task always runs its
			// function, since Race cancels none of them one by one.
			finished <- i
		}
	}
	var errs []error
	for range fns {
		f := futs[<-finished]
		v, err := f.Result()
		switch f.State() {
		case group.Succeeded:
			g.Cancel()
			_ = g.Close() // the others' failures lost the race
			return v, nil
		case group.Failed:
			errs = append(errs, err)
		}
	}
	_ = g.Close() // raises a panic; failures are in errs
	if ctx.Err() != nil {
		errs = append(errs, context.Cause(ctx))
	}
	return zero, multierr.Combine(errs...)
}

// Gather runs the functions, at most limit at once (0: no limit), and
// returns their results in the order of fns. At the first failure, in time,
// it cancels the functions still running, waits for them, and returns the
// failure with the results of the functions before the failing one that had
// finished, in order, up to the first gap. When ctx ends, it does the same
// with context.Cause(ctx). A panic is raised again in the caller once the
// others have been cancelled and joined. To run them all and keep every
// error, use [GatherAll].
//
// Gather panics if a function is nil or limit is negative.
func Gather[T any](ctx context.Context, limit int, fns ...func(ctx context.Context) (T, error)) ([]T, error) {
	mustContext(ctx, "Gather")
	checkFuncs("Gather", fns)
	checkLimit(limit)
	call := func(ctx context.Context, i int) (T, error) { return fns[i](ctx) }
	return gather(ctx, "flow.Gather", len(fns), call, limit)
}

// gather is Gather and Repeat: n calls of fn, results in order, failures in
// time.
func gather[T any](ctx context.Context, name string, n int, fn func(context.Context, int) (T, error), limit int) ([]T, error) {
	out := make([]T, 0, n)
	if err := context.Cause(ctx); err != nil {
		return out, err // a group would start the calls with ctx done
	}
	if limit == 0 || limit >= n {
		futs, err := startAll(ctx, name, n, fn, false)
		for _, f := range futs {
			v, ferr := f.Result()
			if ferr != nil || f.State() != group.Succeeded {
				break
			}
			out = append(out, v)
		}
		return out, err
	}
	// Through the executor, calls cancelled by a failure are skipped and
	// later ones may have finished: keep each result at its index and
	// return the prefix without a gap.
	vals := make([]T, n)
	done := make([]bool, n)
	call := func(ctx context.Context, i int) (at[T], error) {
		v, err := fn(ctx, i)
		return at[T]{int64(i), v}, err
	}
	err := run(ctx, name, indices(n), limit, wide, inTime, call, func(r at[T]) bool {
		vals[r.i], done[r.i] = r.v, true
		return true
	})
	for i := range n {
		if !done[i] {
			break
		}
		out = append(out, vals[i])
	}
	return out, err
}

// A Result is the outcome of one call made by [GatherAll] or [MapAll]: its
// value and its error.
type Result[T any] struct {
	Value T
	Err   error
}

// GatherAll runs every function, at most limit at once (0: no limit), and
// returns each one's value and error, in the order of fns. A failure does
// not stop the others. When ctx ends, the functions still running are
// cancelled and those not yet started never run: their Results hold
// context.Cause(ctx), while those that finished before keep their own. A
// panic is raised again in the caller once the others have been cancelled
// and joined: a panic is a bug, not a result.
//
// GatherAll panics if a function is nil or limit is negative.
func GatherAll[T any](ctx context.Context, limit int, fns ...func(ctx context.Context) (T, error)) []Result[T] {
	mustContext(ctx, "GatherAll")
	checkFuncs("GatherAll", fns)
	checkLimit(limit)
	out := make([]Result[T], 0, len(fns))
	if err := context.Cause(ctx); err != nil {
		for range fns {
			out = append(out, Result[T]{Err: err})
		}
		return out
	}
	var futs []*group.Future[T]
	if limit == 0 || limit >= len(fns) {
		call := func(ctx context.Context, i int) (T, error) { return fns[i](ctx) }
		futs, _ = startAll(ctx, "flow.GatherAll", len(fns), call, true)
	} else {
		futs = submitAll(ctx, limit, fns)
	}
	for _, f := range futs {
		v, err := f.Result()
		if s := f.State(); s == group.Canceled || s == group.Refused {
			err = context.Cause(ctx)
		}
		out = append(out, Result[T]{v, err})
	}
	for len(out) < len(fns) { // never submitted: ctx ended
		out = append(out, Result[T]{Err: context.Cause(ctx)})
	}
	return out
}

// submitAll submits the functions in order to a private executor with
// SuppressErrors, at most limit at once, until ctx ends, and returns the
// futures of those submitted once every one has finished. A panic is raised
// again here once the others have been cancelled and joined.
func submitAll[T any](ctx context.Context, limit int, fns []func(context.Context) (T, error)) []*group.Future[T] {
	g := group.New(ctx, group.Name("flow.GatherAll"))
	ex := executor.New(g, executor.MaxWorkers(limit), executor.SuppressErrors())
	futs := make([]*group.Future[T], 0, len(fns))
	for _, fn := range fns {
		f, err := executor.Async(ctx, ex, fn)
		if err != nil {
			break // ctx ended: the rest never run
		}
		futs = append(futs, f)
	}
	_ = ex.Wait() // failures stay with their futures
	_ = g.Close()
	return futs
}

// startAll runs fn(ctx, i) for i in [0, n) at once, each as a task of a
// private group, and waits for them: the path of Gather, GatherAll and
// Repeat when the limit does not bind, which needs no executor. It returns
// the futures in order and what the group's Wait returns. With supervise a
// failure does not cancel the others. A panic is raised again here once
// the others have been cancelled and joined.
func startAll[T any](ctx context.Context, name string, n int, fn func(context.Context, int) (T, error), supervise bool) ([]*group.Future[T], error) {
	opts := []group.Option{group.Name(name)}
	if supervise {
		opts = append(opts, group.OnError(func(error) {}))
	}
	g := group.New(ctx, opts...)
	futs := make([]*group.Future[T], n)
	for i := range n {
		futs[i] = group.Async(g, func(ctx context.Context) (T, error) { return fn(ctx, i) })
	}
	return futs, g.Wait()
}

// Repeat calls fn(ctx, i) for i = 0, 1, …, n-1, at most limit at once (0: no
// limit), and returns the results in the order of i. Failures, ctx ending
// and panics are handled as in [Gather].
//
// Repeat panics if fn is nil, or if n or limit is negative.
func Repeat[T any](ctx context.Context, n int, fn func(ctx context.Context, i int) (T, error), limit int) ([]T, error) {
	mustContext(ctx, "Repeat")
	if fn == nil {
		panic("flow: Repeat with a nil function")
	}
	if n < 0 {
		panic("flow: Repeat with a negative count")
	}
	checkLimit(limit)
	return gather(ctx, "flow.Repeat", n, fn, limit)
}

// Until calls fn, then test, again and again until test reports true, and
// returns fn's results in order: fn runs at least once. It runs in the
// caller's goroutine. At the first error of fn or test, or if ctx has ended
// before a call of fn, it stops and returns the results so far with the
// error (or context.Cause(ctx)).
//
// Until panics if fn or test is nil.
func Until[T any](ctx context.Context, fn func(ctx context.Context) (T, error), test func(ctx context.Context) (bool, error)) ([]T, error) {
	mustContext(ctx, "Until")
	return loop(ctx, "Until", fn, test, true)
}

// Whilst calls test, then fn, again and again while test reports true, and
// returns fn's results in order: fn may never run. Errors and ctx are
// handled as in [Until].
//
// Whilst panics if fn or test is nil.
func Whilst[T any](ctx context.Context, fn func(ctx context.Context) (T, error), test func(ctx context.Context) (bool, error)) ([]T, error) {
	mustContext(ctx, "Whilst")
	return loop(ctx, "Whilst", fn, test, false)
}

// loop is Until (stop when test reports true, fn first) and Whilst (stop
// when it reports false, test first).
func loop[T any](ctx context.Context, name string, fn func(context.Context) (T, error), test func(context.Context) (bool, error), until bool) ([]T, error) {
	if fn == nil || test == nil {
		panic("flow: " + name + " with a nil function")
	}
	var out []T
	for first := true; ; first = false {
		if !until || !first {
			ok, err := test(ctx)
			if err != nil {
				return out, err
			}
			if ok == until {
				return out, nil
			}
		}
		if err := context.Cause(ctx); err != nil {
			return out, err
		}
		v, err := fn(ctx)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}
