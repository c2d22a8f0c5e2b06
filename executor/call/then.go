package call

import "context"

// Then returns a function that runs fn and then cb with fn's result and
// error; cb's results are the function's. Given to executor.Async or a
// group, cb runs in the job, so it counts as part of the job and sees the
// job's context.
//
// For functions that take an item, such as executor.Map's, use [ThenEach].
//
// Then panics if fn or cb is nil.
func Then[T, U any](fn func(ctx context.Context) (T, error), cb func(ctx context.Context, v T, err error) (U, error)) func(ctx context.Context) (U, error) {
	if fn == nil || cb == nil {
		panic("call: Then with nil function")
	}
	return func(ctx context.Context) (U, error) {
		v, err := fn(ctx)
		return cb(ctx, v, err)
	}
}

// ThenEach is [Then] for functions that take an item, such as those of
// executor.Map, MapUnordered and MapBatches: it returns a function that
// runs fn on an item and then cb with fn's result and error, in the same
// job.
//
// ThenEach panics if fn or cb is nil.
func ThenEach[In, T, U any](fn func(ctx context.Context, v In) (T, error), cb func(ctx context.Context, v T, err error) (U, error)) func(ctx context.Context, v In) (U, error) {
	if fn == nil || cb == nil {
		panic("call: ThenEach with nil function")
	}
	return func(ctx context.Context, v In) (U, error) {
		r, err := fn(ctx, v)
		return cb(ctx, r, err)
	}
}
