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
type Task struct {
	g     *Group
	fn    func(context.Context) error
	fut   futureRunner  // set instead of fn by Async
	start *startState   // set by Start until ready is called
	name  string        // "" for unnamed tasks
	id    uint64        // unique within the group
	began time.Duration // since the group began: monotonic, and no wall clock read
	state atomic.Int32  // a TaskState; final states publish err
	err   error

	// cancelReq is set by Cancel; the runner checks it before calling fn.
	cancelReq atomic.Bool
	// cctx is the task's own context, made on first use (see taskCtx).
	cctx atomic.Pointer[ownContext]

	// done is the channel Done returns, made on demand: most tasks are never
	// asked, and a channel per task would be a third allocation on the spawn
	// path. Done and finish race to store into it; see there.
	done atomic.Value // chan struct{}

	mu sync.Mutex // orders Cancel and the making of cctx

	prev, next *Task // the group's list of running tasks, guarded by g.mu
}

type ownContext struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// closedChan is the done channel of tasks that finished before anyone asked.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Done returns a channel that is closed when the task has reached its final
// state.
func (t *Task) Done() <-chan struct{} {
	if d := t.done.Load(); d != nil {
		return d.(chan struct{})
	}
	// Whichever of Done and finish stores first wins: if finish did, the
	// channel is closedChan; if Done did, finish closes Done's channel.
	t.done.CompareAndSwap(nil, make(chan struct{}))
	return t.done.Load().(chan struct{})
}

// Err returns nil while the task runs and after it succeeded. After it failed
// it returns the error the function returned, a [*PanicError] or
// [ErrGoexit]; after it was cancelled, the error it returned or, when it
// never ran, the cancellation's cause; after it was refused, [ErrClosed].
func (t *Task) Err() error {
	if !TaskState(t.state.Load()).Final() {
		return nil
	}
	return t.err
}

// State returns the task's current state.
func (t *Task) State() TaskState { return TaskState(t.state.Load()) }

// Name returns the name given with [Name], or "" when it has none.
func (t *Task) Name() string { return t.name }

// Cancel cancels the task's context with cause [ErrCanceled]. A task that
// has not started yet never runs. Cancel does not wait; a task that has
// finished is not affected. A task that returns its context's error after
// Cancel is [Canceled], not [Failed]; its group goes on.
func (t *Task) Cancel() {
	t.mu.Lock()
	if t.State().Final() || t.cancelReq.Load() {
		t.mu.Unlock()
		return
	}
	t.cancelReq.Store(true)
	own := t.cctx.Load()
	t.mu.Unlock()
	if own != nil {
		own.cancel(ErrCanceled)
	}
}

// path names the task for errors and reports: its group's path and its name
// or "#id".
func (t *Task) path() string {
	n := t.name
	if n == "" {
		n = "#" + itoa(t.id)
	}
	return t.g.path + "/" + n
}

// context returns the task's own context, making it on first use.
//
// Most tiny tasks never look at their context, so making a cancelable child
// context for each one up front would cost two allocations and a lock in the
// parent on the spawn path. Instead the task hands its function a *taskCtx
// that makes the real context the first time it is asked for anything.
func (t *Task) context() context.Context {
	if own := t.cctx.Load(); own != nil {
		return own.ctx
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if own := t.cctx.Load(); own != nil {
		return own.ctx
	}
	ctx, cancel := context.WithCancelCause(t.g.ctx)
	if t.cancelReq.Load() {
		cancel(ErrCanceled)
	}
	t.cctx.Store(&ownContext{ctx, cancel})
	// finish stores the final state and then loads cctx; checking the state
	// after storing cctx means one of the two releases the context.
	if t.State().Final() {
		cancel(context.Canceled)
	}
	return ctx
}

// finish publishes the task's final state and wakes everyone waiting on it.
func (t *Task) finish(s TaskState, err error) {
	t.err = err
	t.state.Store(int32(s))
	if !t.done.CompareAndSwap(nil, closedChan) {
		close(t.done.Load().(chan struct{}))
	}
	if own := t.cctx.Load(); own != nil {
		// Release the context's place in its parent; the task is over.
		own.cancel(context.Canceled)
	}
}

// taskCtx is the context.Context a task's function receives. It is the Task
// itself seen as a context, so handing it out allocates nothing; every method
// but Deadline makes the task's own context and forwards to it, so
// [context.Cause], [context.AfterFunc] and derived contexts behave exactly as
// with a context made by [context.WithCancelCause].
type taskCtx Task

func (c *taskCtx) Deadline() (time.Time, bool) { return c.g.ctx.Deadline() }
func (c *taskCtx) Done() <-chan struct{}       { return (*Task)(c).context().Done() }
func (c *taskCtx) Err() error                  { return (*Task)(c).context().Err() }
func (c *taskCtx) Value(key any) any           { return (*Task)(c).context().Value(key) }
func (c *taskCtx) String() string              { return "group.Task(" + (*Task)(c).path() + ").Context" }

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
