package resource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/group"
)

// Exit codes returned by [Run]. A hard stop by a second signal returns 128
// plus the signal's number instead, as a shell reports a process killed by
// that signal (130 for SIGINT, 143 for SIGTERM).
const (
	// ExitOK: main returned nil, or the program was stopped by a signal,
	// and the shutdown finished within its deadline with no failure.
	ExitOK = 0
	// ExitFailure: main or a task failed or panicked, or Run's context
	// ended.
	ExitFailure = 1
	// ExitTimeout: the graceful shutdown did not finish within its
	// deadline, or a resource's close spent its budget and cut off work
	// it had accepted (a [*CutOffError]): the remaining tasks were
	// cancelled, or some still ran after that; they are named on the
	// output. Other failures outrank it.
	ExitTimeout = 3
)

// Run runs a program's main function inside a root group, handles the
// shutdown signals, and returns the exit code for [os.Exit]. It blocks until
// the program has ended:
//
//	func main() {
//		os.Exit(resource.Run(context.Background(), run))
//	}
//
// The root group is named "main", made with [group.PanicsAsErrors] and
// carries a [Stack]; main runs as its task "main" and gets the Stack, to
// open resources into, register close hooks on and start tasks and
// supervised jobs in. main's context ends at the first signal or when the
// root group fails; main returning that context's error or cause then is
// not a failure. The shutdown starts at the same moment, without waiting
// for main to return: main is one more task that the shutdown waits for.
//
// The program ends when main returns, when the root group fails (fail
// fast), or at the first signal (SIGINT or SIGTERM, or see [Signals]).
// Run then shuts the root group down with [group.Group.Shutdown] and a
// deadline of [ShutdownTimeout]: it refuses new tasks, the Stack closes
// its resources and hooks in reverse order, each resource gracefully
// within its budget (see [Open] and "Shutdown" in https://github.com/nursery-go/nursery/blob/main/docs/resource.md),
// supervised jobs and servers stop, and other tasks may finish. When the
// deadline passes, what still runs is cancelled, and so is the context of
// the close hook or resource closing then; the hooks and resources whose
// turn had not come run at once, each with an ended context, so that each
// still runs before Run returns. A second signal does all that at once (a
// hard stop); a third has its default effect and kills the process.
//
// The exit code says how it ended: [ExitOK], [ExitFailure], [ExitTimeout],
// or 128 plus the signal's number after a hard stop. Failures and the
// reason for the shutdown are written to [Output], and so is the
// straggler report: one line for each task, request or queued item that a
// resource's close cut off (see [CutOffError]), with the resource, how
// long it had run and the budget, such as
//
//	resource: cut off: request GET /slow in http 127.0.0.1:8080 after 8s (budget 8s)
//
// If tasks still run after the deadline and the group's shutdown grace,
// Run reports them and returns without waiting for them, so that the
// process can exit: their goroutines end with it. In every other case
// nothing Run started is running when it returns. If ctx ends, the program
// is stopped hard and Run returns ExitFailure.
//
// Run panics if ctx, main or an option is nil.
func Run(ctx context.Context, main func(ctx context.Context, s *Stack) error, opts ...Option) int {
	if ctx == nil || main == nil {
		panic("resource: Run with nil context or main")
	}
	o := options{shutdownTimeout: defaultShutdownTimeout, closeTimeout: defaultCloseTimeout, out: os.Stderr}
	apply("Run", &o, opts)
	var graceful, hard context.Context
	var stop func()
	if o.signals != nil {
		graceful, hard, stop = cancel.ShutdownOn(ctx, o.signals)
	} else {
		graceful, hard, stop = cancel.NotifyShutdown(ctx)
	}
	defer stop()

	root := group.New(hard, group.Name("main"), group.PanicsAsErrors())
	// Close hooks hurry when the shutdown deadline passes or a second
	// signal comes (see Stack).
	hurry, hurryNow := context.WithCancelCause(context.Background())
	defer hurryNow(nil)
	s, err := NewStack(root, hurryOn(hurry), CloseTimeout(o.closeTimeout))
	if err != nil {
		// Only when hard had ended already, so the root group never opened:
		// Run's ctx had ended, or two signals came before this point.
		closeErr := root.Close()
		if code, ok := hardStop(o.out, hard); ok {
			return code
		}
		// As the root group reports it when hard ends a moment later
		// (hard may end after ctx, on another goroutine): the end with
		// its cause.
		if closeErr == nil {
			closeErr = context.Cause(hard)
		}
		fmt.Fprintf(o.out, "resource: %v\n", closeErr)
		return ExitFailure
	}
	mainTask := root.Go(func(ctx context.Context) error {
		mctx, stopMain := context.WithCancelCause(ctx)
		defer stopMain(nil)
		// graceful ends at the first signal, which does not cancel the
		// root group's tasks (Shutdown lets them finish) but must end main.
		defer context.AfterFunc(graceful, func() { stopMain(context.Cause(graceful)) })()
		err := main(mctx, s)
		if err != nil && ctx.Err() == nil && graceful.Err() != nil &&
			(errors.Is(err, mctx.Err()) || errors.Is(err, context.Cause(mctx))) {
			return nil // main answered the signal
		}
		return err
	}, group.Name("main"))

	select {
	case <-mainTask.Done():
	case <-root.Closing():
	case <-graceful.Done():
		fmt.Fprintf(o.out, "resource: %v: shutting down (deadline %v)\n", context.Cause(graceful), o.shutdownTimeout)
	}
	limit := &cancel.TimeoutError{Name: "shutdown", Limit: o.shutdownTimeout}
	sctx, stopShutdown := context.WithTimeoutCause(hard, o.shutdownTimeout, limit)
	defer stopShutdown()
	defer context.AfterFunc(sctx, func() { hurryNow(context.Cause(sctx)) })()
	err = root.Shutdown(sctx)

	var failures error
	// Shutdown's error holds the deadline's cause only if it had to cancel.
	timedOut := errors.Is(err, limit)
	var se *group.ShutdownError
	if errors.As(err, &se) {
		failures, timedOut = se.Err, true
		for _, t := range se.Stuck {
			fmt.Fprintf(o.out, "resource: task %s still running after %v\n", t.Task, t.Age.Round(time.Millisecond))
		}
	} else {
		failures = root.Wait() // Closed: returns at once, without the shutdown's note
	}
	// The straggler report: what each graceful close cut off.
	for _, c := range cutOffs(failures) {
		for _, t := range c.CutOff {
			fmt.Fprintf(o.out, "resource: cut off: %s in %s after %v (%s)\n", t.Task, c.Resource, t.Age.Round(time.Millisecond), c.why())
		}
	}
	if failures != nil {
		fmt.Fprintf(o.out, "resource: %v\n", failures)
	}
	if code, ok := hardStop(o.out, hard); ok {
		return code
	}
	switch {
	case hard.Err() != nil:
		// Run's ctx ended. The root group reports that as a failure unless
		// the shutdown had cancelled it first.
		if failures == nil {
			fmt.Fprintf(o.out, "resource: stopped: %v\n", context.Cause(hard))
		}
		return ExitFailure
	case failures != nil && !onlyCutOffs(failures):
		return ExitFailure
	case failures != nil:
		return ExitTimeout // work was cut off, and that is all that went wrong
	case timedOut:
		fmt.Fprintf(o.out, "resource: shutdown deadline of %v passed\n", o.shutdownTimeout)
		return ExitTimeout
	}
	return ExitOK
}

// hardStop reports the exit code of a hard stop by a second signal, if
// that is how hard ended: 128 plus the signal's number.
func hardStop(out io.Writer, hard context.Context) (int, bool) {
	var sig *cancel.SignalError
	if !errors.As(context.Cause(hard), &sig) {
		return 0, false
	}
	fmt.Fprintf(out, "resource: %v: stopped hard\n", sig)
	if n, ok := sig.Signal.(syscall.Signal); ok {
		return 128 + int(n), true
	}
	return 128 + int(syscall.SIGINT), true
}
