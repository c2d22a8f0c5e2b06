package executor

import (
	"context"

	"github.com/nursery-go/nursery/group"
)

// Async submits fn as a job, like [Executor.Submit], and returns its
// [group.Future], the same type that [group.Async] returns. It blocks, and
// fails, as Submit does; that is why it takes a ctx, first as in every Go
// call that may block, where group.Async, which never blocks, takes none.
// [EnqueueAsync] is the form that never blocks. (Async is a function, not
// a method, because Go methods cannot have type parameters.)
//
// Async panics if ex or fn is nil.
func Async[T any](ctx context.Context, ex *Executor, fn func(ctx context.Context) (T, error)) (*group.Future[T], error) {
	mustContext(ctx, "Async")
	if ex == nil || fn == nil {
		panic("executor: Async with nil executor or function")
	}
	w, _, err := ex.acquire(ctx, true, nil, nil)
	if err != nil {
		return nil, err
	}
	f := makeJob(ex, w, func() *group.Future[T] { return group.Async(ex.g, fn, ex.hold) })
	return f, ex.dispatch(w, &f.Task)
}

// EnqueueAsync accepts fn as a job without blocking, like
// [Executor.Enqueue], and returns its [group.Future]: [Async] is to
// [Executor.Submit] what EnqueueAsync is to Enqueue. It returns [ErrFull]
// when the backlog bounded by [Backlog] is full and [ErrClosed] (wrapping
// the cause) when the executor no longer accepts work; the Future is nil
// then.
//
// EnqueueAsync panics if ex or fn is nil.
func EnqueueAsync[T any](ex *Executor, fn func(ctx context.Context) (T, error)) (*group.Future[T], error) {
	if ex == nil || fn == nil {
		panic("executor: EnqueueAsync with nil executor or function")
	}
	ex.mustBeMade("EnqueueAsync")
	var f *group.Future[T]
	if _, err := ex.enqueue(func() *group.Task {
		f = group.Async(ex.g, fn, ex.hold)
		return &f.Task
	}); err != nil {
		return nil, err
	}
	return f, nil
}

// Exec submits fn as a job and waits for its result. It blocks as
// [Executor.Submit] does, then until the job has finished. If ctx ends
// first, Exec cancels the job and returns [context.Cause](ctx) without
// waiting for it; if ctx has ended already, Exec submits nothing and returns
// that.
//
// Exec panics if ex or fn is nil.
func Exec[T any](ctx context.Context, ex *Executor, fn func(ctx context.Context) (T, error)) (T, error) {
	mustContext(ctx, "Exec")
	if ex == nil || fn == nil {
		panic("executor: Exec with nil executor or function")
	}
	if ctx.Err() != nil {
		var zero T
		return zero, context.Cause(ctx)
	}
	f, err := Async(ctx, ex, fn)
	if err != nil {
		var zero T
		return zero, err
	}
	select {
	case <-f.Done():
		return f.Result()
	case <-ctx.Done():
		f.Cancel()
		var zero T
		return zero, context.Cause(ctx)
	}
}
