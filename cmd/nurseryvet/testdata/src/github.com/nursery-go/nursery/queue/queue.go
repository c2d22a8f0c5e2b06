// Package queue is a stub of github.com/nursery-go/nursery/queue for the
// analyzers' tests: the real signatures, no behaviour.
package queue

import "context"

type Queue[T any] struct{ _ int }

func New[T any](capacity int) *Queue[T] { return new(Queue[T]) }

func (q *Queue[T]) Put(ctx context.Context, v T) error { return nil }
func (q *Queue[T]) TryPut(v T) error                   { return nil }
func (q *Queue[T]) Get(ctx context.Context) (T, error) { var v T; return v, nil }
func (q *Queue[T]) Close()                             {}
