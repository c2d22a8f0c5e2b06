package resource

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/optkit"
)

// The defaults of the options.
const (
	defaultCloseTimeout    = 5 * time.Second  // CloseTimeout
	defaultDrainTimeout    = 5 * time.Second  // DrainTimeout, for Serve
	defaultShutdownTimeout = 10 * time.Second // ShutdownTimeout
)

// An Option configures [NewStack], [Open], [NewQueue], [Serve] or [Run].
// Each option's doc names the functions it applies to; giving it to
// another panics with a message that names both.
type Option interface {
	applyResource(fn string, o *options)
}

// options holds every function's settings; each reads its own.
type options struct {
	closeTimeout    time.Duration    // NewStack, Open, Run (its root Stack's)
	hurry           context.Context  // NewStack, Open, Run: set by this package only
	group           []group.Option   // Open
	drain           time.Duration    // Serve, NewQueue
	signals         <-chan os.Signal // Run; nil: the process's SIGINT and SIGTERM
	shutdownTimeout time.Duration    // Run
	out             io.Writer        // Run
}

// option is an Option of the functions fns, named name in messages.
type option struct {
	name string
	fns  []string
	set  func(*options)
}

func (o option) applyResource(fn string, opts *options) {
	optkit.Check("resource", o.name, o.fns, fn)
	o.set(opts)
}

// apply applies opts, given to fn, to o.
func apply(fn string, o *options, opts []Option) {
	for _, opt := range opts {
		if opt == nil {
			panic("resource: nil Option given to " + fn)
		}
		opt.applyResource(fn, o)
	}
}

// CloseTimeout sets how long each close hook and each owned resource of a
// [Stack] gets to close, counted from the moment its turn comes. The
// default is 5s. It applies to [NewStack]; given to [Open], it sets the
// opened resource's Stack's, and so the least close budget of the resource
// (see Open); given to [Run], the root Stack's, which the resources opened
// into it inherit.
//
// CloseTimeout panics if d is negative.
func CloseTimeout(d time.Duration) Option {
	if d < 0 {
		panic("resource: CloseTimeout must not be negative")
	}
	return option{"CloseTimeout", []string{"NewStack", "Open", "Run"}, func(o *options) { o.closeTimeout = d }}
}

// hurryOn is the option by which Run and Open give a Stack its hurry.
func hurryOn(ctx context.Context) Option {
	return option{"hurryOn", []string{"NewStack"}, func(o *options) { o.hurry = ctx }}
}

// WithGroup configures the group that [Open] makes for a resource, with
// group options (its panic handling, a Timeout, a name other than the
// resource's). It applies to Open only.
//
// WithGroup panics if an option is nil.
func WithGroup(opts ...group.Option) Option {
	for _, o := range opts {
		if o == nil {
			panic("resource: nil group.Option")
		}
	}
	return option{"WithGroup", []string{"Open"}, func(o *options) { o.group = append(o.group, opts...) }}
}

// DrainTimeout sets how long [Serve] lets in-flight requests finish, with
// [http.Server.Shutdown], once its group starts closing; then it closes the
// remaining connections with [http.Server.Close]. The default is 5s. A
// deadline of the task's context that comes earlier wins. Given to
// [NewQueue], it sets how long the queue's consumers may take to drain it
// (no default: the resource's CloseTimeout). Either way, the close budget
// of the resource opened with [Open] covers it.
//
// DrainTimeout panics if d is negative.
func DrainTimeout(d time.Duration) Option {
	if d < 0 {
		panic("resource: DrainTimeout must not be negative")
	}
	return option{"DrainTimeout", []string{"Serve", "NewQueue"}, func(o *options) { o.drain = d }}
}

// Signals makes [Run] read the shutdown signals from ch instead of the
// process's SIGINT and SIGTERM (see [cancel.ShutdownOn]), so that a test
// can send them. Run never closes ch.
//
// Signals panics if ch is nil.
func Signals(ch <-chan os.Signal) Option {
	if ch == nil {
		panic("resource: Signals with nil channel")
	}
	return option{"Signals", []string{"Run"}, func(o *options) { o.signals = ch }}
}

// ShutdownTimeout sets the deadline of [Run]'s graceful shutdown: it caps
// the whole closing sequence, whatever the budgets of the resources (see
// [Open]). The default is 10s.
//
// ShutdownTimeout panics if d is negative.
func ShutdownTimeout(d time.Duration) Option {
	if d < 0 {
		panic("resource: ShutdownTimeout must not be negative")
	}
	return option{"ShutdownTimeout", []string{"Run"}, func(o *options) { o.shutdownTimeout = d }}
}

// Output sets where [Run] reports how the program ends: the signal that
// started the shutdown, failures, a deadline that passed, stuck tasks.
// The default is [os.Stderr].
//
// Output panics if w is nil.
func Output(w io.Writer) Option {
	if w == nil {
		panic("resource: Output with nil writer")
	}
	return option{"Output", []string{"Run"}, func(o *options) { o.out = w }}
}
