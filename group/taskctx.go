package group

import (
	"context"
	"slices"
	"time"
)

// taskCtx is the context.Context a task's function receives. It is the Task
// itself seen as a context, so handing it out allocates nothing.
//
// Deriving a child with context.WithCancelCause for every task would cost
// several allocations and a lock in the group's context per task, and a
// group with 100k tasks blocked on their contexts would cancel them through
// a map. Instead, a task's context is closed by its group, which walks its
// list of live tasks when it is cancelled, and by Task.Cancel. It behaves as
// a standard cancelable context:
//   - Done, Err and Deadline as context.WithCancel's, with the group's
//     deadline;
//   - Value forwards to the group's context, so context.Cause returns the
//     group's cause, and after Task.Cancel to a cancelled context holding
//     ErrCanceled;
//   - AfterFunc makes context.WithCancel, context.AfterFunc and friends
//     register with the task instead of starting a goroutine each.
type taskCtx Task

// ctxEnd is how a task's context ended: one of the three values below. The
// task keeps it as flag bits (see ctxEnded), which costs the Task no field.
type ctxEnd struct {
	err  error
	bits int32
}

var (
	endCanceled = &ctxEnd{context.Canceled, flagCtxEnded}
	endDeadline = &ctxEnd{context.DeadlineExceeded, flagCtxEnded | flagCtxDeadline}
	endByTask   = &ctxEnd{context.Canceled, flagCtxEnded | flagCtxByTask} // by Task.Cancel: the cause is in own
)

// ctxEnded returns how the task's context ended, nil while it has not. A
// context not ended otherwise ends with its task (see Task.wake).
func (t *Task) ctxEnded() *ctxEnd {
	f := t.flags.Load()
	switch {
	case f&flagCtxEnded == 0:
		if TaskState(t.state.Load()).Final() {
			return endCanceled
		}
		return nil
	case f&flagCtxDeadline != 0:
		return endDeadline
	case f&flagCtxByTask != 0:
		return endByTask
	}
	return endCanceled
}

func (c *taskCtx) Deadline() (time.Time, bool) { return c.meta.g.ctx.Deadline() }
func (c *taskCtx) Done() <-chan struct{}       { return lazyChan(&c.ctxDone, c.ended) }

func (c *taskCtx) ended() bool { return (*Task)(c).ctxEnded() != nil }

func (c *taskCtx) Err() error {
	if e := (*Task)(c).ctxEnded(); e != nil {
		// As the context package's own: no error before Done is closed.
		<-c.Done()
		return e.err
	}
	return nil
}

func (c *taskCtx) Value(key any) any {
	if _, ok := key.(taskKey); ok {
		return (*Task)(c)
	}
	if (*Task)(c).ctxEnded() == endByTask {
		return (*c.ext.Load().own.Load()).Value(key)
	}
	return c.meta.g.ctx.Value(key)
}

func (c *taskCtx) String() string { return "group.Task(" + (*Task)(c).path() + ").Context" }

// afterFn is one callback registered with AfterFunc.
type afterFn struct{ f func() }

// AfterFunc arranges for f to run once the context is done and returns a
// func that cancels the arrangement. The context package uses it to
// propagate cancellation to contexts derived from a task's (it calls
// AfterFunc with the child's cancel) and for [context.AfterFunc], which
// wraps f in a goroutine of its own. As in the context package's own
// propagation, f runs in the goroutine that cancels, so it must be quick.
func (c *taskCtx) AfterFunc(f func()) (stop func() bool) {
	t := (*Task)(c)
	a := &afterFn{f}
	x := t.extra()
	x.mu.Lock()
	list := x.afterFns.Load()
	if list == nil {
		list = new([]*afterFn)
	}
	// Publish the list before looking at how the context ended:
	// cancelContext marks the end before looking at the list, so one of the
	// two sees the other.
	*list = append(*list, a)
	x.afterFns.Store(list)
	ended := t.ctxEnded() != nil
	x.mu.Unlock()
	if ended {
		if t.takeAfter(a) {
			go f()
		}
	}
	return func() bool { return t.takeAfter(a) }
}

// takeAfter removes a from the callbacks and reports whether it was there.
func (t *Task) takeAfter(a *afterFn) bool {
	x := t.extra()
	x.mu.Lock()
	defer x.mu.Unlock()
	list := x.afterFns.Load()
	if list == nil {
		return false
	}
	i := slices.Index(*list, a)
	if i < 0 {
		return false
	}
	*list = slices.Delete(*list, i, i+1)
	return true
}

// cancelContext ends the task's context once; later calls do nothing. It
// may run under g.mu: the callbacks it runs are the context package's child
// cancellations, which never call back into the group.
func (t *Task) cancelContext(end *ctxEnd) {
	for {
		f := t.flags.Load()
		if f&flagCtxEnded != 0 {
			return
		}
		if t.flags.CompareAndSwap(f, f|end.bits) {
			break
		}
	}
	endLazy(&t.ctxDone)
	x := t.ext.Load()
	if x == nil || x.afterFns.Load() == nil {
		return
	}
	x.mu.Lock()
	var fns []*afterFn
	if list := x.afterFns.Load(); list != nil {
		fns = *list
		*list = nil
	}
	x.mu.Unlock()
	for _, a := range fns {
		a.f()
	}
}

// taskKey is the context key under which a task's context holds the task.
type taskKey struct{}

// taskFromContext returns the task whose context ctx is or derives from, or
// nil when ctx belongs to no task. An executor uses it (through
// internal/groupctl) to tell which of its jobs a call comes from.
func taskFromContext(ctx context.Context) *Task {
	mustContext(ctx, "TaskFromContext")
	t, _ := ctx.Value(taskKey{}).(*Task)
	return t
}
