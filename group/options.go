package group

import (
	"log"
	"time"
)

// An Option configures a [Group] made by [New] or [Group.Subgroup], or, for
// [Name] only, a task started by [Group.Go], [Async] or [Group.Start]. A
// group's option given to a task panics.
type Option interface {
	apply(*options)
}

// options holds a group's configuration; defaults live in defaultOptions.
type options struct {
	name           string
	onError        func(error) // nil: fail fast
	onPanic        func(*PanicError)
	panicsAsErrors bool
	timeout        time.Duration // 0: none
	grace          time.Duration
	observer       func(Event)             // nil: no events
	kind           string                  // what the group is, for snapshots ("executor")
	info           func() map[string]int64 // counts for snapshots, or nil
	trace          bool                    // groups are trace tasks, tasks trace regions (Trace)
	stuckTrace     *stuckTrace             // what Shutdown writes when it gives up, or nil
}

// defaultGrace is how long Shutdown waits for tasks to react to their
// cancellation once its context has ended.
const defaultGrace = time.Second

func defaultOptions() options {
	return options{onPanic: logPanic, grace: defaultGrace}
}

// logPanic is the default panic hook: panics are reported when they are
// recovered, not only at a late Wait, so that a hidden bug shows at once.
// It is the one place the stack is printed: Error is a single line, so the
// panic Wait raises again shows it once more without the stack.
func logPanic(pe *PanicError) { log.Printf("%+v", pe) }

// inherit returns the options a subgroup starts from: its parent's panic
// handling, shutdown grace, observer and tracing; name, error policy,
// timeout and description are its own.
func (o options) inherit() options {
	d := defaultOptions()
	d.onPanic = o.onPanic
	d.panicsAsErrors = o.panicsAsErrors
	d.grace = o.grace
	d.observer = o.observer
	d.trace = o.trace
	d.stuckTrace = o.stuckTrace
	return d
}

// nameOption is Name's: tasks read it with a type switch (see taskOpts),
// without an options struct that would escape to the heap.
type nameOption string

// Name names a group or a task: it is the one option of [Group.Go],
// [Async] and [Group.Start]. Names appear in errors, in pprof goroutine
// labels and in [StuckTask]. A name need not be unique.
func Name(name string) Option { return nameOption(name) }

func (n nameOption) apply(o *options) { o.name = string(n) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// OnError makes the group keep running when a task fails: each failure is
// passed to handler, once, in the goroutine of the task that failed, and is
// not returned by [Group.Wait]. Without it a group fails fast. Panics are
// not failures in this sense unless [PanicsAsErrors] is also given.
//
// OnError panics if handler is nil.
func OnError(handler func(error)) Option {
	if handler == nil {
		panic("group: OnError handler is nil")
	}
	return optionFunc(func(o *options) { o.onError = handler })
}

// OnPanic sets the hook that hears of every panic at the moment it is
// recovered, in the goroutine of the task that panicked. The default hook
// prints the panic and its stack with the standard [log] package. Subgroups
// inherit the hook.
//
// OnPanic panics if hook is nil.
func OnPanic(hook func(*PanicError)) Option {
	if hook == nil {
		panic("group: OnPanic hook is nil")
	}
	return optionFunc(func(o *options) { o.onPanic = hook })
}

// PanicsAsErrors makes a recovered panic an ordinary failure (a
// [*PanicError] that goes through the error policy) instead of being raised
// again by [Group.Wait]. Servers and supervisors use it. Subgroups inherit it.
func PanicsAsErrors() Option {
	return optionFunc(func(o *options) { o.panicsAsErrors = true })
}

// Timeout bounds the group's whole life: when d has passed since the group
// was made, it is cancelled with a cause that wraps
// [context.DeadlineExceeded], which [Group.Wait] returns.
//
// Timeout panics if d is not positive.
func Timeout(d time.Duration) Option {
	if d <= 0 {
		panic("group: Timeout must be positive")
	}
	return optionFunc(func(o *options) { o.timeout = d })
}

// ShutdownGrace sets how long [Group.Shutdown] waits, after its context has
// ended and it has cancelled the remaining tasks, before it gives up and
// names the tasks that ignore their cancellation. The default is one second.
// Subgroups inherit it.
//
// ShutdownGrace panics if d is negative.
func ShutdownGrace(d time.Duration) Option {
	if d < 0 {
		panic("group: ShutdownGrace must not be negative")
	}
	return optionFunc(func(o *options) { o.grace = d })
}

type holdOption struct{}

func (holdOption) apply(*options) { panic("group: a task option given to a group") }

// hold makes [Group.Go] or [Async] admit the task without starting it:
// the task is [Pending] and counts as running in its group until
// startHeld starts it in a goroutine of its own, runHeld runs it in the
// calling goroutine, or it is cancelled. When the group is cancelled, a
// pending task is [Canceled] without running; a graceful [Group.Shutdown]
// waits for it to be started. Executors use it, through internal/groupctl,
// to hand out a task for work that waits in their backlog.
func hold() Option { return holdOption{} }

// internalOption marks a task as the library's own bookkeeping (a Stack's
// closer, a close hook, a server's drain): snapshots show it as internal.
type internalOption struct{}

func (internalOption) apply(*options) { panic("group: a task option given to a group") }

// lateOption lets a task be admitted while its group closes, as long as
// the group is not Closed: a Stack starts each close hook's task at its
// turn, from its own closing task, rather than parking one goroutine per
// hook from the start.
type lateOption struct{}

func (lateOption) apply(*options) { panic("group: a task option given to a group") }

// like gives a new group what a subgroup of g would inherit from g: its
// panic hook, PanicsAsErrors, shutdown grace, observer and tracing. It is for groups
// that belong with g but must not be its subgroups because their lifecycle
// is managed apart (package resource opens each resource in a root group
// made like its parent through internal/groupctl, and links it). Options
// after it override what it sets.
//
// like panics if g is nil.
func like(g *Group) Option {
	if g == nil {
		panic("group: Like of a nil group")
	}
	return optionFunc(func(o *options) {
		g.lazy()
		in := g.opts.inherit()
		o.onPanic, o.panicsAsErrors, o.grace, o.observer = in.onPanic, in.panicsAsErrors, in.grace, in.observer
		o.trace, o.stuckTrace = in.trace, in.stuckTrace
	})
}
