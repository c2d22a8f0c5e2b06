package group

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nursery-go/nursery/internal/groupctl"
	"go.uber.org/multierr"
)

// Cancel starts closing the group now: it refuses new tasks and cancels the
// contexts of all its tasks and subgroups with cause [ErrClosed]. It does
// not wait. Calling it again, or from one of the group's own tasks, is safe.
func (g *Group) Cancel() { g.cancelWith(ErrClosed, byOwner) }

// Close cancels the group like [Group.Cancel] and then waits like
// [Group.Wait], returning what Wait returns. It implements [io.Closer], is
// idempotent and safe from many goroutines, and is made for
// defer g.Close().
func (g *Group) Close() error {
	g.Cancel()
	return g.Wait()
}

// Wait blocks until no task or subgroup of the group is running, then the
// group is Closed. Idle executors and the library's own bookkeeping tasks
// (a resource Stack's) do not keep it waiting: once nothing else runs,
// they are ended as their own Wait or a graceful Shutdown would. Tasks may start new tasks while Wait waits; once the group
// is Closed it refuses new tasks. Wait does not cancel anything, and it
// waits for each subgroup until that is Closed (see [Group.Subgroup]).
//
// Wait returns every failure combined with [go.uber.org/multierr], first
// failure first, each naming its task when the task is named. When the
// group was cancelled from outside before it closed — its parent context
// or its Timeout for a root group, its parent group for a subgroup — Wait
// reports that too, as an error that matches [context.Canceled] (or
// [context.DeadlineExceeded] for a deadline) and the cause — except a stop
// the program asked for: when the first signal of cancel.NotifyShutdown or
// cancel.ShutdownOn ends the group's context, that is how the program was
// meant to end, and Wait returns nil if nothing failed (a clean Ctrl-C is
// not an error; the second signal, which stops hard, is). A subgroup's
// cancellation by its parent is not passed on to the parent as a failure:
// only its failures are. A group closed by its own Cancel or Close without
// failures, or that finished before anything cancelled it, returns nil.
// Later calls return the same.
//
// If a task panicked and the group was not made with [PanicsAsErrors], the
// first Wait (or Close or Shutdown) to return raises the [*PanicError] again
// in its own goroutine; later calls return it as an error.
//
// Called from one of the group's own tasks, Wait cannot return; it detects
// that and returns [ErrWaitInTask] instead (see "Waiting from a task" in https://github.com/nursery-go/nursery/blob/main/docs/group.md).
func (g *Group) Wait() error {
	g.beginWait()
	if _, err := g.await(nil); err != nil {
		return err
	}
	return g.outcome()
}

// Shutdown closes the group gracefully: it refuses new tasks (in subgroups
// too) and lets running tasks finish on their own. If ctx ends first, it
// cancels the remaining tasks, with ctx's cause as their contexts' cause
// (why the shutdown stopped waiting), and waits for them for the group's shutdown
// grace (one second unless set with [ShutdownGrace]). It returns what
// [Group.Wait] returns, joined with ctx's cause when it had to cancel; if
// tasks still run when the grace has passed, it returns a [*ShutdownError]
// naming each with its age instead of hanging. Those tasks stay owned by the
// group: a later Wait or Close waits for them.
func (g *Group) Shutdown(ctx context.Context) error {
	mustContext(ctx, "Group.Shutdown")
	g.lazy()
	g.drain()
	if done, err := g.await(ctx.Done()); err != nil || done {
		if err != nil {
			return err
		}
		return g.outcome()
	}
	// The graceful part is over: cancel whatever is left, then give it the
	// grace period to return. The tasks learn why from ctx's cause: when
	// ctx ends because a context above the group's own ended too (a hard
	// stop), the two cancellations race, and the cause must not depend on
	// which comes first.
	g.overdueAt.CompareAndSwap(0, int64(time.Since(g.began))+1)
	g.cancelWith(context.Cause(ctx), byOwner)
	grace, stop := context.WithTimeout(context.Background(), g.opts.grace)
	defer stop()
	done, err := g.await(grace.Done())
	var stuck []StuckTask
	if err == nil && !done {
		if stuck = g.stuck(); len(stuck) == 0 {
			// The last tasks returned as the grace ended and only their
			// bookkeeping is left: the group is about to close. Wait for it,
			// but at most one more grace: what holds a group open need not
			// be a task (an OnError handler that blocks, say).
			more, stopMore := context.WithTimeout(context.Background(), g.opts.grace)
			done, err = g.await(more.Done())
			stopMore()
			if err == nil && !done {
				stuck = g.stuck()
			}
		}
	}
	switch {
	case err != nil:
		return err
	case done:
		return combine([]error{g.outcome(), fmt.Errorf("group: shutdown cancelled the remaining tasks: %w", context.Cause(ctx))})
	}
	g.mu.Lock()
	failures := combine(g.errs)
	g.mu.Unlock()
	se := &ShutdownError{Cause: context.Cause(ctx), Stuck: stuck, Err: failures}
	if st := g.opts.stuckTrace; st != nil {
		se.Trace = st.record(se)
	}
	return se
}

// drain moves the group and its subgroups to Closing without cancelling
// anything, and makes them close once they have no task left.
func (g *Group) drain() {
	g.ctl.Or(ctlWaiting)
	g.mu.Lock()
	if !g.left {
		g.toClosingLocked(ErrClosed)
	}
	subs := g.subsLocked()
	g.finishIfDrainedLocked()
	g.unlock()
	for _, sg := range subs {
		sg.drain()
	}
}

// beginWait asks the group to close once drained, as Wait does, without
// waiting.
func (g *Group) beginWait() {
	g.lazy()
	g.ctl.Or(ctlWaiting)
	g.mu.Lock()
	g.finishIfDrainedLocked()
	g.unlock()
	g.servicesIdle()
}

// contextDone runs (through context.AfterFunc) when the group's context is
// cancelled from outside: by its parent context or its Timeout.
func (g *Group) contextDone() { g.cancelWith(context.Cause(g.ctx), byOutside) }

// cancelKind says who cancels a group, which decides what Wait reports.
type cancelKind int8

const (
	// byOwner: Cancel, Close, Shutdown. Not reported: the owner knows.
	byOwner cancelKind = iota
	// byOutside: the context given to New, or the group's Timeout. A
	// failure of the group, passed on to its parent.
	byOutside
	// byParent: the parent group, or (through internal/groupctl) an
	// executor's Cancel. Reported by Wait, not passed on to the parent,
	// which knows already, or (for an executor) was not asked.
	byParent
)

func init() {
	groupctl.CancelReported = func(g any, cause error) { g.(*Group).cancelWith(cause, byParent) }
	groupctl.Fail = func(g any, err error) { g.(*Group).failFromOutside(err) }
	groupctl.EndHeld = func(t any, err error) bool { return t.(*Task).endHeld(err) }
}

// failFromOutside records err as a failure of g that no task of g returned
// and cancels g (see groupctl.Fail).
func (g *Group) failFromOutside(err error) {
	g.lazy()
	g.mu.Lock()
	g.failLocked(err)
	g.unlock()
}

// cancelWith cancels the group and its subgroups.
func (g *Group) cancelWith(cause error, kind cancelKind) {
	g.lazy()
	g.mu.Lock()
	open := g.ctl.Load()&ctlClosed == 0 && !g.cancelled
	switch oc := g.outsideCauseLocked(); {
	case kind == byOutside:
		if oc == nil || !open {
			g.mu.Unlock()
			return
		}
		g.outsideLocked()
	case oc != nil && open:
		// The context was cancelled from outside and contextDone has not
		// run yet: this cancellation is that one, and Wait must report it.
		cause, kind = oc, byOutside
		g.outsideLocked()
	case kind == byOwner && open && g.ctx.Err() != nil:
		// The parent's cancellation reached the context first: the owner
		// closes a group that its parent is closing anyway.
		cause, kind = context.Cause(g.ctx), byParent
	}
	if g.cancelLocked(cause, kind == byOutside) && kind == byParent {
		g.report = ctxError(g.ctx)
	}
	g.finishIfDrainedLocked()
	g.unlock()
}

// outsideCauseLocked returns the cause of a cancellation of the group's
// context that came from outside the group tree (the parent context given to
// New, or the group's Timeout) and has not been handled yet.
func (g *Group) outsideCauseLocked() error {
	if g.cancelled || g.ctx.Err() == nil {
		return nil
	}
	if g.parent != nil && g.parent.ctx.Err() != nil {
		return nil // the parent closes g itself
	}
	return context.Cause(g.ctx)
}

// outsideLocked records the cancellation of the group's context from
// outside as a failure, unless its cause asks the program to stop (the
// first signal of cancel.NotifyShutdown): a stop that was asked for is how
// the program was meant to end, not a failure.
func (g *Group) outsideLocked() {
	if !errors.Is(context.Cause(g.ctx), groupctl.ErrStopRequested) {
		g.errs = append(g.errs, ctxError(g.ctx))
	}
}

// cancelLocked cancels the group's context and reports whether it did; its
// subgroups are cancelled by unlock, after g.mu is released.
func (g *Group) cancelLocked(cause error, external bool) bool {
	if g.cancelled || g.ctl.Load()&ctlClosed != 0 {
		return false
	}
	g.cancelled = true
	if !g.left {
		g.toClosingLocked(cause)
	}
	if !external && g.stopWatch != nil {
		// Our own cancellation must not look like one from outside.
		g.stopWatch()
	}
	g.cancelCtx(cause)
	end := g.ctxEnd()
	g.dropErr = ErrCanceled
	if !errors.Is(ErrCanceled, cause) {
		g.dropErr = &canceledError{err: ErrCanceled, cause: cause}
	}
	// A task admitted before this flag is set is on a list by now, or its
	// admitter sees the flag once it has pushed it (see admit).
	g.ctl.Or(ctlCanceled)
	g.eachTask(func(t *Task) {
		if t.drop() {
			// A pending task that never started: unlock accounts for it.
			g.dropped = append(g.dropped, t)
			return
		}
		t.cancelContext(end)
	})
	// Subgroups' contexts are already cancelled (they derive from ours);
	// unlock moves them to Closing too and records why.
	g.cancelSubs, g.subsCause = g.subsLocked(), cause
	return true
}

// ctxEnd says how the tasks' contexts end when the group's context has.
func (g *Group) ctxEnd() *ctxEnd {
	if g.ctx.Err() == context.DeadlineExceeded {
		return endDeadline
	}
	return endCanceled
}

// cancelLate does for t what cancelLocked does for each task it finds: t
// was admitted as the group's cancellation began, and cancelLocked may have
// walked past its place before it was pushed.
func (g *Group) cancelLate(t *Task) {
	if t.drop() {
		g.mu.Lock()
		err := g.dropErr // set before ctlCanceled, under g.mu
		g.mu.Unlock()
		g.taskDone(t, err, neverRan)
		return
	}
	t.cancelContext(g.ctxEnd())
}

// failLocked records a failure and applies the fail-fast policy.
func (g *Group) failLocked(err error) {
	g.errs = append(g.errs, err)
	if pe := panicIn(err); pe != nil && !g.opts.panicsAsErrors && g.panicked == nil {
		g.panicked = pe
	}
	g.cancelLocked(err, false)
}

// unlock releases g.mu and then does what must not run under it: cancelling
// subgroups and telling the parent that g is Closed (both lock other groups,
// and a parent may lock its children while holding its own lock).
func (g *Group) unlock() {
	subs, cause := g.cancelSubs, g.subsCause
	g.cancelSubs, g.subsCause = nil, nil
	notify := g.notify
	g.notify = false
	closeDone := g.closeDone
	g.closeDone = false
	dropped, dropErr := g.dropped, g.dropErr
	g.dropped = nil
	g.mu.Unlock()
	if closeDone {
		g.closed()
	}
	for _, t := range dropped {
		g.taskDone(t, dropErr, neverRan)
	}
	for _, sg := range subs {
		sg.cancelWith(cause, byParent)
	}
	if notify {
		g.parent.childDone(g)
	}
}

func (g *Group) toClosingLocked(cause error) {
	if g.left {
		return
	}
	g.left, g.cause = true, cause
	g.ctl.Or(ctlClosing)
	close(g.closing)
}

func (g *Group) subsLocked() []*Group {
	if len(g.subs) == 0 {
		return nil
	}
	subs := make([]*Group, 0, len(g.subs))
	for sg := range g.subs {
		subs = append(subs, sg)
	}
	return subs
}

// finishIfDrainedLocked closes the group when nothing runs in it any more
// and someone asked for it to close (Cancel, a failure, Wait or Shutdown).
func (g *Group) finishIfDrainedLocked() {
	for {
		v := g.ctl.Load()
		if v&ctlCount != 0 || v&ctlClosed != 0 || v&(ctlWaiting|ctlClosing) == 0 {
			return
		}
		// The tasks may have seen a cancellation from outside before the
		// AfterFunc watching for it has run: it must not be lost.
		if cause := g.outsideCauseLocked(); cause != nil {
			g.outsideLocked()
			g.cancelLocked(cause, true)
			continue
		}
		// Likewise a cancellation by the parent that has reached the
		// context but not yet the group: Wait reports it.
		if g.parent != nil && !g.cancelled && g.ctx.Err() != nil {
			g.cancelLocked(context.Cause(g.ctx), false)
			g.report = ctxError(g.ctx)
			continue
		}
		// Closing and Closed at once, unless a task was admitted meanwhile
		// (possible while only waiting): then it is not drained after all.
		if g.ctl.CompareAndSwap(v, v|ctlClosing|ctlClosed) {
			break
		}
	}
	g.toClosingLocked(ErrClosed)
	g.finishLocked()
}

// finishLocked makes the group Closed; unlock then tells the parent.
func (g *Group) finishLocked() {
	g.result = combine(g.errs)
	g.waited = g.result
	if g.report != nil {
		g.waited = multierr.Append(g.result, g.report)
	}
	if g.stopWatch != nil {
		g.stopWatch()
	}
	g.cancelCtx(ErrClosed) // releases the context; an earlier cause is kept
	if g.release != nil {
		g.release()
	}
	g.closeDone = true // by unlock, once the observer has heard of it
	g.notify = g.parent != nil
}

// closed reports the group Closed to its observer and wakes those waiting
// for it. unlock calls it, without the lock, after finishLocked.
func (g *Group) closed() {
	defer close(g.done) // even if the observer panics: nobody waits forever
	if g.traceTask != nil {
		g.traceTask.End()
	}
	if o := g.opts.observer; o != nil {
		o(Event{Kind: GroupClosed, Group: g, Err: g.result, Duration: time.Since(g.began)})
	}
}

// childDone accounts for a closed subgroup as one finished task of g.
func (g *Group) childDone(sg *Group) {
	err := sg.result
	if err != nil && g.opts.onError != nil && (g.opts.panicsAsErrors || panicIn(err) == nil) {
		g.opts.onError(err)
		err = nil
	}
	g.mu.Lock()
	delete(g.subs, sg)
	g.dropServiceLocked(sg)
	if err != nil {
		g.failLocked(err)
	}
	g.unlock()
	g.leave()
}

// panicIn returns the first *PanicError in err, or nil.
func panicIn(err error) *PanicError {
	var pe *PanicError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// stuck lists the tasks of g and its subgroups that are still running,
// oldest first.
func (g *Group) stuck() []StuckTask {
	var out []StuckTask
	var walk func(*Group)
	walk = func(g *Group) {
		g.eachTask(func(t *Task) {
			out = append(out, StuckTask{Task: t.path(), Age: t.age()})
		})
		g.mu.Lock()
		subs := g.subsLocked()
		g.mu.Unlock()
		for _, sg := range subs {
			walk(sg)
		}
	}
	walk(g)
	slices.SortStableFunc(out, func(a, b StuckTask) int { return int(b.Age - a.Age) })
	return out
}

type timeoutError struct {
	group string
	d     time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("group %s: timeout of %v exceeded", e.group, e.d)
}

func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }
