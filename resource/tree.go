package resource

import (
	"context"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// Tree returns a job that runs a subtree of supervised jobs, so that a
// supervisor can supervise supervisors: give it to [Supervise]. Each run
// makes a group (with the panic handling and observer of the group it
// runs in, and shown under it in snapshots), calls start to start the
// subtree in it — typically Supervise calls, or more Trees — and waits
// for that group.
//
// When a job of the subtree escalates, the subtree's group fails fast: its
// other supervisors stop, and the run fails with the escalation, so the
// supervisor running the Tree restarts the whole subtree, after its own
// backoff, and escalates in turn when the subtree fails too often (Erlang's
// one_for_all strategy, one level up). When the run is cancelled or its
// group starts closing, every job of the subtree stops before the run
// returns.
//
// If start panics, the subtree's group is closed and the panic goes on to
// the run, which the supervisor recovers as a failure. Tree panics if
// start is nil.
func Tree(start func(g *group.Group)) func(ctx context.Context) error {
	if start == nil {
		panic("resource: Tree with nil function")
	}
	return func(ctx context.Context) error {
		var opts []group.Option
		parent, _ := groupctl.GroupOf(ctx).(*group.Group)
		if parent != nil {
			opts = append(opts, groupctl.Like(parent).(group.Option))
		}
		g := group.New(ctx, append(opts, group.Name("tree"))...)
		if parent != nil {
			groupctl.Link(parent, g)
		}
		started := false
		defer func() {
			if !started {
				_ = g.Close()
			}
		}()
		start(g)
		started = true
		return g.Wait()
	}
}
