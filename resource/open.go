package resource

import (
	"context"
	"fmt"

	"go.uber.org/multierr"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// Open opens a resource into parent: it makes a group for the resource,
// with a [Stack] on it, calls open to start the resource in it, and hands
// the result to parent, which closes it in its turn. It blocks while open
// runs and returns what open returned. R may be the Stack itself, a type
// that embeds it, or anything built in its group that is a [Resource]: an
// [executor.Executor] made on s.Group, a [Queue].
//
// If open fails or panics, Open closes the resource's group before
// returning the error (or letting the panic go on), so nothing open started
// is left running and the close hooks it registered have run. ctx is
// passed to open and bounds the opening only: the resource's tasks get
// contexts of its own group, which keep the values of parent's context but
// are cancelled neither by ctx nor by parent's cancellation.
//
// # Closing
//
// Once open, the resource lives as long as parent lets it: when parent
// leaves Open, its resources close one at a time, in reverse order of
// opening, so a server opened after the database it uses is closed before
// it. A resource's turn is a graceful close within its close budget:
//
//   - It stops taking new work at once: its group leaves Open without
//     cancelling anything (as [group.Group.Shutdown]), so servers stop
//     accepting, supervisors stop restarting, executors refuse new jobs.
//   - Its close hooks run at the start of its turn, newest first, each
//     within CloseTimeout, while its tasks finish what they accepted with
//     their contexts intact: a producer's hook can close a queue that a
//     consumer of the same or an older resource then drains.
//   - When the budget is spent, what still runs is cancelled (its
//     context's cause is a [*cancel.TimeoutError] naming the resource) and
//     the resource's close fails with a [*CutOffError] naming it, so the
//     cut is never silent.
//
// The budget is the longest of the resource's CloseTimeout, the time its
// own entries take one after another (a nested resource counts with its
// budget), and the longest drain configured in it ([DrainTimeout] of a
// [Serve] on its group). The next resource's turn starts once this one is
// Closed. [Run]'s [ShutdownTimeout] caps the whole sequence: when it
// passes, or a second signal comes, the resource closing then is cut off
// at once and the older ones run with ended contexts.
//
// If the resource fails by itself (leaves Open without being closed by
// parent), its error fails parent as a failed subgroup would.
//
// The resource's group is a root group of its own rather than a subgroup
// of parent's group, because a subgroup would be cancelled together with
// everything else in parent, in no order. It is made like parent's
// group (its panic handling, shutdown grace and observer) and linked under
// it, so that parent's snapshot shows it. Its
// Stack gets parent's CloseTimeout unless opts set one; [WithGroup]
// configures the group (its name is name unless that names it otherwise).
// If R is not built on s, Open closes both, together: r with its Shutdown
// method when it has one, else with Close.
//
// If parent has started closing, Open returns [ErrClosed] without calling
// open. Open panics if parent, open or an option is nil.
func Open[R Resource](ctx context.Context, parent *Stack, name string, open func(ctx context.Context, s *Stack) (R, error), opts ...Option) (R, error) {
	mustContext(ctx, "Open")
	if parent == nil || open == nil {
		panic("resource: Open with nil parent or function")
	}
	o := options{closeTimeout: parent.timeout}
	apply("Open", &o, opts)
	gopts := append([]group.Option{groupctl.Like(parent.Group).(group.Option), group.Name(name)}, o.group...)
	var zero R
	if parent.State() != group.Open {
		return zero, ErrClosed
	}
	// The resource's own hurry: it ends when parent's does, or when the
	// resource's budget is spent, so that its entries whose turn has not
	// come then still run, at once.
	hurry, endHurry := context.WithCancelCause(context.Background())
	stopHurry := context.AfterFunc(parent.hurry, func() { endHurry(context.Cause(parent.hurry)) })
	dr := &drains{}
	g := group.New(context.WithValue(context.WithoutCancel(parent.Context()), drainsKey{}, dr), gopts...)
	groupctl.Link(parent.Group, g) // shown under the parent in snapshots (package observe)
	s, err := NewStack(g, CloseTimeout(o.closeTimeout), hurryOn(hurry))
	if err != nil {
		// Only a group that closed at once (a zero Timeout in opts) gets
		// here.
		stopHurry()
		endHurry(nil)
		return zero, multierr.Combine(err, g.Close())
	}
	s.drains = dr
	opened := false
	defer func() {
		if !opened {
			stopHurry()
			endHurry(nil)
			_ = g.Close() // open panicked: stop what it started first
		}
	}()
	r, err := open(ctx, s)
	opened = true
	if err != nil {
		stopHurry()
		endHurry(nil)
		return zero, multierr.Combine(fmt.Errorf("resource: open %q: %w", name, err), g.Close())
	}
	closeFn := func() error {
		defer endHurry(nil)
		defer stopHurry()
		return closeGracefully(name, g, s, r, hurry, endHurry)
	}
	// Its turn lasts its own budget, not one entry's time: see closeBudget.
	if err := parent.own(name, r.Closing(), closeFn, s.closeBudget); err != nil {
		return zero, err
	}
	return r, nil
}
