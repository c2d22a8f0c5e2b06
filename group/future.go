package group

import "context"

// A Future is a [Task] with a typed result, started by [Async]. It has all
// of Task's methods. Its methods are safe for concurrent use. A Future
// must not be copied. The zero value is not a future: Result, Await and
// Task's Done, Cancel, Start and Run panic with a message saying how to
// make one, rather than wait for ever.
type Future[T any] struct {
	Task
	fn  func(context.Context) (T, error)
	val T // written by the task before it finishes
}

// Async starts fn as a task of g, like [Group.Go], and returns its Future.
// (It is a function, not a method, because Go methods cannot have type
// parameters.) On a group that is not open, the Future is already
// [Refused] with [ErrClosed].
//
// Async panics if g or fn is nil.
func Async[T any](g *Group, fn func(ctx context.Context) (T, error), opts ...Option) *Future[T] {
	if g == nil || fn == nil {
		panic("group: Async with nil group or function")
	}
	f := &Future[T]{fn: fn}
	f.body = f // the Future is its own body: no closure per task
	g.spawn(&f.Task, opts)
	return f
}

func (f *Future[T]) describe(funcs map[uintptr]funcInfo) (string, string) {
	return describeFunc(f.fn, funcs)
}

func (f *Future[T]) runTask(ctx context.Context) error {
	v, err := f.fn(ctx)
	f.val = v
	return err
}

// Result blocks until the task has finished and returns its value and
// [Task.Err]. The value is the zero value if the function never ran.
func (f *Future[T]) Result() (T, error) {
	f.mustBeMadeFuture("Future.Result")
	<-f.Done()
	return f.val, f.Err()
}

// Await is [Future.Result] bounded by ctx: if ctx ends first it returns the
// zero value and ctx's cause, and the task goes on.
func (f *Future[T]) Await(ctx context.Context) (T, error) {
	mustContext(ctx, "Future.Await")
	f.mustBeMadeFuture("Future.Await")
	select {
	case <-f.Done():
		return f.Result()
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// mustBeMadeFuture panics if f is a zero Future, which would never finish.
func (f *Future[T]) mustBeMadeFuture(method string) {
	if f.meta == nil {
		panic("group: " + method + " on a zero Future; futures are made by Async")
	}
}
