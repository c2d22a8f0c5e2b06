package tests

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/queue"
	"github.com/nursery-go/nursery/resource"
)

var (
	chaosSeed  = flag.Uint64("chaos.seed", 0, "run TestChaos with this one seed only (0: random seeds)")
	chaosRuns  = flag.Int("chaos.runs", 0, "how many random seeds TestChaos runs (0: the default)")
	chaosTrace = flag.Bool("chaos.trace", false, "log every operation of TestChaos (with -chaos.seed)")
	chaosOps   = flag.Int("chaos.ops", 2000, "how many operations the driver of one chaos run performs")
)

// TestChaos runs a seeded random mix of operations on groups, subgroups,
// executors and queues, each run in a testing/synctest bubble, and checks
// the invariants of package tests' documentation after each run. A failure
// names its seed; replay it with
//
//	go test -race -run 'TestChaos$' -chaos.seed=SEED ./tests/
func TestChaos(t *testing.T) {
	if *chaosSeed != 0 {
		runChaos(t, *chaosSeed, false)
		return
	}
	runs := *chaosRuns
	if runs == 0 {
		runs = 2000
		if raceEnabled {
			runs = 400
		}
		if testing.Short() {
			runs = 100
		}
	}
	base := rand.Uint64()
	t.Logf("chaos: %d runs from base seed %d", runs, base)
	// The runs are parallel subtests, which start once this function has
	// returned: the summary is logged when they are all done.
	t.Cleanup(func() {
		t.Logf("chaos: %d tasks per run on average", runTasks.Load()/max(runCount.Load(), 1))
		keys := slices.Sorted(maps.Keys(coverage.m))
		for _, k := range keys {
			t.Logf("%6d %s", coverage.m[k], k)
		}
	})
	for i := range runs {
		seed := base + uint64(i)
		if seed == 0 {
			seed = 1
		}
		runChaos(t, seed, true)
	}
}

func runChaos(t *testing.T, seed uint64, parallel bool) {
	t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(t, seed)
			w.run(*chaosOps)
		})
		if t.Failed() {
			t.Logf("chaos: replay with: go test -race -run 'TestChaos$' -chaos.seed=%d ./tests/", seed)
		}
	})
}

// kind is what a task is told to do.
type kind int

const (
	kOK         kind = iota // return nil at once
	kFail                   // return its own *failError at once
	kPanic                  // panic with its own panicValue
	kGoexit                 // call runtime.Goexit
	kBlock                  // wait for cancellation, return ctx.Err()
	kBlockCause             // wait for cancellation, return context.Cause(ctx)
	kCatch                  // wait for cancellation, return nil
	kSleepOK                // sleep d unless cancelled first, then return nil
	kSleepFail              // sleep d unless cancelled first, then fail
	kStubborn               // wait for cancellation, ignore it for d, return ctx.Err()
	kSpawner                // start its children in its own group or executor, return nil
	kProducer               // put n items into a queue
	kConsumer               // get items from a queue until it is closed
	kShield                 // wait for cancellation, then finish work of d under cancel.Shield with a grace of 2d
	kOnCancel               // a cancel.OnCancel hook: when cancelled, record it ran, return nil
	numKinds
)

var kindNames = [...]string{"ok", "fail", "panic", "goexit", "block", "block-cause", "catch",
	"sleep-ok", "sleep-fail", "stubborn", "spawner", "producer", "consumer", "shield", "on-cancel"}

func (k kind) String() string { return kindNames[k] }

// plan is the ground truth for one task, decided by the driver before the
// task exists, so that task goroutines never touch the random source.
type plan struct {
	kind     kind
	d        time.Duration
	children []*plan
	via      []string // how each child is submitted to an executor
	q        *cqueue
	n        int
}

// rec is everything known about one task: what it was told, how it was
// started, and what its function actually did.
type rec struct {
	id   int
	name string
	plan *plan
	node *node
	how  string

	task      *group.Task
	fut       *group.Future[int]
	accepted  bool  // the task was accepted (for executors: no submit error)
	submitErr error // why an executor did not accept it
	subCause  error // the cause of the submitter's context, after the call
	refused   bool  // the task was already Refused when Go returned

	ran    atomic.Bool
	hooked atomic.Int32 // an OnCancel task's hook ran
	mu     sync.Mutex   // guards the fields below
	// The function's outcome, written when it ends.
	returned, panicked, goexited bool
	ret                          error
	ctxErr, ctxCause             error
}

// node is a group the world made: the root, a subgroup or an executor's.
type node struct {
	id         int
	name       string
	parent     *node
	g          *group.Group
	ex         *executor.Executor
	supervised bool
	suppress   bool
	children   []*node

	stack        *resource.Stack // close hooks, on some subgroups
	stackRefused bool            // NewStack failed: its closing task was refused
	hooks        []*hookRec      // every OnClose call, in order; written by the driver only
	depth        int             // the root is 0

	mu        sync.Mutex // guards the fields below
	handled   []error
	hookErrs  map[*group.Task]int
	finishes  map[*group.Task]int
	recs      []*rec
	hookOrder []int // the close hooks that ran, by index in hooks, in the order they started
}

// hookRec is one close hook given to a node's Stack.
type hookRec struct {
	d        time.Duration
	accepted bool // OnClose returned nil: it runs in its turn
	ran      atomic.Int32
}

// cqueue is a queue with the ledger of every item put and got.
type cqueue struct {
	q    *queue.Queue[int]
	next atomic.Int64

	mu        sync.Mutex // guards the maps
	accepted  map[int]int
	rejected  map[int]bool
	delivered map[int]int
}

func (c *cqueue) put(ctx context.Context, try bool) error {
	v := int(c.next.Add(1))
	var err error
	if try {
		err = c.q.TryPut(v)
	} else {
		err = c.q.Put(ctx, v)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.accepted[v]++
	} else {
		c.rejected[v] = true
	}
	return err
}

func (c *cqueue) got(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delivered[v]++
}

var errTryRefused = errors.New("TrySubmit refused the job")

type world struct {
	t    *testing.T
	seed uint64
	rng  *rand.Rand // the driver's only
	pae  bool

	mu     sync.Mutex // guards recs and nextID
	recs   []*rec
	byID   map[int]*rec
	nextID int

	nodes     []*node // written by the driver only
	queues    []*cqueue
	deadlines bool  // a Shutdown deadline or a Timeout may have fired
	late      bool  // the last tenth of the run: the root may be cancelled
	raised    []any // panics raised by the driver's Close and Shutdown calls
	failures  atomic.Int64
}

func newWorld(t *testing.T, seed uint64) *world {
	w := &world{t: t, seed: seed, byID: map[int]*rec{}, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	w.pae = w.rng.IntN(4) != 0
	opts := []group.Option{quiet, group.Name("root"),
		group.ShutdownGrace(time.Duration(1+w.rng.IntN(40)) * time.Millisecond)}
	if w.pae {
		opts = append(opts, group.PanicsAsErrors())
	}
	root := &node{name: "root", hookErrs: map[*group.Task]int{}, finishes: map[*group.Task]int{}}
	if w.rng.IntN(4) != 0 {
		root.supervised = true
		opts = append(opts, group.OnError(root.handle))
	}
	root.g = group.New(context.Background(), opts...)
	w.nodes = append(w.nodes, root)
	return w
}

func (n *node) handle(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.handled = append(n.handled, err)
}

// failf reports a broken invariant, naming the seed.
func (w *world) failf(format string, args ...any) {
	w.t.Helper()
	if w.failures.Add(1) > 20 {
		return // enough to debug; the rest would be noise
	}
	w.t.Errorf("seed %d: "+format, append([]any{w.seed}, args...)...)
}

func (w *world) pick(n int) int { return w.rng.IntN(n) }

// newPlan decides what a new task will do.
func (w *world) newPlan(depth int, exec bool) *plan {
	p := &plan{d: time.Duration(1+w.pick(30)) * time.Millisecond}
	r := w.pick(100)
	// A failure or a panic would end the run early where the root fails
	// fast or raises panics: such runs fail only in their last tenth.
	if !w.late && !(w.nodes[0].supervised && w.pae) && r >= 12 && r < 30 {
		r = 55 // sleep-ok
	}
	switch {
	case r < 12:
		p.kind = kOK
	case r < 22:
		p.kind = kFail
	case r < 28:
		p.kind = kPanic
	case r < 30:
		p.kind = kGoexit
	case r < 40:
		p.kind = kBlock
	case r < 46:
		p.kind = kBlockCause
	case r < 51:
		p.kind = kCatch
	case r < 63:
		p.kind = kSleepOK
	case r < 70:
		p.kind = kSleepFail
	case r < 74:
		p.kind = kStubborn
	case r < 77:
		if w.pick(2) == 0 {
			p.kind = kShield
		} else {
			p.kind = kOnCancel
		}
	case r < 85 && depth < 3:
		p.kind = kSpawner
		for range 1 + w.pick(3) {
			p.children = append(p.children, w.newPlan(depth+1, exec))
			p.via = append(p.via, []string{"go", "submit", "trysubmit", "enqueue"}[w.pick(4)])
		}
	case r < 93 && len(w.queues) > 0:
		p.kind = kProducer
		p.q = w.queues[w.pick(len(w.queues))]
		p.n = 1 + w.pick(6)
	case len(w.queues) > 0:
		p.kind = kConsumer
		p.q = w.queues[w.pick(len(w.queues))]
	default:
		p.kind = kSleepOK
	}
	return p
}

// newRec makes the record of a task before it is started, findable by id
// at once; publish lists it for the driver's checks once its fields are
// set.
func (w *world) newRec(n *node, p *plan, how string) *rec {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.nextID++
	r := &rec{id: w.nextID, plan: p, node: n, how: how}
	r.name = "t" + fmt.Sprint(r.id)
	// Findable by id before its task can run: a panic or failure of it
	// can reach the driver (through a cancellation's cause) before the
	// spawner that started it has published it.
	w.byID[r.id] = r
	return r
}

func (w *world) publish(r *rec) {
	w.mu.Lock()
	w.recs = append(w.recs, r)
	w.mu.Unlock()
	r.node.mu.Lock()
	r.node.recs = append(r.node.recs, r)
	r.node.mu.Unlock()
}

// body returns the function of a task that records what it did.
func (w *world) body(r *rec) func(ctx context.Context) error {
	return func(ctx context.Context) (err error) {
		if r.ran.Swap(true) {
			w.failf("task %s ran twice", r.name)
		}
		defer func() { // runs on return, panic and Goexit alike
			r.mu.Lock()
			defer r.mu.Unlock()
			if !r.panicked && !r.goexited {
				r.returned = true
				r.ret = err
			}
			r.ctxErr, r.ctxCause = ctx.Err(), context.Cause(ctx)
		}()
		return w.act(ctx, r)
	}
}

func (w *world) act(ctx context.Context, r *rec) error {
	p := r.plan
	switch p.kind {
	case kOK:
		return nil
	case kFail:
		return &failError{r.id}
	case kPanic:
		r.mu.Lock()
		r.panicked = true
		r.mu.Unlock()
		panic(panicValue{r.id})
	case kGoexit:
		r.mu.Lock()
		r.goexited = true
		r.mu.Unlock()
		runtime.Goexit()
	case kBlock:
		<-ctx.Done()
		return ctx.Err()
	case kBlockCause:
		<-ctx.Done()
		return context.Cause(ctx)
	case kCatch:
		<-ctx.Done()
		return nil
	case kSleepOK, kSleepFail:
		timer := time.NewTimer(p.d)
		defer timer.Stop()
		select {
		case <-timer.C:
			if p.kind == kSleepFail {
				return &failError{r.id}
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	case kStubborn:
		<-ctx.Done()
		time.Sleep(p.d) // virtual time: ignores its cancellation for a while
		return ctx.Err()
	case kSpawner:
		for i, c := range p.children {
			w.start(ctx, r.node, c, p.via[i])
		}
		return nil
	case kProducer:
		for range p.n {
			if err := p.q.put(ctx, false); err != nil {
				if errors.Is(err, queue.ErrClosed) {
					return nil
				}
				return err
			}
		}
		return nil
	case kShield:
		<-ctx.Done()
		began := time.Now()
		werr := cancel.Shield(ctx, func(sctx context.Context) error {
			timer := time.NewTimer(p.d)
			defer timer.Stop()
			select {
			case <-timer.C:
				return nil
			case <-sctx.Done():
				return context.Cause(sctx)
			}
		}, cancel.Grace(2*p.d), cancel.Ignore())
		if werr != nil || time.Since(began) != p.d {
			w.failf("task %s: shielded work of %v cut off after %v by %v", r.name, p.d, time.Since(began), werr)
		}
		return ctx.Err()
	case kOnCancel:
		return cancel.OnCancel(func(hctx context.Context) error {
			if hctx.Err() == nil {
				w.failf("task %s: OnCancel hook ran before its cancellation", r.name)
			}
			r.hooked.Add(1)
			return nil
		})(ctx)
	case kConsumer:
		for {
			v, err := p.q.q.Get(ctx)
			if err != nil {
				if errors.Is(err, queue.ErrClosed) {
					return nil
				}
				return err
			}
			p.q.got(v)
		}
	}
	panic("unreachable")
}

// start starts a task with plan p in n, the way how says; ctx is the
// context of the caller (the driver's or a spawning task's).
func (w *world) start(ctx context.Context, n *node, p *plan, how string) {
	if n.ex == nil {
		if how != "async" {
			how = "go"
		}
	} else if how == "go" || how == "async" {
		how = "submit"
	}
	r := w.newRec(n, p, how)
	defer w.publish(r)
	fn := w.body(r)
	switch how {
	case "go":
		r.task = n.g.Go(fn, group.Name(r.name))
		r.accepted = true
		r.refused = r.task.State() == group.Refused
		if r.refused && n.g.State() == group.Open {
			w.failf("Go refused task %s while its group %s is open", r.name, n.name)
		}
	case "async":
		id := r.id
		r.fut = group.Async(n.g, func(ctx context.Context) (int, error) {
			if err := fn(ctx); err != nil {
				return 0, err
			}
			return id, nil
		}, group.Name(r.name))
		r.task = &r.fut.Task
		r.accepted = true
		r.refused = r.task.State() == group.Refused
	case "submit":
		r.task, r.submitErr = n.ex.Submit(ctx, fn)
	case "trysubmit":
		var ok bool
		r.task, ok = n.ex.TrySubmit(fn)
		if !ok {
			r.submitErr = errTryRefused
		}
	case "enqueue":
		r.task, r.submitErr = n.ex.Enqueue(fn)
	}
	if n.ex != nil {
		r.subCause = context.Cause(ctx)
		r.accepted = r.submitErr == nil
		if r.accepted && r.task == nil {
			w.failf("%s of %s accepted without a task", how, r.name)
		}
		if !r.accepted && r.task != nil && r.task.State() != group.Refused {
			w.failf("%s of %s failed with %v but returned a live task in state %v", how, r.name, r.submitErr, r.task.State())
		}
	}
}

// run performs ops random operations, then closes the root and checks.
func (w *world) run(ops int) {
	root := w.nodes[0]
	after := 50 // operations after the root has left Open, all refused
	for i := range ops {
		w.late = i >= ops*9/10
		w.step()
		// Stats must add up at every step; one node's a step keeps a run
		// of thousands of steps linear (all of them are checked at the end).
		w.checkStatsOf(w.nodes[w.pick(len(w.nodes))])
		if root.g.State() != group.Open {
			if after--; after == 0 {
				break
			}
		}
	}
	// The end: close the root, gracefully with a short deadline or not.
	if w.pick(3) == 0 {
		w.deadlines = true
		ctx, stop := context.WithTimeout(context.Background(), time.Duration(w.pick(20))*time.Millisecond)
		w.guard("root.Shutdown", func() { w.checkReturned(root, root.g.Shutdown(ctx)) })
		stop()
	}
	w.guard("root.Close", func() { w.checkReturned(root, root.g.Close()) })
	// Operations after Close has returned: everything is refused, nothing
	// runs, nothing blocks.
	for range 20 {
		w.step()
	}
	var final error
	if v := catch(func() { final = root.g.Wait() }); v != nil {
		w.failf("root Wait after Close panicked again: %v", v)
	}
	for _, c := range w.queues {
		c.q.Close()
	}
	w.checkTasks()
	w.checkHooks()
	w.checkStats()
	w.checkSinks(final)
	w.checkQueues()
	if w.t.Failed() {
		w.dump(final)
	}
	runTasks.Add(int64(len(w.snapshotRecs())))
	runCount.Add(1)
	for _, n := range w.nodes {
		coverage.Add(fmt.Sprintf("depth %d", n.depth))
	}
	for _, r := range w.snapshotRecs() {
		k := "not accepted"
		if r.accepted {
			k = r.task.State().String()
		}
		coverage.Add(k + " " + r.plan.kind.String() + " ran=" + fmt.Sprint(r.ran.Load()))
	}
}

var (
	coverage = &counter{m: map[string]int{}}
	runTasks atomic.Int64 // tasks started, over every run
	runCount atomic.Int64
)

type counter struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counter) Add(k string) {
	c.mu.Lock()
	c.m[k]++
	c.mu.Unlock()
}

// guard runs a Close or Shutdown and accepts that it raises a task's panic
// again, checking that the panic is real.
func (w *world) guard(what string, f func()) {
	v := catch(f)
	if v == nil {
		return
	}
	pe, ok := v.(*group.PanicError)
	if !ok {
		w.failf("%s panicked with %T %v, not a *group.PanicError", what, v, v)
		return
	}
	w.raised = append(w.raised, v)
	r := w.panicRec(pe)
	if r == nil {
		w.failf("%s raised a panic of no task: %v", what, pe.Value)
	}
}

func (w *world) panicRec(pe *group.PanicError) *rec {
	pv, ok := pe.Value.(panicValue)
	if !ok {
		return nil
	}
	r := w.recByID(pv.id)
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.panicked {
		return nil
	}
	return r
}

func (w *world) recByID(id int) *rec {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.byID[id]
}

func (w *world) snapshotRecs() []*rec {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*rec(nil), w.recs...)
}

func (n *node) tasks() []*rec {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*rec(nil), n.recs...)
}

func (w *world) plainNodes() []*node {
	var ns []*node
	for _, n := range w.nodes {
		if n.ex == nil {
			ns = append(ns, n)
		}
	}
	return ns
}

// pickPlain picks a node that is not an executor, mostly an open one.
func (w *world) pickPlain() *node {
	ps := w.plainNodes()
	if w.pick(5) != 0 {
		var open []*node
		for _, n := range ps {
			if n.g.State() == group.Open {
				open = append(open, n)
			}
		}
		if len(open) > 0 {
			if w.pick(2) == 0 {
				return open[len(open)-1] // the newest: trees grow deep
			}
			return open[w.pick(len(open))]
		}
	}
	return ps[w.pick(len(ps))]
}

func (w *world) execNodes() []*node {
	var ns []*node
	for _, n := range w.nodes {
		if n.ex != nil {
			ns = append(ns, n)
		}
	}
	return ns
}

// step performs one random operation.
func (w *world) step() {
	bg := context.Background()
	op := w.pick(100)
	if *chaosTrace {
		w.t.Logf("op %d; nodes %d", op, len(w.nodes))
	}
	switch {
	case op < 35: // start one to three tasks somewhere, mostly in a group still open
		for range 1 + w.pick(3) {
			n := w.pickNode(w.pick(5) != 0)
			how := []string{"go", "async", "submit", "trysubmit", "enqueue"}[w.pick(5)]
			p := w.newPlan(0, n.ex != nil)
			// The driver's submitters have deadlines, often short ones
			// that back-pressure outlasts: with no deadline, a full
			// executor of blocked jobs would block the driver forever.
			ctx, stop := context.WithTimeout(bg, time.Duration(w.pick(5)+45*w.pick(2))*time.Millisecond)
			w.start(ctx, n, p, how)
			stop()
		}
	case op < 42: // cancel one task
		recs := w.snapshotRecs()
		if len(recs) > 0 {
			if r := recs[w.pick(len(recs))]; r.task != nil {
				r.task.Cancel()
			}
		}
	case op < 45: // cancel chosen jobs through their executor
		xs := w.execNodes()
		if len(xs) == 0 {
			return
		}
		n := xs[w.pick(len(xs))]
		var chosen []*rec
		for _, r := range n.tasks() {
			if r.accepted && w.pick(2) == 0 {
				chosen = append(chosen, r)
			}
		}
		w.exCancel(n, chosen, false)
	case op < 47: // cancel every job of an executor
		xs := w.execNodes()
		if len(xs) > 0 {
			n := xs[w.pick(len(xs))]
			w.exCancel(n, n.tasks(), true)
		}
	case op < 50: // cancel a subgroup or the root (cancel all)
		n := w.nodes[w.pick(len(w.nodes))]
		if n.ex == nil && (n.parent != nil || w.late && w.pick(4) == 0) {
			n.g.Cancel()
		}
	case op < 53: // close a subgroup or executor
		if len(w.nodes) > 1 {
			n := w.nodes[1+w.pick(len(w.nodes)-1)]
			w.guard("Close of "+n.name, func() {
				if n.ex != nil {
					w.checkReturned(n, n.ex.Close())
				} else {
					w.checkReturned(n, n.g.Close())
				}
			})
		}
	case op < 56: // shut a subgroup or executor down with a short deadline
		if len(w.nodes) > 1 {
			n := w.nodes[1+w.pick(len(w.nodes)-1)]
			w.deadlines = true
			ctx, stop := context.WithTimeout(bg, time.Duration(w.pick(15))*time.Millisecond)
			w.guard("Shutdown of "+n.name, func() {
				if n.ex != nil {
					w.checkReturned(n, n.ex.Shutdown(ctx))
				} else {
					w.checkReturned(n, n.g.Shutdown(ctx))
				}
			})
			stop()
		}
	case op < 66: // a new subgroup
		parent := w.pickPlain()
		n := &node{id: len(w.nodes), parent: parent, hookErrs: map[*group.Task]int{}, finishes: map[*group.Task]int{}}
		n.name = "g" + fmt.Sprint(n.id)
		opts := []group.Option{group.Name(n.name)}
		if w.pick(2) == 0 {
			n.supervised = true
			opts = append(opts, group.OnError(n.handle))
		}
		if w.pick(8) == 0 {
			w.deadlines = true
			opts = append(opts, group.Timeout(time.Duration(1+w.pick(50))*time.Millisecond))
		}
		n.g = parent.g.Subgroup(opts...)
		n.depth = parent.depth + 1
		if w.pick(3) == 0 {
			st, err := resource.NewStack(n.g)
			switch {
			case err == nil:
				n.stack = st
			case !errors.Is(err, resource.ErrClosed) || n.g.State() == group.Open:
				w.failf("NewStack of %s (%v) failed with %v", n.name, n.g.State(), err)
			default:
				n.stackRefused = true
			}
		}
		parent.children = append(parent.children, n)
		w.nodes = append(w.nodes, n)
	case op < 69: // a close hook on a Stack
		var ss []*node
		for _, n := range w.nodes {
			if n.stack != nil {
				ss = append(ss, n)
			}
		}
		if len(ss) > 0 {
			w.onClose(ss[w.pick(len(ss))])
		}
	case op < 72: // a new executor
		parent := w.pickPlain()
		n := &node{id: len(w.nodes), parent: parent, hookErrs: map[*group.Task]int{}, finishes: map[*group.Task]int{}}
		n.name = "x" + fmt.Sprint(n.id)
		opts := []executor.Option{executor.Name(n.name), executor.MaxWorkers(1 + w.pick(3)),
			executor.Observe(executor.Hooks{
				TaskError: func(t *group.Task, _ error) {
					n.mu.Lock()
					n.hookErrs[t]++
					n.mu.Unlock()
				},
				TaskFinish: func(t *group.Task) {
					n.mu.Lock()
					n.finishes[t]++
					n.mu.Unlock()
				},
			})}
		if w.pick(2) == 0 {
			opts = append(opts, executor.Backlog(w.pick(4)))
		}
		if w.pick(3) == 0 {
			n.suppress = true
			opts = append(opts, executor.SuppressErrors())
		}
		if w.pick(8) == 0 {
			w.deadlines = true
			opts = append(opts, executor.Timeout(time.Duration(1+w.pick(50))*time.Millisecond))
		}
		n.depth = parent.depth + 1
		n.ex = executor.New(parent.g, opts...)
		n.g = n.ex.Group()
		parent.children = append(parent.children, n)
		w.nodes = append(w.nodes, n)
	case op < 76: // a new queue
		c := &cqueue{q: queue.New[int](w.pick(4)), accepted: map[int]int{}, rejected: map[int]bool{}, delivered: map[int]int{}}
		w.queues = append(w.queues, c)
	case op < 82: // the driver uses a queue directly
		if len(w.queues) == 0 {
			return
		}
		c := w.queues[w.pick(len(w.queues))]
		switch w.pick(5) {
		case 0, 1:
			_ = c.put(bg, true)
		case 2, 3:
			if v, err := c.q.TryGet(); err == nil {
				c.got(v)
			}
		default:
			c.q.Close()
		}
	default: // let virtual time pass
		time.Sleep(time.Duration(w.pick(10)) * time.Millisecond)
	}
}

// onClose gives n's Stack a close hook that records when it runs.
func (w *world) onClose(n *node) {
	h := &hookRec{d: time.Duration(w.pick(5)) * time.Millisecond}
	i := len(n.hooks)
	n.hooks = append(n.hooks, h)
	err := n.stack.OnClose(fmt.Sprintf("hook%d", i), func(ctx context.Context) error {
		n.mu.Lock()
		n.hookOrder = append(n.hookOrder, i)
		n.mu.Unlock()
		if ctx.Err() != nil {
			w.failf("close hook %d of %s got a done context: %v", i, n.name, context.Cause(ctx))
		}
		time.Sleep(h.d)
		h.ran.Add(1)
		return nil
	})
	h.accepted = err == nil
	if err != nil && (!errors.Is(err, resource.ErrClosed) || h.ran.Load() != 1) {
		w.failf("OnClose of %s failed with %v, having run the hook %d times", n.name, err, h.ran.Load())
	}
}

// checkHooks checks that every close hook ran once, and those that waited
// for their turn ran newest first.
func (w *world) checkHooks() {
	for _, n := range w.nodes {
		if n.stack == nil {
			continue
		}
		for i, h := range n.hooks {
			if h.ran.Load() != 1 {
				w.failf("close hook %d of %s ran %d times", i, n.name, h.ran.Load())
			}
		}
		n.mu.Lock()
		var turns []int
		for _, i := range n.hookOrder {
			if n.hooks[i].accepted {
				turns = append(turns, i)
			}
		}
		n.mu.Unlock()
		if !slices.IsSortedFunc(turns, func(a, b int) int { return b - a }) {
			w.failf("close hooks of %s ran in the order %v, not newest first", n.name, turns)
		}
	}
}

// pickNode picks a node, one that is open if open is set and there is one.
func (w *world) pickNode(open bool) *node {
	if open {
		var ns []*node
		for _, n := range w.nodes {
			if n.g.State() == group.Open {
				ns = append(ns, n)
			}
		}
		if len(ns) > 0 {
			return ns[w.pick(len(ns))]
		}
	}
	return w.nodes[w.pick(len(w.nodes))]
}

// exCancel cancels chosen jobs of n (all of them when all is set) with
// Executor.Cancel and checks that every one has finished when it returns
// and that the count is no more than the jobs that had not finished before.
func (w *world) exCancel(n *node, chosen []*rec, all bool) {
	var tasks []*group.Task
	before := map[*group.Task]bool{}
	for _, r := range chosen {
		if !r.accepted {
			continue
		}
		tasks = append(tasks, r.task)
		before[r.task] = r.task.State().Final()
	}
	if !all && len(tasks) == 0 {
		return // Cancel with no tasks cancels every job: that is the other case
	}
	var count int
	var err error
	if all {
		count, err = n.ex.Cancel(context.Background())
	} else {
		count, err = n.ex.Cancel(context.Background(), tasks...)
	}
	if err != nil {
		w.failf("Executor.Cancel on %s with a background context: %v", n.name, err)
		return
	}
	unfinished := 0
	for _, t := range tasks {
		if !t.State().Final() {
			w.failf("Executor.Cancel on %s returned while job %s is %v", n.name, t.Name(), t.State())
		}
		if !before[t] {
			unfinished++ // reached, or finished before Cancel got to it
		}
	}
	if !all && count > unfinished {
		w.failf("Executor.Cancel on %s counted %d cancelled jobs, only %d of those given had not finished before the call", n.name, count, unfinished)
	}
	if count < 0 {
		w.failf("Executor.Cancel on %s counted %d", n.name, count)
	}
}

// descendants returns n and every node below it.
func (n *node) descendants() []*node {
	ns := []*node{n}
	for _, c := range n.children {
		ns = append(ns, c.descendants()...)
	}
	return ns
}

// checkReturned checks a Close or Shutdown of n that returned: unless it
// was a *group.ShutdownError, n and everything below it is Closed and every
// task there has finished; every error it returns is a real failure.
func (w *world) checkReturned(n *node, err error) {
	var se *group.ShutdownError
	if errors.As(err, &se) {
		if len(se.Stuck) == 0 {
			// Shutdown once listed the stuck tasks after the last one had
			// returned and reported a ShutdownError naming none (fixed; see
			// group's TestShutdownGraceEndingAsTasksReturn).
			w.failf("ShutdownError of %s names no stuck task: %v", n.name, err)
		}
		for _, s := range se.Stuck {
			w.checkStuck(n, s)
		}
	} else {
		for _, d := range n.descendants() {
			if d.g.State() != group.Closed {
				w.failf("%s returned but %s is %v", n.name, d.name, d.g.State())
			}
			select {
			case <-d.g.Done():
			default:
				w.failf("%s returned but Done of %s is not closed", n.name, d.name)
			}
			for _, r := range d.tasks() {
				if r.task != nil && !r.task.State().Final() {
					w.failf("%s returned but task %s of %s is %v", n.name, r.name, d.name, r.task.State())
				}
			}
		}
	}
	leaves(err, func(e error) { w.checkReal(n.name, e) })
}

// checkStuck checks that a task named stuck by Shutdown is one that ignores
// its cancellation (or a worker running one).
func (w *world) checkStuck(n *node, s group.StuckTask) {
	i := strings.LastIndexByte(s.Task, '/')
	name := s.Task[i+1:]
	for _, d := range n.descendants() {
		if d.ex != nil && strings.Contains(s.Task, "/"+d.name+"/") {
			return // a worker of an executor: its job is named by its own path
		}
		if d.stack != nil && strings.HasSuffix(s.Task[:i+1], "/"+d.name+"/") && (name == "resource.stack" || strings.HasPrefix(name, "hook")) {
			return // close hooks take their time, one after another
		}
		for _, r := range d.tasks() {
			if r.name == name {
				if r.plan.kind != kStubborn && r.plan.kind != kShield {
					w.failf("Shutdown of %s names %s (%v) as stuck, but it does not ignore cancellation", n.name, s.Task, r.plan.kind)
				}
				return
			}
		}
	}
	w.failf("Shutdown of %s names %q as stuck: no such task", n.name, s.Task)
}

// checkReal checks that an error returned by the library is a real
// failure: a task told to fail that failed, a real panic, a Goexit, or a
// deadline that was set.
func (w *world) checkReal(where string, e error) {
	var pe *group.PanicError
	var fe *failError
	switch {
	case errors.As(e, &fe):
		if r := w.recByID(fe.id); r == nil || !r.ran.Load() {
			w.failf("%s returned %v, but that task never ran", where, e)
		}
	case errors.As(e, &pe):
		if w.panicRec(pe) == nil {
			w.failf("%s returned a panic of no task: %v", where, pe.Value)
		}
	case errors.Is(e, group.ErrGoexit):
	case errors.Is(e, context.DeadlineExceeded) && w.deadlines:
	case e == context.Canceled || e == group.ErrCanceled || e == group.ErrClosed:
		// Part of a cancellation that the Close of a subgroup or an
		// executor reports: imposed by its parent, or by Executor.Cancel.
	default:
		w.failf("%s returned %T %q, which names no real failure", where, e, e)
	}
}

// expect returns the final state a task must have reached, from what its
// function did.
func expect(r *rec) (group.TaskState, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case !r.ran.Load():
		if r.refused {
			return group.Refused, "refused when started"
		}
		return group.Canceled, "never ran"
	case r.panicked:
		return group.Failed, "panicked"
	case r.goexited:
		return group.Failed, "called Goexit"
	case !r.returned:
		return -1, "ran but never returned"
	case r.ret == nil:
		return group.Succeeded, "returned nil"
	case r.ctxErr != nil && (r.ret == r.ctxErr || r.ret == r.ctxCause):
		return group.Canceled, "returned its context's error after cancellation"
	default:
		return group.Failed, "returned " + r.ret.Error()
	}
}

// checkTasks checks the final state and error of every task against what
// its function did.
func (w *world) checkTasks() {
	for _, r := range w.snapshotRecs() {
		if !r.accepted {
			if r.ran.Load() {
				w.failf("task %s ran although %s refused it with %v", r.name, r.how, r.submitErr)
			}
			switch {
			case errors.Is(r.submitErr, executor.ErrClosed), errors.Is(r.submitErr, executor.ErrFull),
				errors.Is(r.submitErr, executor.ErrDeadlock), errors.Is(r.submitErr, errTryRefused),
				r.subCause != nil && r.submitErr == r.subCause:
			default:
				w.failf("%s of %s failed with an unexpected error %v", r.how, r.name, r.submitErr)
			}
			continue
		}
		t := r.task
		select {
		case <-t.Done():
		default:
			w.failf("task %s (%v in %s) has not finished after its root closed: %v", r.name, r.plan.kind, r.node.name, t.State())
			continue
		}
		want, why := expect(r)
		got, err := t.State(), t.Err()
		if got != want {
			w.failf("task %s (%v, %s, in %s) %s: want %v, got %v with %v", r.name, r.plan.kind, r.how, r.node.name, why, want, got, err)
			continue
		}
		ok := true
		switch got {
		case group.Succeeded:
			ok = err == nil
		case group.Refused:
			ok = errors.Is(err, group.ErrClosed)
		case group.Canceled:
			if r.ran.Load() {
				// What it returned, joined with its context's end and cause.
				ok = errors.Is(err, r.ret) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
			} else {
				ok = errors.Is(err, group.ErrCanceled)
			}
		case group.Failed:
			var pe *group.PanicError
			switch {
			case r.panicked:
				ok = errors.As(err, &pe) && pe.Value == panicValue{r.id}
			case r.goexited:
				ok = errors.Is(err, group.ErrGoexit)
			default:
				ok = errors.Is(err, r.ret)
			}
		}
		if !ok {
			w.failf("task %s (%v) is %v with the wrong error %v", r.name, r.plan.kind, got, err)
		}
		if r.fut != nil {
			v, ferr := r.fut.Result()
			wantV := 0
			if got == group.Succeeded {
				wantV = r.id
			}
			// Equal, not identical: a cancelled task's error is joined
			// with its context's end and cause when asked for.
			if v != wantV || !reflect.DeepEqual(ferr, err) {
				w.failf("future %s: Result() = %d, %v; want %d, %v", r.name, v, ferr, wantV, err)
			}
		}
	}
}

// checkStats checks that every group's counts add up, and at the end that
// they equal the tasks the world started, state by state.
// checkStatsOf checks that n's group and executor Stats add up.
func (w *world) checkStatsOf(n *node) {
	gs := n.g.Stats()
	if gs.Spawned != gs.Running+gs.Succeeded+gs.Failed+gs.Canceled+gs.Refused {
		w.failf("Stats of %s do not add up: %+v", n.name, gs)
	}
	if n.ex != nil {
		xs := n.ex.Stats()
		if xs.Submitted != xs.Running+xs.Waiting+xs.Succeeded+xs.Failed+xs.Canceled {
			w.failf("executor Stats of %s do not add up: %+v", n.name, xs)
		}
	}
}

// checkStats checks, at the end of a run, that every node's Stats add up
// and equal the states of its tasks.
func (w *world) checkStats() {
	for _, n := range w.nodes {
		w.checkStatsOf(n)
		gs := n.g.Stats()
		var xs executor.Stats
		if n.ex != nil {
			xs = n.ex.Stats()
		}
		var want group.Stats
		for _, r := range n.tasks() {
			if !r.accepted {
				continue
			}
			want.Spawned++
			switch r.task.State() {
			case group.Succeeded:
				want.Succeeded++
			case group.Failed:
				want.Failed++
			case group.Canceled:
				want.Canceled++
			case group.Refused:
				want.Refused++
			default:
				want.Running++
			}
		}
		if n.stackRefused {
			want.Spawned++
			want.Refused++
		}
		if n.stack != nil {
			// The Stack's closing task, and one task per hook that waited
			// for its turn: all succeed.
			k := int64(1)
			for _, h := range n.hooks {
				if h.accepted {
					k++
				}
			}
			want.Spawned += k
			want.Succeeded += k
		}
		if n.ex == nil {
			if gs != want {
				w.failf("Stats of %s: want %+v from its tasks, got %+v", n.name, want, gs)
			}
			continue
		}
		wantX := executor.Stats{Submitted: want.Spawned - want.Refused, Succeeded: want.Succeeded, Failed: want.Failed, Canceled: want.Canceled}
		if xs != wantX {
			w.failf("executor Stats of %s: want %+v from its jobs, got %+v", n.name, wantX, xs)
		}
		n.mu.Lock()
		for _, r := range n.recs {
			if !r.accepted {
				continue
			}
			failed := r.task.State() == group.Failed
			if e := n.hookErrs[r.task]; (e == 1) != failed || e > 1 {
				w.failf("executor %s: TaskError hook called %d times for job %s, which is %v", n.name, e, r.name, r.task.State())
			}
			if f := n.finishes[r.task]; f > 1 || (r.ran.Load() && f != 1) {
				w.failf("executor %s: TaskFinish hook called %d times for job %s, which ran: %v", n.name, f, r.name, r.ran.Load())
			}
		}
		n.mu.Unlock()
	}
}

// sink says where a task's failure must be reported: to the root's Wait
// (nil), to the OnError handler of a node, or nowhere (suppressed by an
// executor made with SuppressErrors; its TaskError hook has it).
//
// A failure goes up the tree until a policy takes it: a supervised group
// hands its own tasks' failures to its handler; a failed subgroup's combined
// error is one failure of its parent. A panic that is raised again (no
// PanicsAsErrors) is no failure for a handler: it goes up to the root's
// Wait, and so does the combined error of a subgroup that holds one.
func (w *world) sink(r *rec) (n *node, suppressed bool) {
	if w.raisedPanic(r) {
		return nil, false
	}
	carriesPanic := false
	for n := r.node; n != nil; n = n.parent {
		if n.suppress {
			return nil, true
		}
		if n.supervised && !carriesPanic {
			return n, false
		}
		carriesPanic = carriesPanic || w.holdsRaisedPanic(n)
	}
	return nil, false
}

func (w *world) raisedPanic(r *rec) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.panicked && !w.pae && r.task != nil && r.task.State() == group.Failed
}

// holdsRaisedPanic reports whether a task of n or below panicked and the
// panic is raised again, so that it is part of n's combined error.
func (w *world) holdsRaisedPanic(n *node) bool {
	for _, d := range n.descendants() {
		for _, r := range d.tasks() {
			if w.raisedPanic(r) {
				return true
			}
		}
	}
	return false
}

// checkSinks checks that every failure is reported exactly once, where the
// error policy sends it, and that nothing else is reported.
func (w *world) checkSinks(final error) {
	root := w.nodes[0]
	seen := map[*rec]int{}
	goexits := map[*node]int{}
	visit := func(where *node) func(error) {
		return func(e error) {
			name := "root Wait"
			if where != nil {
				name = "OnError handler of " + where.name
			}
			var pe *group.PanicError
			var fe *failError
			var r *rec
			switch {
			case errors.As(e, &pe):
				r = w.panicRec(pe)
			case errors.As(e, &fe):
				r = w.recByID(fe.id)
			case errors.Is(e, group.ErrGoexit):
				goexits[where]++
				return
			case errors.Is(e, context.DeadlineExceeded) && w.deadlines:
				return
			}
			if r == nil {
				w.failf("%s got %T %q, which names no real failure", name, e, e)
				return
			}
			seen[r]++
			if r.task == nil || r.task.State() != group.Failed {
				w.failf("%s got the error of task %s, which did not fail", name, r.name)
				return
			}
			if s, sup := w.sink(r); s != where || sup {
				w.failf("%s got the failure of task %s (in %s), which belongs elsewhere (handler %v, suppressed %v)", name, r.name, r.node.name, s != nil, sup)
			}
		}
	}
	if root.supervised {
		if final != nil {
			leaves(final, visit(nil))
		}
	} else {
		leaves(final, visit(nil))
	}
	for _, n := range w.nodes {
		n.mu.Lock()
		handled := append([]error(nil), n.handled...)
		n.mu.Unlock()
		var where *node
		if n.supervised {
			where = n
		}
		for _, e := range handled {
			leaves(e, visit(where))
		}
	}
	wantGoexits := map[*node]int{}
	for _, r := range w.snapshotRecs() {
		if !r.accepted || r.task.State() != group.Failed {
			continue
		}
		s, sup := w.sink(r)
		want := 1
		if sup {
			want = 0
		}
		r.mu.Lock()
		goexited := r.goexited
		r.mu.Unlock()
		if goexited {
			if !sup {
				wantGoexits[s]++
			}
			continue
		}
		if seen[r] != want {
			where := "the root's Wait"
			if s != nil {
				where = "the OnError handler of " + s.name
			}
			w.failf("failure of task %s (%v, in %s) reported %d times, want %d times to %s (suppressed %v): %v",
				r.name, r.plan.kind, r.node.name, seen[r], want, where, sup, r.task.Err())
		}
	}
	for s, n := range wantGoexits {
		if goexits[s] != n {
			w.failf("%d Goexit failures reported to %s, want %d", goexits[s], s.label(), n)
		}
	}
	for s, n := range goexits {
		if wantGoexits[s] != n {
			w.failf("%d Goexit failures reported to %s, want %d", n, s.label(), wantGoexits[s])
		}
	}
}

// label names a sink for messages.
func (n *node) label() string {
	if n == nil {
		return "the root's Wait"
	}
	return "the OnError handler of " + n.name
}

// checkQueues checks that every item accepted by a queue was delivered
// exactly once or is still in it, and that no refused item came out.
func (w *world) checkQueues() {
	for i, c := range w.queues {
		drained := map[int]int{}
		for _, v := range c.q.Drain() {
			drained[v]++
		}
		c.mu.Lock()
		for v, n := range c.accepted {
			if got := n * (c.delivered[v] + drained[v]); n != 1 || got != 1 {
				w.failf("queue %d: item %d accepted %d times, delivered %d, drained %d", i, v, n, c.delivered[v], drained[v])
			}
		}
		for v, n := range c.delivered {
			if c.accepted[v] == 0 {
				w.failf("queue %d: item %d delivered %d times but never accepted (rejected: %v)", i, v, n, c.rejected[v])
			}
		}
		for v := range drained {
			if c.accepted[v] == 0 {
				w.failf("queue %d: item %d drained but never accepted", i, v)
			}
		}
		c.mu.Unlock()
	}
}

func (w *world) dump(final error) {
	for _, r := range w.snapshotRecs() {
		st := "-"
		if r.task != nil {
			st = r.task.State().String()
		}
		w.t.Logf("%s %v %s in %s: %s err=%v", r.name, r.plan.kind, r.how, r.node.name, st, r.submitErr)
	}
	w.t.Logf("final: %v", final)
	for _, n := range w.nodes {
		w.t.Logf("node %s sup=%v suppress=%v handled=%v", n.name, n.supervised, n.suppress, n.handled)
	}
}
