// Package resource is a stub of github.com/nursery-go/nursery/resource for
// the analyzers' tests: the real signatures, no behaviour.
package resource

import (
	"context"
	"time"

	"github.com/nursery-go/nursery/group"
)

type Option interface{ apply() }

type Resource interface {
	State() group.State
	Closing() <-chan struct{}
	Done() <-chan struct{}
	Close() error
}

type Stack struct {
	*group.Group
}

func NewStack(g *group.Group, opts ...Option) (*Stack, error) { return &Stack{Group: g}, nil }

func (s *Stack) OnClose(name string, fn func(ctx context.Context) error) error { return nil }

func (s *Stack) Own(name string, r Resource) error { return nil }

func Open[R Resource](ctx context.Context, parent *Stack, name string, open func(ctx context.Context, s *Stack) (R, error), opts ...Option) (R, error) {
	var r R
	return r, nil
}

type Spec struct{}

type Supervisor struct{ _ int }

func Supervise(g *group.Group, name string, job func(ctx context.Context) error, spec Spec) *Supervisor {
	return nil
}

func After(g *group.Group, name string, d time.Duration, fn func(ctx context.Context) error) *group.Task {
	return nil
}
