package flow

import (
	"context"
	"iter"
	"math"
	"sync/atomic"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/streamctl"
)

// A Seq is a stream of values, each with an error, as every stage of this
// package takes and returns: a pair with a nil error is a value, and a pair
// with an error is the stream's failure, after which the stream ends. The
// stages never yield a value and an error together.
//
// It is an iter.Seq2[T, error], so any such function is a Seq, and a Seq
// ranges like one:
//
//	for v, err := range seq {
//		if err != nil {
//			return err
//		}
//		use(v)
//	}
type Seq[T any] = iter.Seq2[T, error]

// Slice returns a Seq of the elements of s, in order, without errors.
// The stages read s while they run: s must not change until they are done.
func Slice[T any](s []T) Seq[T] {
	return func(yield func(T, error) bool) {
		for _, v := range s {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Values returns a Seq of the values of seq, in order, without errors.
//
// Values panics if seq is nil.
func Values[T any](seq iter.Seq[T]) Seq[T] {
	if seq == nil {
		panic("flow: Values of a nil sequence")
	}
	return func(yield func(T, error) bool) {
		for v := range seq {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Collect ranges over seq and returns its values in order. At the first
// error it stops, which ends and joins every stage of seq, and returns the
// values before the error with the error.
//
// Collect panics if seq is nil.
func Collect[T any](seq Seq[T]) ([]T, error) {
	if seq == nil {
		panic("flow: Collect of a nil sequence")
	}
	var c collector[T]
	for v, err := range seq {
		if err != nil {
			return c.slice(), err
		}
		c.add(v)
	}
	return c.slice(), nil
}

// A collector gathers the values of Collect: into one slice by append up
// to growLimit values, and from then on into new chunks that double in
// size up to maxChunk, copied once into a slice of the exact length at the
// end. Growing one slice by append would copy every value again at each
// growth, about four times over for a long stream, and allocate five
// times its final size (BenchmarkCollect: 1,000,000 ints cost 28-54 ns
// and 40 MiB that way, 11-19 ns and 16 MiB in chunks).
type collector[T any] struct {
	full [][]T // the chunks filled, in order
	n    int   // the values in full
	cur  []T   // the chunk being filled
}

const (
	growLimit = 1 << 10
	maxChunk  = 1 << 16
)

func (c *collector[T]) add(v T) {
	if len(c.cur) == cap(c.cur) && len(c.cur) >= growLimit {
		c.newChunk()
	}
	c.cur = append(c.cur, v)
}

// newChunk sets the full chunk cur aside and starts another.
func (c *collector[T]) newChunk() {
	c.full = append(c.full, c.cur)
	c.n += len(c.cur)
	c.cur = make([]T, 0, min(2*len(c.cur), maxChunk))
}

// slice returns the values added, in order: cur itself while it is the
// only chunk (nil if no value was added).
func (c *collector[T]) slice() []T {
	if c.full == nil {
		return c.cur
	}
	out := make([]T, c.n+len(c.cur))
	i := 0
	for _, chunk := range c.full {
		i += copy(out[i:], chunk)
	}
	copy(out[i:], c.cur)
	return out
}

// How run handles a failing call.
type failures int

const (
	// inTime: the first call to fail, in time, cancels the others at once
	// (the executor's fail-fast policy). For functions whose answer does
	// not depend on the order of src.
	inTime failures = iota
	// inOrder: a failure counts at its place in src, as in a sequential
	// loop: the results before it are delivered first, and a failing call
	// does not cancel the calls on values before it.
	inOrder
)

// How far run reads src ahead of what it has handed to out, as a multiple
// of the limit: the values it holds when it stops early are lost to src.
type reach int

const (
	// wide: twice the limit, so that one slow value does not idle the
	// workers while later results wait behind it.
	wide reach = 2
	// narrow: the limit, for First, whose values past the match are lost:
	// with limit 1 it takes exactly the values up to the match.
	narrow reach = 1
)

// window returns how many values run may hold with limit (0: no limit).
func (r reach) window(limit int) int {
	if limit == 0 || limit > math.MaxInt/int(r) {
		return math.MaxInt
	}
	return int(r) * limit
}

// run is the engine of every concurrent function of the package. It runs fn
// on each value of src as jobs of a private executor, in a private group
// made from ctx, with at most limit jobs at once (0: no limit), and calls
// out with each result in the order of src until out returns false.
//
// run takes a value from src only when it holds fewer than r.window(limit)
// values taken and not handed to out, and takes none once it has stopped
// (out returned false, a failure, ctx ended): whatever src is, it never
// asks for a value it has no room for or no use for.
//
// run returns when everything it started has finished: its group is
// Closed. It returns the first failure (see failures): fn's error, src's
// error, or ctx's cause. A panic in fn is raised again here, in the
// caller's goroutine, after every other job has been cancelled and joined
// (see package group). When out stops the range, run cancels and joins what
// is still running and returns nil: what fails after the caller has its
// answer does not count.
func run[In, Out any](ctx context.Context, name string, src Seq[In], limit int, r reach, how failures, fn func(context.Context, In) (Out, error), out func(Out) bool) error {
	if limit > 0 && limit <= maxPoolLimit {
		return runPool(ctx, name, src, limit, r.window(limit), how, fn, out)
	}
	workers, window := math.MaxInt, r.window(limit)
	if limit > 0 {
		workers = limit
	}
	// In time, a failure of src cancels the calls in flight at once, with
	// src's error as the cause, so that it counts when it happens.
	gctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g := group.New(gctx, group.Name(name))
	closed := false
	defer func() {
		if !closed {
			stopAndJoin(g)
		}
	}()
	opts := []executor.Option{executor.MaxWorkers(workers)}
	if how == inOrder {
		opts = append(opts, executor.SuppressErrors())
	}
	ex := executor.New(g, opts...)
	var srcErr error
	// Once ex has stopped (a failure in time, ctx ended) take no more.
	in := values(src, how, cancel, &srcErr, ex.Group().Context())
	var mapErr error
	stopped := false
	mopts := []executor.Option{executor.Window(window)}
	if how == inTime {
		// A failure closes ex as soon as it happens, not in its turn.
		mopts = append(mopts, streamctl.InTime.(executor.Option))
	}
	for v, err := range executor.Map(gctx, ex, in, fn, mopts...) {
		if err != nil {
			mapErr = err
			break
		}
		if !out(v) {
			stopped = true
			break
		}
	}
	// Close cancels what is left, waits for it and raises a job's panic.
	// In time, when the range stopped at a failure, Close returns it with
	// any that happened at the same time, first failure first; a failure
	// of src is among them as the group's cancellation cause.
	closed = true
	closeErr := g.Close()
	switch {
	case stopped:
		return nil
	case closeErr != nil:
		return closeErr
	case mapErr != nil:
		return mapErr
	}
	return srcErr
}

// values returns the values of src as an iter.Seq for the engines, which
// read it in the ranging goroutine. At src's failure it stops, keeps the
// error in *srcErr and, in time, cancels the calls in flight with it at
// once, so that it counts when it happens. It takes no value from src once
// stop has ended (nil: never): a value taken then would be dropped.
func values[In any](src Seq[In], how failures, cancel context.CancelCauseFunc, srcErr *error, stop context.Context) iter.Seq[In] {
	return func(yield func(In) bool) {
		for v, err := range src {
			if err != nil {
				*srcErr = err
				if how == inTime {
					cancel(err)
				}
				return
			}
			if !yield(v) || stop != nil && stop.Err() != nil {
				return
			}
		}
	}
}

// stopAndJoin is what run and runPool do when a panic in out (the range
// body) or in src is on its way up through them: cancel and join what runs
// first. A job's panic raised by Close now would hide the one going up, so
// it is swallowed here; it was reported to the panic hook when it was
// recovered.
func stopAndJoin(g *group.Group) {
	defer func() { _ = recover() }()
	g.Cancel()
	_ = g.Close()
}

// checkLimit panics on a negative limit.
func checkLimit(limit int) {
	if limit < 0 {
		panic("flow: negative limit")
	}
}

// stage returns the Seq that runs fn over src through run and yields what
// emit makes of each result: a stage's values in order, then its failure,
// if any, as the last pair.
func stage[In, Mid, Out any](ctx context.Context, name string, src Seq[In], limit int, how failures, fn func(context.Context, In) (Mid, error), emit func(Mid, func(Out, error) bool) bool) Seq[Out] {
	return func(yield func(Out, error) bool) {
		stopped := false
		err := run(ctx, name, src, limit, wide, how, fn, func(m Mid) bool {
			if !emit(m, yield) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			var zero Out
			yield(zero, err)
		}
	}
}

// Map returns a Seq of fn applied to each value of src, in the order of src,
// with at most limit calls of fn running at once; 0 means no limit.
//
// Map runs when ranged over. It reads src as fn calls finish, keeping at
// most 2×limit values in flight, so that memory stays bounded however long
// src is; with no limit it reads src as fast as src yields. A failure counts
// at its place in src, as in a sequential loop: when a call of fn fails,
// Map yields the results before it, in order, then the error as its last
// pair, and cancels and waits for the calls after it. A failure of src
// ends Map in the same way, after the values read before it. When ctx ends,
// Map cancels and waits for every call in flight and yields
// context.Cause(ctx) as its last pair. Leaving the range early cancels and
// waits for the calls in flight as well, so nothing Map started outlives
// the range. A panic in fn is raised again in the ranging goroutine once
// the other calls have been cancelled and joined.
//
// Map panics if src or fn is nil, or if limit is negative.
func Map[In, Out any](ctx context.Context, src Seq[In], fn func(ctx context.Context, v In) (Out, error), limit int) Seq[Out] {
	mustContext(ctx, "Map")
	if src == nil || fn == nil {
		panic("flow: Map with a nil sequence or function")
	}
	checkLimit(limit)
	return stage(ctx, "flow.Map", src, limit, inOrder, fn, func(v Out, yield func(Out, error) bool) bool {
		return yield(v, nil)
	})
}

// MapAll is [Map] that keeps going past failing calls: it yields a [Result]
// for each value of src, fn's value and error, in the order of src. A call
// that fails cancels nothing and ends nothing. Use Map when the first
// failure should end the stream and cancel what follows, MapAll when every
// value needs its own outcome; [GatherAll] does the same for a list of
// functions.
//
// MapAll runs, reads src and holds values as Map does, with at most limit
// calls of fn at once (0: no limit). Only the stream itself fails, with its
// last pair: when src fails, MapAll yields the Results of the values read
// before the failure, then src's error; when ctx ends, it cancels and waits
// for the calls in flight and yields context.Cause(ctx) (Results of calls
// already finished may come out first, with the errors the calls returned).
// Leaving the range early cancels and waits for the calls in flight. A
// panic in fn is not a result: it is raised again in the ranging goroutine
// once the other calls have been cancelled and joined.
//
// MapAll panics if src or fn is nil, or if limit is negative.
func MapAll[In, Out any](ctx context.Context, src Seq[In], fn func(ctx context.Context, v In) (Out, error), limit int) Seq[Result[Out]] {
	mustContext(ctx, "MapAll")
	if src == nil || fn == nil {
		panic("flow: MapAll with a nil sequence or function")
	}
	checkLimit(limit)
	call := func(ctx context.Context, v In) (Result[Out], error) {
		out, err := fn(ctx, v)
		return Result[Out]{out, err}, nil
	}
	return stage(ctx, "flow.MapAll", src, limit, inOrder, call, func(r Result[Out], yield func(Result[Out], error) bool) bool {
		return yield(r, nil)
	})
}

// FlatMap is [Map] for a function that returns any number of values: it
// yields the values of each call's slice in order, then those of the next
// value of src.
//
// FlatMap panics if src or fn is nil, or if limit is negative.
func FlatMap[In, Out any](ctx context.Context, src Seq[In], fn func(ctx context.Context, v In) ([]Out, error), limit int) Seq[Out] {
	mustContext(ctx, "FlatMap")
	if src == nil || fn == nil {
		panic("flow: FlatMap with a nil sequence or function")
	}
	checkLimit(limit)
	return stage(ctx, "flow.FlatMap", src, limit, inOrder, fn, func(vs []Out, yield func(Out, error) bool) bool {
		for _, v := range vs {
			if !yield(v, nil) {
				return false
			}
		}
		return true
	})
}

// kept is a value with the verdict of a predicate on it.
type kept[T any] struct {
	v  T
	ok bool
}

// Filter returns a Seq of the values of src for which pred reports true, in
// the order of src, with at most limit calls of pred running at once; 0
// means no limit. It runs, fails and stops as [Map].
//
// Filter panics if src or pred is nil, or if limit is negative.
func Filter[T any](ctx context.Context, src Seq[T], pred func(ctx context.Context, v T) (bool, error), limit int) Seq[T] {
	mustContext(ctx, "Filter")
	return filter(ctx, "flow.Filter", src, pred, limit, true)
}

func filter[T any](ctx context.Context, name string, src Seq[T], pred func(context.Context, T) (bool, error), limit int, want bool) Seq[T] {
	if src == nil || pred == nil {
		panic("flow: " + name[len("flow."):] + " with a nil sequence or predicate")
	}
	checkLimit(limit)
	test := func(ctx context.Context, v T) (kept[T], error) {
		ok, err := pred(ctx, v)
		return kept[T]{v, ok == want}, err
	}
	return stage(ctx, name, src, limit, inOrder, test, func(k kept[T], yield func(T, error) bool) bool {
		return !k.ok || yield(k.v, nil)
	})
}

// DropWhile returns a Seq that drops the values of src while pred reports
// true for them, then yields every value from the first for which it reports
// false on, in order. pred runs on up to limit values at once (0: no limit),
// ahead of the one being decided; once it has reported false for a value, it
// is not called for the values after that one, which are kept whatever pred
// says. It runs, fails and stops as [Map].
//
// DropWhile panics if src or pred is nil, or if limit is negative.
func DropWhile[T any](ctx context.Context, src Seq[T], pred func(ctx context.Context, v T) (bool, error), limit int) Seq[T] {
	mustContext(ctx, "DropWhile")
	if src == nil || pred == nil {
		panic("flow: DropWhile with a nil sequence or predicate")
	}
	checkLimit(limit)
	return func(yield func(T, error) bool) {
		// cut is the smallest position at which pred has reported false so
		// far: every value after it is kept whatever pred says.
		var cut atomic.Int64
		cut.Store(math.MaxInt64)
		test := func(ctx context.Context, p at[T]) (kept[T], error) {
			if p.i > cut.Load() {
				return kept[T]{p.v, true}, nil
			}
			drop, err := pred(ctx, p.v)
			if p.i > cut.Load() {
				// A value after the cut, whose test began before the cut was
				// known: kept, whatever pred said or failed with.
				return kept[T]{p.v, true}, nil
			}
			if err == nil && !drop {
				for c := cut.Load(); p.i < c && !cut.CompareAndSwap(c, p.i); c = cut.Load() {
				}
			}
			return kept[T]{p.v, !drop}, err
		}
		dropping := true
		stage(ctx, "flow.DropWhile", numbered(src), limit, inOrder, test, func(k kept[T], yield func(T, error) bool) bool {
			if dropping && !k.ok {
				return true
			}
			dropping = false
			return yield(k.v, nil)
		})(yield)
	}
}

// at is a value with its position in its Seq.
type at[T any] struct {
	i int64
	v T
}

// numbered returns src with each value's position.
func numbered[T any](src Seq[T]) Seq[at[T]] {
	return func(yield func(at[T], error) bool) {
		var i int64
		for v, err := range src {
			if !yield(at[T]{i, v}, err) {
				return
			}
			i++
		}
	}
}

// Each calls fn on each value of src, at most limit at once (0: no limit),
// and returns when every call has returned. At the first failure (of fn, of
// src, or ctx ending) it cancels the calls in flight, waits for them and
// returns the failure. A panic in fn is raised again in the caller once the
// other calls have been cancelled and joined.
//
// Each panics if src or fn is nil, or if limit is negative.
func Each[T any](ctx context.Context, src Seq[T], fn func(ctx context.Context, v T) error, limit int) error {
	mustContext(ctx, "Each")
	if src == nil || fn == nil {
		panic("flow: Each with a nil sequence or function")
	}
	checkLimit(limit)
	call := func(ctx context.Context, v T) (struct{}, error) { return struct{}{}, fn(ctx, v) }
	return run(ctx, "flow.Each", src, limit, wide, inTime, call, func(struct{}) bool { return true })
}

// Reduce folds the values of src into acc from the left, one after another
// in the order of src: acc = fn(ctx, acc, v) for each v, starting from
// initial. The folding itself is sequential, as it must be; the stages
// feeding src run concurrently with it.
//
// At the first error of fn or of src, or when ctx ends (checked before and
// after each call of fn), Reduce stops, which ends and joins every stage of
// src, and returns the accumulator so far with the error. It takes no value
// from src after fn has failed or ctx has ended.
//
// Reduce panics if src or fn is nil.
func Reduce[T, A any](ctx context.Context, src Seq[T], fn func(ctx context.Context, acc A, v T) (A, error), initial A) (A, error) {
	mustContext(ctx, "Reduce")
	if src == nil || fn == nil {
		panic("flow: Reduce with a nil sequence or function")
	}
	acc := initial
	for v, err := range src {
		if err == nil {
			err = context.Cause(ctx)
		}
		if err == nil {
			acc, err = fn(ctx, acc, v)
		}
		if err == nil {
			// Checked again before the next value is taken: a value taken
			// once ctx has ended would be dropped.
			err = context.Cause(ctx)
		}
		if err != nil {
			return acc, err
		}
	}
	return acc, context.Cause(ctx)
}
