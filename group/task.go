package group

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A Task is one function running in a [Group], started by [Group.Go],
// [Async] or [Group.Start]. It reaches exactly one final state
// ([Succeeded], [Failed], [Canceled] or [Refused]) and keeps it.
//
// A Task is made only by its group; its methods are safe for concurrent use.
// A Task must not be copied. The zero value is not a task: its Done,
// Cancel, Start and Run panic with a message saying how to make one (a
// zero Task would otherwise wait for ever), and its State is [Pending].
type Task struct {
	meta  *taskMeta    // its group, name and labels; nil in a zero Task
	body  taskBody     // what it runs
	err   error        // published by the final state
	id    uint64       // unique within the group
	began atomic.Int64 // when it began (see setBegan), 0 before
	state atomic.Int32 // Pending or a final TaskState, which publishes err; see State
	flags atomic.Int32 // flagHeld, flagStarted, flagCancel, …

	// done is the channel Done returns, made on demand: most tasks are never
	// asked, and a channel per task would be a third allocation on the spawn
	// path. Done and finish race to store into it; see there.
	done atomic.Value // chan struct{}

	// The task's context (see taskCtx): its Done channel, made on demand
	// like done, and what only some contexts need. How it ended is in
	// flags (see ctxEnded).
	ctxDone atomic.Value // chan struct{}
	ext     atomic.Pointer[taskExt]

	next atomic.Pointer[Task] // the next older task in its shard's list (see shard)
}

// taskExt holds what only some tasks' contexts need, made on first use so
// that the others do not carry it: the context holding the cause after
// Cancel and the callbacks of contexts derived from the task's.
type taskExt struct {
	mu       sync.Mutex // guards afterFns and the making of own
	own      atomic.Pointer[context.Context]
	afterFns atomic.Pointer[[]*afterFn]
}

// extra returns t's taskExt, making it on first use.
func (t *Task) extra() *taskExt {
	if x := t.ext.Load(); x != nil {
		return x
	}
	t.ext.CompareAndSwap(nil, new(taskExt))
	return t.ext.Load()
}

// taskBody is what a task runs: a plain function, a Future or a Start body.
type taskBody interface {
	runTask(ctx context.Context) error
	// describe names the user's function and where it is, for snapshots.
	describe(funcs map[uintptr]funcInfo) (name, origin string)
}

type taskFunc func(context.Context) error

func (f taskFunc) runTask(ctx context.Context) error { return f(ctx) }

func (f taskFunc) describe(funcs map[uintptr]funcInfo) (string, string) {
	return describeFunc((func(context.Context) error)(f), funcs)
}

// Task flags.
const (
	flagHeld        = 1 << iota // made with hold: waits for startHeld or runHeld
	flagStarted                 // a held task was claimed: its goroutine started or its runner took it
	flagCancel                  // Cancel was called or its group dropped it
	flagOutcome                 // ended Canceled after it ran: Err adds how its context ended
	flagInternal                // the library's own bookkeeping (groupctl.Internal)
	flagLate                    // may be admitted while the group closes (groupctl.Late)
	flagCtxEnded                // its context ended (see ctxEnded)
	flagCtxDeadline             // … because the group's deadline passed
	flagCtxByTask               // … because of Task.Cancel
)

// closedChan is the done channel of tasks that finished before anyone asked.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// lazyChan returns the channel in v, making it on first use. ended reports
// whether what the channel signals has already happened; endLazy is its
// other half.
//
// Most tasks never have their channels asked for, so nothing is stored
// until someone asks: the end of a task costs one load per channel. When
// the making and the end race, each looks at the other's mark after setting
// its own, so at least one of them sees both and closes the channel, and
// the swap in closeOnce makes it exactly one.
func lazyChan(v *atomic.Value, ended func() bool) <-chan struct{} {
	if d := v.Load(); d != nil {
		return d.(chan struct{})
	}
	if ended() {
		// It ended before anyone asked, and its end found no channel to
		// close: the shared closed one will do.
		return closedChan
	}
	c := make(chan struct{})
	if !v.CompareAndSwap(nil, c) {
		return v.Load().(chan struct{})
	}
	if ended() {
		closeOnce(v, c)
	}
	return c
}

// endLazy closes the channel in v, if one was made; the caller has already
// set the mark that ended reports.
func endLazy(v *atomic.Value) {
	if d := v.Load(); d != nil {
		closeOnce(v, d.(chan struct{}))
	}
}

// closeOnce closes c unless someone else already has: whoever swaps it for
// closedChan closes it.
func closeOnce(v *atomic.Value, c chan struct{}) {
	if c != closedChan && v.CompareAndSwap(c, closedChan) {
		close(c)
	}
}

// Done returns a channel that is closed when the task has reached its final
// state.
func (t *Task) Done() <-chan struct{} {
	t.mustBeMade("Task.Done")
	return lazyChan(&t.done, t.finished)
}

// mustBeMade panics if t is a zero Task, which no group owns and which
// would never finish.
func (t *Task) mustBeMade(method string) {
	if t.meta == nil {
		panic("group: " + method + " on a zero Task; tasks are made by Group.Go, Group.Start or Async")
	}
}

func (t *Task) finished() bool { return t.State().Final() }

// Err returns nil while the task runs and after it succeeded. After it failed
// it returns the error the function returned, a [*PanicError] or
// [ErrGoexit]. After it was cancelled, whether before it ran or while it
// ran, it returns an error that matches [context.Canceled] (or
// [context.DeadlineExceeded] when a deadline ended it) and the cause of
// the task's context with [errors.Is]: the error the function returned,
// joined with what it lacks of those, or, when it never ran, [ErrCanceled]
// joined with its group's cause. After it was refused, it returns
// [ErrClosed], which wraps the group's cause too when a failure or a
// cancellation closed the group.
func (t *Task) Err() error {
	s := TaskState(t.state.Load())
	if !s.Final() {
		return nil
	}
	if s == Canceled && t.flags.Load()&flagOutcome != 0 {
		// Joined here rather than when the task ends: most cancelled tasks
		// are never asked, and a group closing 100k of them would
		// otherwise allocate for each. The context's end and cause are
		// fixed by now, so every call returns an equal error.
		end := t.meta.g.ctx.Err() // ended from outside before the group got to the task
		if e := t.ctxEnded(); e != nil {
			end = e.err
		}
		return canceledOutcome(t.err, end, context.Cause((*taskCtx)(t)))
	}
	return t.err
}

// State returns the task's current state.
func (t *Task) State() TaskState {
	s := TaskState(t.state.Load())
	if s == Pending && t.began.Load() != 0 {
		// Running is not stored: the time it began says it, one atomic
		// store fewer per task.
		return Running
	}
	return s
}

// Name returns the name given with [Name], or "" when it has none.
func (t *Task) Name() string {
	if t.meta == nil {
		return ""
	}
	return t.meta.name
}

// ID returns the task's id: 1 for the first task of its group, then 2, 3, …
// in the order the group accepted them (refused tasks included). Ids are
// unique within a group, not across groups; snapshots show them.
func (t *Task) ID() uint64 { return t.id }

// Cancel cancels the task's context with cause [ErrCanceled]. A held task
// (see hold) that has not started never runs and is [Canceled] at once; a
// task whose goroutine has not yet reached its function never calls it.
// Cancel does not wait; a finished task is not affected. A task that
// returns its context's error after Cancel is [Canceled], not [Failed]; its
// group goes on.
//
// Cancel reports whether it reached the task before the task finished: false
// when the task had already reached its final state or been cancelled with
// Cancel. A task that catches its cancellation and returns a value was
// reached all the same. A task that finishes at the very moment Cancel is
// called may count either way.
func (t *Task) Cancel() bool {
	t.mustBeMade("Task.Cancel")
	for {
		f := t.flags.Load()
		if f&flagCancel != 0 || t.State().Final() {
			return false
		}
		if t.flags.CompareAndSwap(f, f|flagCancel) {
			if f&(flagHeld|flagStarted) == flagHeld {
				// Never started, and now it never will be: account for it.
				t.meta.g.taskDone(t, ErrCanceled, neverRan)
				return true
			}
			break
		}
	}
	if t.ctxEnded() == nil {
		// Keep the cause where context.Cause finds it: Value forwards to own
		// only if this cancellation is the one that ends the context.
		ctx, cancel := context.WithCancelCause(t.meta.g.ctx)
		cancel(ErrCanceled)
		t.extra().own.Store(&ctx)
		t.cancelContext(endByTask)
	}
	return true
}

// startHeld starts a task made with hold in a new goroutine and reports
// whether it did: it does not when the task was cancelled or refused first,
// and it does nothing after the first call. A cancellation that comes after
// Start still keeps the function from running if it comes first.
//
// startHeld panics if the task was not made with hold.
func (t *Task) startHeld() bool {
	t.mustBeMade("Task.Start")
	if !t.claim() {
		return false
	}
	go t.run()
	return true
}

// runHeld runs a task made with hold in the calling goroutine, as its goroutine
// would, and reports whether it did: it does not when the task was cancelled
// first or already started. A panic in the task is recovered and accounted
// for exactly as in a task's own goroutine, and Run then returns normally,
// so a worker goroutine can run one held task after another. Run sets the
// calling goroutine's pprof labels to the task's and leaves them so (Go
// offers no way to read them back): a worker that cares sets its own again
// with [pprof.SetGoroutineLabels]. A task that calls [runtime.Goexit] ends
// the calling goroutine too, after its bookkeeping.
//
// runHeld panics if the task was not made with hold.
func (t *Task) runHeld() bool {
	t.mustBeMade("Task.Run")
	if !t.claim() {
		return false
	}
	t.runHere()
	return true
}

// endHeld claims a held task and ends it with err without calling its
// function (see groupctl.EndHeld).
func (t *Task) endHeld(err error) bool {
	if !t.claim() {
		return false
	}
	t.execute(err)
	return true
}

// claim marks a held task started and reports whether the caller won it.
func (t *Task) claim() bool {
	for {
		f := t.flags.Load()
		if f&flagHeld == 0 {
			panic("group: Task.Start or Task.Run on a task not made with Hold")
		}
		if f&(flagStarted|flagCancel) != 0 || t.State().Final() {
			return false
		}
		if t.flags.CompareAndSwap(f, f|flagStarted) {
			return true
		}
	}
}

// drop marks a pending task that was never started as cancelled and
// reports whether it did; the caller then accounts for it.
func (t *Task) drop() bool {
	for {
		f := t.flags.Load()
		if f&(flagHeld|flagStarted|flagCancel) != flagHeld {
			return false
		}
		if t.flags.CompareAndSwap(f, f|flagCancel) {
			return true
		}
	}
}

// setBegan notes the time, as nanoseconds since its group began plus one (so
// that 0 means "not yet"): a monotonic clock read, no wall clock.
func (t *Task) setBegan() { t.began.Store(int64(time.Since(t.meta.g.began)) + 1) }

// age returns how long the task has been running, 0 if it has not begun.
func (t *Task) age() time.Duration {
	b := t.began.Load()
	if b == 0 {
		return 0
	}
	return time.Since(t.meta.g.began) - time.Duration(b-1)
}

// path names the task for errors and reports: its group's path and its name
// or "#id".
func (t *Task) path() string {
	n := t.meta.name
	if n == "" {
		n = "#" + itoa(t.id)
	}
	return t.meta.g.path + "/" + n
}

// finish publishes the task's final state and wakes everyone waiting on it.
func (t *Task) finish(s TaskState, err error) {
	t.publish(s, err)
	t.wake()
}

// publish sets the task's final state.
func (t *Task) publish(s TaskState, err error) {
	t.err = err
	t.state.Store(int32(s))
}

// wake closes the task's Done channel and ends its context, after publish.
func (t *Task) wake() {
	endLazy(&t.done)
	// The task's context ends with the task, as a request's does: its final
	// state says so (see ctxEnded), so there is something to do only if a
	// Done channel or a callback was asked for. One asked for meanwhile
	// sees the final state.
	if t.ctxDone.Load() != nil || t.ext.Load() != nil {
		t.cancelContext(endCanceled)
	}
}

func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
