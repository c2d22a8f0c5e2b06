package flow

import (
	"context"
	"reflect"
	"strconv"
)

// A Waitable is something Wait can wait for: *group.Task and
// *group.Future[T] are Waitables.
type Waitable interface {
	// Done returns a channel closed when it has finished; nil means never.
	Done() <-chan struct{}
	// Err returns its error once it has finished.
	Err() error
}

// ReturnWhen says when [Wait] returns.
type ReturnWhen int

const (
	// AllCompleted: when every Waitable has finished.
	AllCompleted ReturnWhen = iota
	// FirstCompleted: when any Waitable has finished.
	FirstCompleted
	// FirstError: when any Waitable has finished with an error, or when
	// all have finished.
	FirstError
)

// String returns the constant's name.
func (w ReturnWhen) String() string {
	switch w {
	case AllCompleted:
		return "AllCompleted"
	case FirstCompleted:
		return "FirstCompleted"
	case FirstError:
		return "FirstError"
	}
	return "ReturnWhen(" + strconv.Itoa(int(w)) + ")"
}

// Wait waits for tasks that are already running until when says, and splits
// them into those that have finished and those that have not, each in the
// order given. Wait starts nothing and cancels nothing: the pending tasks go
// on in their groups, which own them. To run functions with a limit and wait
// for them, start them with executor.Async (or group.Async) first.
//
// Whatever when says, the done list holds every task finished at the moment
// Wait returns, so FirstCompleted may report more than one. If ctx ends
// first, Wait returns the split at that moment with context.Cause(ctx).
// With no tasks, Wait returns at once.
//
// Wait checks the tasks' Done channels together, which costs time in
// proportion to their number each time one finishes: it is meant for tens of
// tasks, not millions (use an executor's Map or Each for those).
//
// Wait panics if when is not one of the constants or a task is nil.
func Wait[W Waitable](ctx context.Context, when ReturnWhen, tasks ...W) (done, pending []W, err error) {
	mustContext(ctx, "Wait")
	if when < AllCompleted || when > FirstError {
		panic("flow: Wait with an unknown ReturnWhen")
	}
	for _, t := range tasks {
		if v := reflect.ValueOf(t); !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
			panic("flow: Wait with a nil task")
		}
	}
	split := func() ([]W, []W) {
		done, pending = nil, nil
		for _, t := range tasks {
			if isDone(t.Done()) {
				done = append(done, t)
			} else {
				pending = append(pending, t)
			}
		}
		return done, pending
	}
	// cases holds ctx's Done channel first, then those of the tasks not yet
	// seen finished.
	cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}}
	var watched []W
	for _, t := range tasks {
		if isDone(t.Done()) {
			if when == FirstCompleted || when == FirstError && t.Err() != nil {
				done, pending = split()
				return done, pending, nil
			}
			continue
		}
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(t.Done())})
		watched = append(watched, t)
	}
	for len(watched) > 0 {
		if ctx.Err() != nil {
			break
		}
		i, _, _ := reflect.Select(cases)
		if i == 0 {
			break
		}
		t := watched[i-1]
		if when == FirstCompleted || when == FirstError && t.Err() != nil {
			break
		}
		cases = append(cases[:i], cases[i+1:]...)
		watched = append(watched[:i-1], watched[i:]...)
	}
	done, pending = split()
	if len(pending) > 0 && ctx.Err() != nil && !decidedBy(when, done) {
		return done, pending, context.Cause(ctx)
	}
	return done, pending, nil
}

// decidedBy reports whether the finished tasks done satisfy when.
func decidedBy[W Waitable](when ReturnWhen, done []W) bool {
	switch when {
	case FirstCompleted:
		return len(done) > 0
	case FirstError:
		for _, t := range done {
			if t.Err() != nil {
				return true
			}
		}
	}
	return false
}

// isDone reports whether ch is closed; a nil ch never is.
func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
