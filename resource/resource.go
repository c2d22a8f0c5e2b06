package resource

import (
	"errors"

	"github.com/nursery-go/nursery/group"
)

// A Resource is anything with a group lifecycle: it is Open, then Closing,
// then Closed, observable with State and with the Closing and Done channels,
// and Close cancels it and waits until it is Closed.
//
// A *[group.Group] is a Resource, and so is any struct that embeds one (by
// pointer, or by value when the struct is used by pointer), such as a
// *[Stack] or a user type that embeds a *Stack: the methods are promoted
// from the group. Implementations must make Close idempotent and safe for
// concurrent use, as [group.Group.Close] is.
type Resource interface {
	// State returns the current lifecycle state.
	State() group.State
	// Closing returns a channel that is closed when the resource leaves
	// Open.
	Closing() <-chan struct{}
	// Done returns a channel that is closed when the resource is Closed.
	Done() <-chan struct{}
	// Close starts closing the resource, waits until it is Closed and
	// returns its combined errors.
	Close() error
}

var (
	_ Resource = (*group.Group)(nil)
	_ Resource = (*Stack)(nil)
)

// ErrClosed is returned when something is handed to a resource that has
// started closing: by [Stack.OnClose] and [Stack.Own] (after running the
// hook or closing the resource at once), by [Open] into a closing parent,
// and as [Supervisor.Err] when the group refused the supervisor. It is
// [group.ErrClosed], so errors.Is matches either name.
var ErrClosed = group.ErrClosed

// ErrStop is returned by a supervised job, or by the function of an [call.Interval] it supervises,
// to stop without being restarted. The supervisor then ends without error.
// It may be wrapped: errors.Is finds it.
var ErrStop = errors.New("resource: stop supervised job")
