package resource

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.uber.org/multierr"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// A Stack is a group with close hooks: functions and resources that it
// closes, last registered first, like deferred calls, when the group starts
// closing, each within a time limit.
//
// A Stack embeds its *[group.Group], so it has all of the group's methods
// and is a [Resource]; a type that embeds a *Stack is a Resource too.
// Make one with [NewStack], or let [Open] or [Run] make it. The zero value
// is not usable: OnClose and Own panic with a message that says so. A Stack must not be copied; its methods are safe for
// concurrent use.
//
// When the group leaves Open (Close, Cancel, Shutdown, a failure, its
// parent closing), the Stack runs its entries one at a time in reverse
// order of registration. Each entry gets [CloseTimeout] (5s by
// default) from the moment its turn comes, a resource opened
// with [Open] its close budget; an entry that
// overruns does not hold up the next one, but it stays a task of the group,
// so the group is Closed only once it has returned and [group.Group.Shutdown]
// names it if it is still running when Shutdown gives up. Under [Run], when
// its shutdown deadline passes or a second signal comes, the running
// entry's context is cancelled and every entry still waiting runs at once
// with an ended context: all of them run before the program ends.
//
// The Stack is one task of the group that waits for the group to leave
// Open and then runs the entries; an owned resource's entry is a task too,
// that also watches the resource close on its own. A close hook is no task
// and costs no goroutine until its turn, when it runs in a task of its
// own. These tasks are the library's (internal in snapshots): they do not
// keep [group.Group.Wait] for ever — once nothing else runs in the group,
// Wait closes it gracefully, so the hooks run and Wait returns.
type Stack struct {
	*group.Group
	timeout time.Duration
	// drains holds the longest drain configured for what runs in the
	// group (a server's DrainTimeout): an opened resource's close budget
	// covers it. Nil for a Stack not made by Open.
	drains *drains
	// hurry ends when closing must finish now: the shutdown deadline of
	// Run has passed or a second signal came. The entry running then has
	// its context cancelled, and the ones after it run at once, each with
	// an ended context, so that every one still gets its turn.
	hurry context.Context

	self     *group.Task // the closing sequence's task
	mu       sync.Mutex  // guards entries, taken, closing and leftOver
	entries  []*entry
	taken    bool     // the closing sequence has taken the entries: add no more
	closing  []*entry // the entries it took
	leftOver []func() []group.StuckTask
}

// leftOvers registers f, which names accepted work still undone (items
// left in a queue) once the group is Closed; see closeGracefully.
func (s *Stack) leftOvers(f func() []group.StuckTask) {
	s.mu.Lock()
	s.leftOver = append(s.leftOver, f)
	s.mu.Unlock()
}

// undone calls the functions registered with leftOvers.
func (s *Stack) undone() []group.StuckTask {
	s.mu.Lock()
	fs := s.leftOver
	s.mu.Unlock()
	var out []group.StuckTask
	for _, f := range fs {
		out = append(out, f()...)
	}
	return out
}

// An entry is one hook or owned resource, run by its own task of the group
// once release is closed. An owned resource's task starts when it is
// pushed, because it also watches the resource close on its own; a hook's
// starts only at its turn (late: see start), so that a hook costs no
// goroutine while the group is open.
type entry struct {
	release chan struct{}
	task    *group.Task // nil for a hook whose turn has not come; under Stack.mu
	name    string
	body    func(ctx context.Context) error // the task's function
	// budget, if not nil, says how long the entry may take when its turn
	// comes, instead of the Stack's timeout: a resource opened with Open
	// closes its own entries one after another, each with its own time.
	budget func() time.Duration
	// bounded: the entry ends by itself soon after its budget (an opened
	// resource's graceful close cancels what is left at that point), so
	// the Stack waits for it rather than starting the next turn while it
	// still cancels.
	bounded bool
}

// NewStack attaches a Stack to g: it starts one task in g that waits for g
// to leave Open and then runs the Stack's entries. It returns [ErrClosed]
// if g is no longer open. The Stack's own tasks do not keep g's Wait for
// ever: once nothing else runs in g (idle executors aside), Wait closes g
// gracefully, as a Shutdown would, so the Stack's hooks run and Wait
// returns.
//
// NewStack panics if g or an option is nil.
func NewStack(g *group.Group, opts ...Option) (*Stack, error) {
	if g == nil {
		panic("resource: NewStack with nil group")
	}
	o := options{closeTimeout: defaultCloseTimeout, hurry: context.Background()}
	apply("NewStack", &o, opts)
	s := &Stack{Group: g, timeout: o.closeTimeout, hurry: o.hurry}
	if s.self = g.Go(s.closeAll, group.Name("resource.stack"), groupctl.Internal.(group.Option)); s.self.State() == group.Refused {
		return nil, ErrClosed
	}
	return s, nil
}

// ownTasks returns the IDs of the Stack's own tasks: its closing sequence
// and its entries.
func (s *Stack) ownTasks() map[uint64]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	own := map[uint64]bool{s.self.ID(): true}
	for _, e := range s.entries {
		if e.task != nil {
			own[e.task.ID()] = true
		}
	}
	for _, e := range s.closing {
		if e.task != nil {
			own[e.task.ID()] = true
		}
	}
	return own
}

// OnClose registers fn to run when the group leaves Open, before every
// entry registered earlier and after every entry registered later. name
// names the hook's task in errors and in [group.ShutdownError].
//
// fn runs in a task of the group with a context that keeps the task's
// values but not its cancellation (the cancellation that closes the group
// does not reach it, see [cancel.Shield]) and that ends after
// [CloseTimeout]. Its error is a failure of the group, so [group.Group.Close]
// returns it, combined with the others, named after the hook. A hook that
// returns [context.Canceled] when the group was cancelled counts as
// cancelled, not failed, as any task's would. A panic in fn is handled as in
// any task of the group.
//
// OnClose does not block and returns nil while the group is open. Once the
// group has started closing, it is too late to wait for a turn: OnClose
// runs fn at once, in the calling goroutine, with the same time limit, and
// returns an error that matches [ErrClosed], combined with fn's error. The
// hook is therefore never lost: whatever it releases is released.
//
// OnClose panics if fn is nil.
func (s *Stack) OnClose(name string, fn func(ctx context.Context) error) error {
	s.mustBeMade("Stack.OnClose")
	if fn == nil {
		panic("resource: OnClose with nil function")
	}
	if s.pushHook(name, func(ctx context.Context) error { return s.shield(ctx, fn) }) {
		return nil
	}
	err := s.shield(context.Background(), fn)
	if err != nil {
		err = fmt.Errorf("resource: close hook %q: %w", name, err)
	}
	return multierr.Combine(ErrClosed, err)
}

// Own makes the Stack close r in its turn, as a close hook would: when the
// group leaves Open, r is closed after every entry registered later and
// before every entry registered earlier. If r has a Shutdown(ctx) method
// (a *group.Group, a Stack, an executor, a [Queue]), it is closed
// gracefully with it, and ctx ends after [CloseTimeout], which cancels
// what r still runs; else with r.Close. The Stack waits for it at most
// CloseTimeout before the next entry's turn; if r never returns, its task
// stays in the group, so closing the group waits for it (and Shutdown
// names it). r's error on closing is a failure of the group.
//
// If r leaves Open on its own first (it failed, or its owner closed it),
// the Stack closes it at once and reports its error as a failure of the
// group, as a failed subgroup would; a fail-fast group then closes.
//
// Own does not block while the group is open. Once the group has started
// closing, Own closes r at once, in the calling goroutine, and returns an
// error that matches [ErrClosed], combined with r's.
//
// Own panics if r is nil.
func (s *Stack) Own(name string, r Resource) error {
	s.mustBeMade("Stack.Own")
	if r == nil {
		panic("resource: Own with nil resource")
	}
	return s.own(name, r.Closing(), func() error { return s.shutdownOwned(r) }, nil)
}

// shutdownOwned closes an owned resource in its turn: gracefully when it
// can (a Shutdown(ctx) method) within CloseTimeout, or sooner if the
// Stack must hurry; else with Close.
func (s *Stack) shutdownOwned(r Resource) error {
	ctx, stop := context.WithTimeoutCause(context.Background(), s.timeout, &cancel.TimeoutError{Name: "close", Limit: s.timeout})
	defer stop()
	ctx, hurried := context.WithCancelCause(ctx)
	defer hurried(nil)
	defer context.AfterFunc(s.hurry, func() { hurried(context.Cause(s.hurry)) })()
	return shutdownOrClose(ctx, r)
}

// mustBeMade panics if s is a zero Stack, which has no group to close.
func (s *Stack) mustBeMade(method string) {
	if s.Group == nil {
		panic("resource: " + method + " on a zero Stack; make one with NewStack, Open or Run")
	}
}

// own is Own for a resource given by its Closing channel and Close method.
func (s *Stack) own(name string, closing <-chan struct{}, closeFn func() error, budget func() time.Duration) error {
	if s.pushBudget(name, budget, func(_ context.Context, release <-chan struct{}) error {
		select {
		case <-release:
		case <-closing:
			// The resource stopped without us: pass its outcome on now
			// rather than when the group closes, which may be never.
		}
		return closeFn()
	}) {
		return nil
	}
	return multierr.Combine(ErrClosed, closeFn())
}

// pushHook registers a hook whose task will run body at its turn; it
// reports false when the group no longer accepts entries.
func (s *Stack) pushHook(name string, body func(ctx context.Context) error) bool {
	e := &entry{release: make(chan struct{}), name: name, body: body}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken {
		return false
	}
	s.forgetClosedLocked()
	s.entries = append(s.entries, e)
	return true
}

// forgetClosedLocked forgets owned resources that have closed on their
// own, so that a long-lived Stack does not grow with them.
func (s *Stack) forgetClosedLocked() {
	s.entries = slices.DeleteFunc(s.entries, func(e *entry) bool { return e.task != nil && e.task.State().Final() })
}

// start releases e and, for a hook, starts its task: late, as the group
// is closing; from closeAll, a task of the group, which keeps the group
// from becoming Closed meanwhile.
func (s *Stack) start(e *entry) {
	close(e.release)
	if e.body == nil {
		return
	}
	t := s.Go(e.body, group.Name(e.name), groupctl.Internal.(group.Option), groupctl.Late.(group.Option))
	if t.State() == group.Refused {
		// A late task is admitted while a task of the group runs, and
		// closeAll, which calls this, is one: a refusal is a bug here.
		panic("resource: a close hook refused while the Stack's closer runs: " + t.Err().Error())
	}
	s.mu.Lock()
	e.task = t
	s.mu.Unlock()
}

// pushBudget is push for an entry with its own time budget (see entry).
func (s *Stack) pushBudget(name string, budget func() time.Duration, body func(ctx context.Context, release <-chan struct{}) error) bool {
	e := &entry{release: make(chan struct{}), budget: budget, bounded: budget != nil}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken {
		return false
	}
	s.forgetClosedLocked()
	// Under s.mu: closeAll takes the entries under it too, so an entry is
	// either refused here or taken there, never started but missed.
	e.task = s.Go(func(ctx context.Context) error { return body(ctx, e.release) }, group.Name(name), groupctl.Internal.(group.Option))
	if e.task.State() == group.Refused {
		return false
	}
	s.entries = append(s.entries, e)
	return true
}

// shield runs a hook cut off from ctx's cancellation, bounded by the
// Stack's timeout.
func (s *Stack) shield(ctx context.Context, fn func(ctx context.Context) error) error {
	return cancel.Shield(ctx, func(ctx context.Context) error {
		ctx, stop := context.WithCancelCause(ctx)
		defer stop(nil)
		if s.hurry.Err() != nil {
			stop(context.Cause(s.hurry)) // before fn starts, not soon after
		} else {
			defer context.AfterFunc(s.hurry, func() { stop(context.Cause(s.hurry)) })()
		}
		return fn(ctx)
	}, cancel.Grace(s.timeout), cancel.Ignore())
}

// closeAll is the Stack's own task: it waits for the group to leave Open,
// then releases the entries one by one, newest first, each for at most
// the timeout.
func (s *Stack) closeAll(ctx context.Context) error {
	select {
	case <-s.Closing():
	case <-ctx.Done():
	}
	s.mu.Lock()
	s.taken = true
	entries := s.entries
	s.entries, s.closing = nil, entries
	s.mu.Unlock()
	var timer *time.Timer
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		// The budget before the release: once released, a nested Stack
		// starts closing and takes its entries, and its budget would
		// shrink to what is left of them, letting the next (older) entry
		// start while this one still closes.
		d := s.timeout
		if e.budget != nil {
			d = e.budget()
		}
		s.start(e)
		if timer == nil {
			timer = time.NewTimer(d)
			defer timer.Stop()
		} else {
			timer.Reset(d) // since Go 1.23 no stale tick survives Reset
		}
		select {
		case <-e.task.Done():
		case <-timer.C:
			// The entry overran its time. Waiting longer would let one
			// hung hook hold up all the others (oklog/run's most wanted
			// missing feature); it stays a task of the group, which
			// waits for it or names it in a ShutdownError.
			if e.bounded {
				// An opened resource is cancelling what its budget left
				// running; the next turn starts when it has.
				select {
				case <-e.task.Done():
				case <-s.hurry.Done():
					s.hurryAll(entries[:i])
					return nil
				}
			}
		case <-s.hurry.Done():
			s.hurryAll(entries[:i])
			return nil
		}
	}
	return nil
}

// hurryAll releases the entries whose turn has not come: no time is left,
// the running entry's context has ended, and each of the others still
// runs, now, with an ended context.
func (s *Stack) hurryAll(entries []*entry) {
	for _, e := range entries {
		s.start(e)
	}
}

// closeBudget is how long closing s gracefully may take: its entries run
// one after another, each for its own time, while its group's tasks drain
// alongside; so the longer of the entries' total and the longest drain
// configured in the group (a server's DrainTimeout), and at least one
// timeout.
func (s *Stack) closeBudget() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum time.Duration
	for _, e := range s.entries {
		if e.task != nil && e.task.State().Final() {
			continue // an owned resource that closed on its own
		}
		if e.budget != nil {
			sum += e.budget() // a nested resource: parent to child, no cycle
		} else {
			sum += s.timeout
		}
	}
	return max(sum, s.timeout, s.drains.longest())
}
