package group

import (
	"context"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/multierr"
)

// A Group is a nursery: it owns the goroutines of the tasks started in it and
// of its subgroups, and it is Closed only after every one of them has
// returned. The lifecycle, the error policy and the handling of panics
// are in https://github.com/nursery-go/nursery/blob/main/docs/group.md.
//
// The zero value is an open root group that fails fast, with parent context
// [context.Background], so a Group can be embedded by value. A Group must not
// be copied after first use. Its methods are safe for concurrent use.
//
// Go and the Wait for the task cost about 1.6 to 2.4 times a bare go
// statement with a sync.WaitGroup (479 against 301 ns per tiny task on a
// 2-vCPU Intel VM, 838 to 968 against 381 to 426 ns on an AMD one) and 2
// allocations of the library's own: the Task (112 bytes) and the
// goroutine's closure. No lock is taken on a task's way in or out. Closing
// n tasks blocked on their contexts costs 1.35 to 2.25 times cancelling
// one shared context and waiting for bare goroutines, for n from 1,000 to
// 1,000,000, with 4 allocations whatever n: most of it is closing each
// task's own Done channel, which [Task.Cancel] needs. See
// BenchmarkSpawnWait and BenchmarkCloseScale in tests/bench and its
// RESULTS.md.
type Group struct {
	inited atomic.Bool // set once the fields below the line are made

	parent    *Group
	opts      options
	id        uint64
	path      string // names from the root, "/"-separated, for people
	idPath    string // ids from the root, "/"-separated, unique
	began     time.Time
	ctx       context.Context // parent of every task's context; carries pprof labels
	labels    context.Context // just the labels, for pprof.SetGoroutineLabels
	cancelCtx context.CancelCauseFunc
	release   context.CancelFunc // the Timeout context's, or nil
	stopWatch func() bool        // stops the context.AfterFunc watching ctx, or nil
	traceTask *trace.Task        // the group's execution trace task (Trace), or nil
	// overdueAt is when a Shutdown of the group ran out of time, as
	// nanoseconds since began plus one (0: never); see Snapshot.Overdue.
	overdueAt atomic.Int64
	closing   chan struct{}
	done      chan struct{}

	// The hot fields, each on a cache line of its own: ctl is touched by
	// spawners and finishing tasks, nextID by spawners only.
	_      [64]byte
	ctl    atomic.Uint64 // live count and admission flags; see ctl.go
	_      [56]byte
	nextID atomic.Uint64 // task ids
	_      [56]byte
	shards [nShards]shard
	meta   taskMeta                             // shared by its unnamed tasks
	named  atomic.Pointer[map[string]*taskMeta] // shared by named tasks, per name, copied on write

	mu        sync.Mutex // guards everything below, and init
	left      bool       // the group has left Open: cause is set, closing is closed
	cancelled bool       // ctx has been (or is being) cancelled by the group itself
	cause     error      // why the group left Open
	subs      map[*Group]struct{}
	services  map[*Group]*service // subgroups among subs that serve the others (service.go)
	nServices atomic.Int64        // members of ctl's count that services account for
	nInternal atomic.Int64        // live internal tasks (groupctl.Internal) among ctl's count
	linked    []*Group            // shown under g in snapshots (Link), oldest first
	errs      []error             // failures, first first
	panicked  *PanicError         // first panic to raise again in Wait
	result    error               // combined errs, fixed when Closed: what the parent sees
	report    error               // a cancellation imposed from above (see cancelWith), or nil
	waited    error               // result and report, fixed when Closed: what Wait returns
	dropErr   error               // the error of pending tasks dropped by the cancellation

	// Work that unlock does after releasing mu.
	cancelSubs []*Group
	subsCause  error
	dropped    []*Task // pending tasks dropped by a cancellation
	notify     bool
	closeDone  bool // the group is Closed: report it and close done (see closed)
}

// groupIDs numbers groups for their unique id path. It is a counter, not
// state shared between groups: groups never touch each other's fields.
var groupIDs atomic.Uint64

// New returns an open root group whose tasks' contexts derive from ctx. When
// ctx is cancelled or its deadline passes, the group starts closing and
// [Group.Wait] reports ctx's cause.
//
// New panics if ctx is nil.
func New(ctx context.Context, opts ...Option) *Group {
	if ctx == nil {
		panic("group: New with nil context")
	}
	g := &Group{}
	g.init(nil, ctx, buildOptions(defaultOptions(), opts))
	return g
}

func buildOptions(o options, opts []Option) options {
	for _, opt := range opts {
		if opt == nil {
			panic("group: nil Option")
		}
		opt.apply(&o)
	}
	return o
}

// lazy makes the zero value usable.
func (g *Group) lazy() {
	if !g.inited.Load() {
		g.init(nil, context.Background(), defaultOptions())
	}
}

func (g *Group) init(parent *Group, pctx context.Context, o options) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inited.Load() {
		return
	}
	g.parent, g.opts = parent, o
	g.id = groupIDs.Add(1)
	g.began = time.Now()
	name := o.name
	if name == "" {
		name = "#" + itoa(g.id)
	}
	g.path, g.idPath = name, itoa(g.id)
	if parent != nil {
		g.path = parent.path + "/" + name
		g.idPath = parent.idPath + "/" + g.idPath
	}
	g.labels = withLabels(context.WithValue(g.traceGroup(pctx), groupKey{}, g), g)
	g.meta = taskMeta{g: g, labels: g.labels}
	ctx, cancel := context.WithCancelCause(g.labels)
	g.cancelCtx = cancel
	if o.timeout > 0 {
		ctx, g.release = context.WithTimeoutCause(ctx, o.timeout, &timeoutError{g.path, o.timeout})
	}
	g.ctx = ctx
	g.closing = make(chan struct{})
	g.done = make(chan struct{})
	// A subgroup hears of its parent's cancellation from the parent itself;
	// only cancellation from outside the tree needs watching.
	if (parent == nil && pctx.Done() != nil) || o.timeout > 0 {
		g.stopWatch = context.AfterFunc(ctx, g.contextDone)
	}
	g.inited.Store(true)
}

// Subgroup returns a child group. Closing g closes the child first, g is
// Closed only after the child is, and a failure of the child (its combined
// error) counts as one failure of g. The child inherits g's panic handling
// and shutdown grace; opts may override them and give it a name, an error
// policy and a timeout. A subgroup of a group that is no longer open is
// already Closed and refuses every task.
//
// A subgroup counts as one running task of g until it is Closed, whether or
// not it has tasks: close it (Close, Wait or Shutdown on it) when its work is
// done, or [Group.Wait] on g waits for it too. Cancel, Close and Shutdown on
// g close it.
func (g *Group) Subgroup(opts ...Option) *Group {
	g.lazy()
	o := buildOptions(g.opts.inherit(), opts)
	sg := &Group{}
	// Joining and listing under g.mu: cancelLocked and drain list g's
	// subgroups under it after setting the closing flag, so a subgroup is
	// either refused or listed, never joined but missed. It is made only
	// once joined: a Timeout that fires at once may close it, and then it
	// leaves g, which must have counted it.
	g.mu.Lock()
	if !g.join() {
		g.mu.Unlock()
		o.timeout = 0 // nothing to watch: it is born Closed
		sg.init(g, g.ctx, o)
		sg.mu.Lock()
		sg.toClosingLocked(ErrClosed)
		sg.ctl.Or(ctlClosed)
		sg.finishLocked()
		sg.notify = false // g never counted it
		sg.unlock()
		return sg
	}
	sg.init(g, g.ctx, o)
	if g.subs == nil {
		g.subs = make(map[*Group]struct{})
	}
	g.subs[sg] = struct{}{}
	g.mu.Unlock()
	return sg
}

// groupKey is the context key under which a group's context holds the group.
type groupKey struct{}

// fromContext returns the group whose context ctx is or derives from: for
// the context a task receives, the task's group. It returns nil when ctx
// belongs to no group. An executor uses it (through internal/groupctl) to
// tell whether a call comes from one of its own jobs. It is not exported:
// code should start tasks only in a group it was handed.
func fromContext(ctx context.Context) *Group {
	mustContext(ctx, "FromContext")
	g, _ := ctx.Value(groupKey{}).(*Group)
	return g
}

// Name returns the group's name, or "#id" when it was given none.
func (g *Group) Name() string {
	g.lazy()
	if g.opts.name != "" {
		return g.opts.name
	}
	return "#" + itoa(g.id)
}

// Path returns the names of the group and its ancestors from the root,
// "/"-separated, as in the [LabelGroup] pprof label: "server/jobs", with
// "#id" for unnamed groups.
func (g *Group) Path() string {
	g.lazy()
	return g.path
}

// Parent returns the group g is a subgroup of, or nil for a root group
// (made by [New], or the zero value).
func (g *Group) Parent() *Group {
	g.lazy()
	return g.parent
}

// State returns the group's current state.
func (g *Group) State() State {
	g.lazy()
	v := g.ctl.Load()
	switch {
	case v&ctlClosed != 0:
		return Closed
	case v&ctlClosing != 0:
		return Closing
	}
	return Open
}

// Closing returns a channel that is closed when the group leaves [Open].
func (g *Group) Closing() <-chan struct{} {
	g.lazy()
	return g.closing
}

// Done returns a channel that is closed when the group is [Closed]: every
// task and subgroup has returned.
func (g *Group) Done() <-chan struct{} {
	g.lazy()
	return g.done
}

// Context returns the context that every task's context derives from. It is
// cancelled when the group is cancelled or fails, and at the latest when the
// group is Closed.
func (g *Group) Context() context.Context {
	g.lazy()
	return g.ctx
}

// Cause returns nil while the group is open, and afterwards why it left
// Open: [ErrClosed] after Cancel, Close, Shutdown or a completed Wait; the
// first failure when it failed fast; its context's cause when that was
// cancelled from outside; its parent's cause when its parent closed it.
func (g *Group) Cause() error {
	g.lazy()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cause
}

// Stats returns the counts of the group's own tasks. It can be called at any
// time; see [Stats] for the invariant the counts keep.
func (g *Group) Stats() Stats {
	g.lazy()
	var st Stats
	for i := range g.shards {
		st.add(g.shardStats(i))
	}
	return st
}

// add adds o's counts to st.
func (st *Stats) add(o Stats) {
	st.Spawned += o.Spawned
	st.Running += o.Running
	st.Succeeded += o.Succeeded
	st.Failed += o.Failed
	st.Canceled += o.Canceled
	st.Refused += o.Refused
}

// outcome returns the combined failures once the group is Closed and raises
// its first panic in the first caller that asks.
func (g *Group) outcome() error {
	g.mu.Lock()
	res, pe := g.waited, g.panicked
	g.mu.Unlock()
	// Raised once in the whole tree: a subgroup's panic is also its
	// parent's failure, and Wait on both must not raise it twice.
	if pe != nil && pe.raised.CompareAndSwap(false, true) {
		panic(pe)
	}
	return res
}

// combine joins failures, first first, so that errors.Is and errors.As see
// each of them.
func combine(errs []error) error { return multierr.Combine(errs...) }
