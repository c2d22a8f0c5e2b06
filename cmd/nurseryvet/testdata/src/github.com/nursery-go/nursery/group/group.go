// Package group is a stub of github.com/nursery-go/nursery/group for the
// analyzers' tests: the real signatures, no behaviour.
package group

import (
	"context"
	"errors"
)

var ErrWaitInTask = errors.New("group: wait called from a task of the group it waits for")

type Option interface{ apply() }

type State int32

type Task struct{ _ int }

func (t *Task) Err() error { return nil }

type Future[T any] struct {
	Task
}

func (f *Future[T]) Result() (T, error) { var v T; return v, nil }

type Group struct{ _ int }

func New(ctx context.Context, opts ...Option) *Group { return new(Group) }

func Name(name string) Option { return nil }

func Async[T any](g *Group, fn func(ctx context.Context) (T, error), opts ...Option) *Future[T] {
	return new(Future[T])
}

func (g *Group) Go(fn func(ctx context.Context) error, opts ...Option) *Task { return new(Task) }

func (g *Group) Start(ctx context.Context, fn func(ctx context.Context, ready func()) error, opts ...Option) error {
	return nil
}

func (g *Group) Wait() error                        { return nil }
func (g *Group) Close() error                       { return nil }
func (g *Group) Shutdown(ctx context.Context) error { return nil }
func (g *Group) Cancel()                            {}
func (g *Group) Subgroup(opts ...Option) *Group     { return new(Group) }
func (g *Group) Done() <-chan struct{}              { return nil }
func (g *Group) Closing() <-chan struct{}           { return nil }
func (g *Group) State() State                       { return 0 }
func (g *Group) Context() context.Context           { return nil }
