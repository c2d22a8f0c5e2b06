package errgroup

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/nursery-go/nursery/group"
)

// A Group is a collection of goroutines working on subtasks of one common
// task, like [golang.org/x/sync/errgroup.Group]: Go starts a function in a
// goroutine, Wait waits for all of them and returns the first error.
// Each function runs as a task of a [group.Group], so its goroutine carries
// the nursery's pprof labels; https://github.com/nursery-go/nursery/blob/main/docs/group-errgroup.md says what
// that adds and where behaviour differs from x/sync.
//
// The zero value is ready to use: it has no limit on the number of active
// goroutines and cancels nothing on error. A Group may be used again after
// Wait (the first error and the cancelled context stay). A Group must not be
// copied after first use. Its methods are safe for concurrent use.
//
// Go and the Wait for it cost about 1.5 to 1.8 times x/sync's errgroup per
// tiny function and 2 allocations more; see "Cost" in
// https://github.com/nursery-go/nursery/blob/main/docs/group-errgroup.md and BenchmarkDropin in tests/bench.
type Group struct {
	// gen is the current generation: the group.Group that runs the
	// functions started since the last Wait. It is nil until the first Go
	// and again after each Wait, because a group.Group is Closed for good
	// once waited for, and an errgroup is reusable.
	gen atomic.Pointer[group.Group]
	lim atomic.Pointer[limit] // nil: no limit

	// Set by WithContext and never changed, so read without mu.
	cancel context.CancelCauseFunc // cancels WithContext's context, or nil
	values context.Context         // parent of every generation: WithContext's ctx without its cancellation, or nil

	mu   sync.Mutex // guards the fields below, the making of generations and SetLimit
	err  error      // the first error of any function, for the Group's whole life
	name string
	hook func(*group.PanicError)
}

// WithContext returns a new Group and a Context derived from ctx. The Context
// is cancelled the first time a function passed to Go or TryGo returns a
// non-nil error, with that error as its [context.Cause], or the first time
// Wait returns, with Wait's result as the cause ([context.Canceled] when it
// is nil), whichever comes first.
//
// Cancelling ctx does not stop the Group: its functions see it only through
// the returned Context, as with x/sync.
func WithContext(ctx context.Context) (*Group, context.Context) {
	mustContext(ctx, "WithContext")
	ctx, cancel := context.WithCancelCause(ctx)
	return &Group{cancel: cancel, values: context.WithoutCancel(ctx)}, ctx
}

// Go calls f in a new goroutine.
//
// When a limit is set (see [Group.SetLimit]), Go blocks until f can start
// without the number of active goroutines exceeding it; it cannot be
// interrupted. The first call to Go must happen before a Wait; a goroutine
// started by Go may call Go while Wait waits.
//
// The first function to return a non-nil error cancels the Context of
// [WithContext], if any; Wait returns that error.
//
// A panic in f crashes the program from f's goroutine, as with x/sync,
// after the hook set with [Group.SetPanicHook] has seen it; see "Panics" in
// https://github.com/nursery-go/nursery/blob/main/docs/group-errgroup.md.
func (g *Group) Go(f func() error) {
	for {
		l := g.lim.Load()
		if l == nil || l.acquire() {
			g.start(l, f)
			return
		}
		// SetLimit replaced the limit while Go waited: obey the new one.
	}
}

// TryGo calls f in a new goroutine only if that does not take the number of
// active goroutines beyond the limit set with [Group.SetLimit], and reports
// whether it did. It never blocks. Otherwise it is Go.
func (g *Group) TryGo(f func() error) bool {
	l := g.lim.Load()
	if l != nil && !l.tryAcquire() {
		return false
	}
	g.start(l, f)
	return true
}

// start runs f as a task of the current generation; the caller holds a
// token of l, if l is not nil.
func (g *Group) start(l *limit, f func() error) {
	body := func(context.Context) error {
		// Released by defer so that a function that calls runtime.Goexit
		// (t.FailNow) gives its slot back, as in x/sync. The release comes
		// after the error is recorded and before the task counts as
		// finished, so Wait never returns with a slot still taken.
		defer l.release()
		err := f()
		if err != nil {
			g.fail(err)
		}
		// The error goes to the generation too, only so that its Stats
		// count the task as Failed; its OnError handler ignores it.
		return err
	}
	for {
		gen := g.current()
		if t := gen.Go(body); t.State() != group.Refused {
			return
		}
		// A Wait has just closed gen, racing with this Go (x/sync leaves
		// this case undefined). Retire gen and run f in the next
		// generation, which the next Wait waits for.
		g.gen.CompareAndSwap(gen, nil)
	}
}

// fail records err if it is the first error and cancels WithContext's
// Context with it.
func (g *Group) fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return
	}
	g.err = err
	if g.cancel != nil {
		g.cancel(err)
	}
}

// Wait blocks until every function started by Go or TryGo has returned,
// including those they started meanwhile, and then returns the first non-nil
// error any of them returned, or nil. It then cancels the Context of
// [WithContext], if any. The Group may be used again afterwards: later
// Waits return the same first error.
//
// Wait called from one of the Group's own functions would wait for itself
// forever (x/sync deadlocks); after about a second it returns
// [group.ErrWaitInTask] instead, without cancelling anything.
func (g *Group) Wait() error {
	if gen := g.gen.Load(); gen != nil {
		// The generation is supervised and its panic hook never returns,
		// so its Wait reports only ErrWaitInTask.
		if err := gen.Wait(); err != nil {
			return err
		}
		// Concurrent Waits all wait for gen; the first to get here
		// retires it, so the next Go starts a new generation.
		g.gen.CompareAndSwap(gen, nil)
	}
	g.mu.Lock()
	err := g.err
	g.mu.Unlock()
	if g.cancel != nil {
		g.cancel(err)
	}
	return err
}

// current returns the current generation, making it if there is none.
func (g *Group) current() *group.Group {
	if gen := g.gen.Load(); gen != nil {
		return gen
	}
	// Made under mu, not raced with CompareAndSwap, so that no spare
	// group is made and dropped.
	g.mu.Lock()
	defer g.mu.Unlock()
	if gen := g.gen.Load(); gen != nil {
		return gen
	}
	parent := g.values
	if parent == nil {
		parent = context.Background()
	}
	opts := []group.Option{
		// Supervised: a failure must neither cancel the other functions
		// nor close the generation to further Go calls. Errors are
		// recorded by the task body itself, so the handler has nothing
		// to do (it also hears of runtime.Goexit, which is no error).
		group.OnError(ignore),
		group.OnPanic(g.crash),
	}
	if g.name != "" {
		opts = append(opts, group.Name(g.name))
	}
	gen := group.New(parent, opts...)
	g.gen.Store(gen)
	return gen
}

func ignore(error) {}

// crash is every generation's panic hook. It runs in the goroutine that
// panicked, inside the deferred call that recovered the panic, so the
// panicking frames are still on the stack: raising the value again there
// crashes the program with them, as an unrecovered panic in x/sync does.
//
// Raising it later in Wait (the group package's default) was rejected:
// x/sync does not, and a panic held until Wait hides the bug when Wait is
// never reached.
func (g *Group) crash(pe *group.PanicError) {
	g.mu.Lock()
	hook := g.hook
	g.mu.Unlock()
	if hook != nil {
		hook(pe)
	}
	panic(pe.Value)
}

// SetName names the Group: the goroutines of its functions carry name in
// the [group.LabelGroup] pprof label instead of a number. The name applies
// from the next generation on: call it before the first Go, or between a
// Wait and the next Go.
func (g *Group) SetName(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.name = name
}

// SetPanicHook sets a hook that hears of a panic in a function of the Group
// just before the panic crashes the program: it runs in the goroutine that
// panicked, with a [*group.PanicError] that names the task and holds the
// stack. Use it to flush logs or report the crash. A nil hook removes it.
func (g *Group) SetPanicHook(hook func(*group.PanicError)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hook = hook
}
