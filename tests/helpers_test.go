package tests

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
)

// bound is how long a test waits for something that must happen promptly.
// It only turns a hang into a failure.
const bound = testkit.Bound

var catch = testkit.Catch

// quiet is a panic hook that keeps expected panics out of the test log.
var quiet = group.OnPanic(func(*group.PanicError) {})

// within runs f in a goroutine and fails the test if it has not returned
// within bound, so that a call that hangs is reported instead of hanging
// the test binary. It returns what f panicked with, or nil. f must not call
// t.FailNow.
func within(t *testing.T, what string, f func()) (panicked any) {
	t.Helper()
	done := make(chan any, 1) // one send, never blocks
	go func() { done <- catch(f) }()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case v := <-done:
		return v
	case <-timer.C:
		t.Fatalf("%s: still blocked after %v (a hang)", what, bound)
		return nil
	}
}

// leaves calls visit for each error at the bottom of err's tree: it descends
// through Unwrap() []error (multierr, errors.Join, *group.ShutdownError) and
// Unwrap() error (wrapping, names), but stops at a *group.PanicError, whose
// Unwrap gives the panic value, and at errors of this package's own types.
func leaves(err error, visit func(error)) {
	if err == nil {
		return
	}
	switch x := err.(type) {
	case *group.PanicError, *failError:
		visit(err)
	case interface{ Unwrap() []error }:
		for _, e := range x.Unwrap() {
			leaves(e, visit)
		}
	default:
		if u := errors.Unwrap(err); u != nil {
			leaves(u, visit)
			return
		}
		visit(err)
	}
}

// failError is the error a task is told to fail with; id names the task.
type failError struct{ id int }

func (e *failError) Error() string { return "told to fail: task " + strconv.Itoa(e.id) }

// panicValue is what a task told to panic panics with.
type panicValue struct{ id int }
