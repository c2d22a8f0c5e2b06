// Package outcomes starts tasks that end in every way a task can, for the
// tests of observers (observe/otel, observe/prom), which check what they
// report against the same workload. It is for tests only.
package outcomes

import (
	"context"
	"errors"
	"time"

	"github.com/nursery-go/nursery/group"
)

// ErrBoom is what the task "fail" of Start returns.
var ErrBoom = errors.New("boom")

// Sleeper returns a task that runs for d (of a synctest bubble's fake
// time) and then returns err.
func Sleeper(d time.Duration, err error) func(context.Context) error {
	return func(context.Context) error {
		time.Sleep(d)
		return err
	}
}

// Start starts in g, inside a synctest bubble, one task for each way a
// task can end: "ok-1" and "ok-2" succeed after 1s and 2s, "fail" returns
// ErrBoom after 1s, "panic" panics with "kaboom" after 1s (g should take
// panics as errors, group.PanicsAsErrors, and quiet its panic hook), and
// "cancel" is cancelled after 500ms. It returns once "cancel" has been
// cancelled, 500ms into the bubble's time.
func Start(g *group.Group) {
	g.Go(Sleeper(time.Second, nil), group.Name("ok-1"))
	g.Go(Sleeper(2*time.Second, nil), group.Name("ok-2"))
	g.Go(Sleeper(time.Second, ErrBoom), group.Name("fail"))
	g.Go(func(context.Context) error {
		time.Sleep(time.Second)
		panic("kaboom")
	}, group.Name("panic"))
	started := make(chan struct{})
	cancelled := g.Go(func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}, group.Name("cancel"))
	<-started
	time.Sleep(500 * time.Millisecond)
	cancelled.Cancel()
}
