// Package executor is a stub of github.com/nursery-go/nursery/executor for
// the analyzers' tests: the real signatures, no behaviour.
package executor

import (
	"context"
	"iter"

	"github.com/nursery-go/nursery/group"
)

type Option interface{ apply() }

func MaxWorkers(n int) Option { return nil }

type Executor struct{ _ int }

func New(parent *group.Group, opts ...Option) *Executor { return new(Executor) }

func (ex *Executor) Submit(ctx context.Context, fn func(ctx context.Context) error) (*group.Task, error) {
	return nil, nil
}
func (ex *Executor) TrySubmit(fn func(ctx context.Context) error) (*group.Task, bool) {
	return nil, false
}
func (ex *Executor) Enqueue(fn func(ctx context.Context) error) (*group.Task, error) {
	return nil, nil
}
func (ex *Executor) Wait() error                        { return nil }
func (ex *Executor) Close() error                       { return nil }
func (ex *Executor) Shutdown(ctx context.Context) error { return nil }
func (ex *Executor) Done() <-chan struct{}              { return nil }
func (ex *Executor) Group() *group.Group                { return nil }

func Async[T any](ctx context.Context, ex *Executor, fn func(ctx context.Context) (T, error)) (*group.Future[T], error) {
	return nil, nil
}

func EnqueueAsync[T any](ex *Executor, fn func(ctx context.Context) (T, error)) (*group.Future[T], error) {
	return nil, nil
}

func Exec[T any](ctx context.Context, ex *Executor, fn func(ctx context.Context) (T, error)) (T, error) {
	var v T
	return v, nil
}

func Map[In, Out any](ctx context.Context, ex *Executor, seq iter.Seq[In], fn func(ctx context.Context, v In) (Out, error), opts ...Option) iter.Seq2[Out, error] {
	return nil
}
