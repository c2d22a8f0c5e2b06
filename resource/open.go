package resource

import (
	"context"
	"fmt"

	"go.uber.org/multierr"

	"github.com/nursery-go/nursery/group"
)

// Open opens a resource into parent: it makes a group for the resource,
// with a [Stack] on it, calls open to start the resource in it, and hands
// the result to parent with [Stack.Own]. It blocks while open runs and
// returns what open returned.
//
// If open fails or panics, Open closes the resource's group before
// returning the error (or letting the panic go on), so nothing open started
// is left running and the close hooks it registered have run. ctx is
// passed to open and bounds the opening only: the resource's tasks get
// contexts of its own group, which keep the values of parent's context but
// are cancelled neither by ctx nor by parent's cancellation.
//
// Once open, the resource lives as long as parent lets it: when parent
// leaves Open, the resource is closed in its turn, in reverse order of
// opening, so a server opened after the database it uses is closed before
// it. Its turn lasts as long as its own Stack may take — one CloseTimeout
// per entry registered on it, plus one for its tasks — rather than one
// parent's CloseTimeout, so that it is closed before the next resource's
// turn starts. If the resource fails by itself (leaves Open without being
// closed by parent), its error fails parent as a failed subgroup would.
//
// The resource's group is a root group of its own rather than a subgroup
// of parent's group, because a subgroup would be cancelled together with
// everything else in parent, in no order. It is made [group.Like] parent's
// group (its panic handling, shutdown grace and observer) and linked under
// it with [group.Group.Link], so that parent's snapshot shows it; the
// resource's Stack gets parent's [CloseTimeout]; opts configure the rest
// (its name is name unless opts name it otherwise). R is
// usually s itself or a type that embeds it; if it is not built on s,
// closing it also closes s's group, but only r's own Closing is watched.
//
// If parent has started closing, Open returns [ErrClosed] without calling
// open. Open panics if parent or open is nil.
func Open[R Resource](ctx context.Context, parent *Stack, name string, open func(ctx context.Context, s *Stack) (R, error), opts ...group.Option) (R, error) {
	mustContext(ctx, "Open")
	if parent == nil || open == nil {
		panic("resource: Open with nil parent or function")
	}
	var zero R
	if parent.State() != group.Open {
		return zero, ErrClosed
	}
	g := group.New(context.WithoutCancel(parent.Context()), append([]group.Option{group.Like(parent.Group), group.Name(name)}, opts...)...)
	parent.Link(g) // shown under the parent in snapshots (package observe)
	s, err := NewStack(g, closeTimeout(parent.timeout), hurryOn{parent.hurry})
	if err != nil {
		// Only a group that closed at once (a zero Timeout in opts) gets
		// here.
		return zero, multierr.Combine(err, g.Close())
	}
	opened := false
	defer func() {
		if !opened {
			_ = g.Close() // open panicked: stop what it started first
		}
	}()
	r, err := open(ctx, s)
	opened = true
	if err != nil {
		return zero, multierr.Combine(fmt.Errorf("resource: open %q: %w", name, err), g.Close())
	}
	closeFn := func() error {
		err := r.Close()
		if g.State() != group.Closed {
			// r is not built on g (or does not close it): g must not
			// outlive r all the same.
			err = multierr.Append(err, g.Close())
		}
		return err
	}
	// Its close gets the time its own Stack needs, not one entry's: closing
	// the resource runs its entries one after another.
	if err := parent.own(name, r.Closing(), closeFn, s.closeBudget); err != nil {
		return zero, err
	}
	return r, nil
}
