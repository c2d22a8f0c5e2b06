package flow

import (
	"context"
	"errors"

	"go.uber.org/multierr"
)

// errDecided is the failure with which Every and Some stop their calls as
// soon as one verdict decides the answer, so that the executor cancels the
// others at once, whatever their order.
var errDecided = errors.New("flow: decided")

// Every reports whether pred reports true for every value of src, calling
// pred on at most limit values at once; 0 means no limit. The first false
// verdict, in whatever order the calls finish, decides: Every cancels the
// calls in flight, waits for them, and returns false. An empty src gives
// true.
//
// At the first failure (an error from pred or from src, or ctx ending)
// before a false verdict, Every cancels and waits in the same way and returns
// false with the failure. A panic in pred is raised again in the caller
// once the other calls have been cancelled and joined.
//
// Every panics if src or pred is nil, or if limit is negative.
func Every[T any](ctx context.Context, src Seq[T], pred func(ctx context.Context, v T) (bool, error), limit int) (bool, error) {
	mustContext(ctx, "Every")
	decided, err := decide(ctx, "flow.Every", src, pred, limit, false)
	return !decided && err == nil, err
}

// Some reports whether pred reports true for at least one value of src,
// calling pred on at most limit values at once; 0 means no limit. The first
// true verdict, in whatever order the calls finish, decides: Some cancels
// the calls in flight, waits for them, and returns true. An empty src gives
// false. Failures and panics are handled as in [Every].
//
// Some panics if src or pred is nil, or if limit is negative.
func Some[T any](ctx context.Context, src Seq[T], pred func(ctx context.Context, v T) (bool, error), limit int) (bool, error) {
	mustContext(ctx, "Some")
	return decide(ctx, "flow.Some", src, pred, limit, true)
}

// decide runs pred over src until it reports verdict for a value, and
// reports whether it did; err is a failure that came first.
func decide[T any](ctx context.Context, name string, src Seq[T], pred func(context.Context, T) (bool, error), limit int, verdict bool) (bool, error) {
	if src == nil || pred == nil {
		panic("flow: " + name[len("flow."):] + " with a nil sequence or predicate")
	}
	checkLimit(limit)
	test := func(ctx context.Context, v T) (struct{}, error) {
		ok, err := pred(ctx, v)
		if err == nil && ok == verdict {
			err = errDecided
		}
		return struct{}{}, err
	}
	err := run(ctx, name, src, limit, wide, inTime, test, func(struct{}) bool { return true })
	if err == nil {
		return false, nil
	}
	// The first failure decides: the verdict, or an error that came before.
	if first := multierr.Errors(err)[0]; errors.Is(first, errDecided) {
		return true, nil
	}
	return false, withoutDecided(err)
}

// withoutDecided returns err without the errDecided parts: a verdict that
// came after a failure is not a failure.
func withoutDecided(err error) error {
	var kept []error
	for _, e := range multierr.Errors(err) {
		if !errors.Is(e, errDecided) {
			kept = append(kept, e)
		}
	}
	return multierr.Combine(kept...)
}

// First returns the first value of src, in the order of src, for which pred
// reports true, or def if there is none. pred runs on at most limit values
// at once (0: no limit), ahead of the value being decided; once the first
// match is known First cancels the calls in flight, waits for them and
// returns it. Failures of calls on values after the match do not count.
//
// First takes a value from src only when fewer than limit are in flight,
// and none once the match is known, so it takes at most limit-1 values past
// the match, which are dropped. With limit 1, pred runs on one value after
// another and First takes exactly the values up to the match; with no
// limit it may take every value src has. Over a queue.Queue, its own First
// method takes exactly the items it tests, without a worker.
//
// At the first failure before a match (an error from pred or from src, or
// ctx ending) First cancels and waits in the same way and returns def with
// the failure. A panic in pred is raised again in the caller once the other
// calls have been cancelled and joined.
//
// First panics if src or pred is nil, or if limit is negative.
func First[T any](ctx context.Context, src Seq[T], pred func(ctx context.Context, v T) (bool, error), def T, limit int) (T, error) {
	mustContext(ctx, "First")
	if src == nil || pred == nil {
		panic("flow: First with a nil sequence or predicate")
	}
	checkLimit(limit)
	test := func(ctx context.Context, v T) (kept[T], error) {
		ok, err := pred(ctx, v)
		return kept[T]{v, ok}, err
	}
	found, match := false, def
	err := run(ctx, "flow.First", src, limit, narrow, inOrder, test, func(k kept[T]) bool {
		if k.ok {
			found, match = true, k.v
		}
		return !k.ok
	})
	if found {
		return match, nil
	}
	return def, err
}
