// Package flow is a stub of github.com/nursery-go/nursery/executor/flow
// for the analyzers' tests: the real signatures, no behaviour.
package flow

import (
	"context"
	"iter"
)

type Seq[T any] = iter.Seq2[T, error]

func Values[T any](seq iter.Seq[T]) Seq[T] { return nil }

func Map[In, Out any](ctx context.Context, src Seq[In], fn func(ctx context.Context, v In) (Out, error), limit int) Seq[Out] {
	return nil
}

func Each[T any](ctx context.Context, src Seq[T], fn func(ctx context.Context, v T) error, limit int) error {
	return nil
}
