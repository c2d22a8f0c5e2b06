package cancel

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// NotifyShutdown returns two contexts for a program's two-step shutdown: the
// first of sigs received ends graceful, with a [*SignalError] naming the
// signal as its cause, so the program starts closing in order; a second one
// ends hard, which graceful derives from, so whatever still runs is
// cancelled for good. After the second signal the signals are no longer
// diverted: a third one has its default effect and, for SIGINT and SIGTERM,
// kills the program.
//
// The first signal is a stop the program asked for: a group made with
// graceful as its context ([github.com/nursery-go/nursery/group.New])
// returns nil from Wait when nothing failed, so that a clean Ctrl-C needs
// no errors.Is filter in main. The second is reported (its SignalError has
// Hard set).
//
// With no sigs, NotifyShutdown listens for [os.Interrupt] and
// [syscall.SIGTERM] (not every signal, as [signal.Notify] would). It does
// not block: one goroutine watches the signals.
//
// The stop func releases everything: it unregisters the signals (see
// [signal.Stop]), ends both contexts with [context.Canceled] if they have
// not ended yet, and blocks until the goroutine that watches the signals
// has returned. Call it when done (defer stop()). It is idempotent and safe
// for concurrent use. When ctx ends, both contexts end with its cause and
// the goroutine returns by itself; stop is still needed to wait for it.
//
// For a shutdown with a single step, [signal.NotifyContext] suffices: since
// Go 1.26 its context's cause names the signal too.
func NotifyShutdown(ctx context.Context, sigs ...os.Signal) (graceful, hard context.Context, stop func()) {
	mustContext(ctx, "NotifyShutdown")
	if len(sigs) == 0 {
		sigs = []os.Signal{os.Interrupt, syscall.SIGTERM}
	}
	// Buffered for both signals acted on, so that two quick presses of
	// Ctrl-C arriving before the goroutine runs are both kept: package
	// signal drops what does not fit rather than block.
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, sigs...)
	return watch(ctx, ch, func() { signal.Stop(ch) })
}

// ShutdownOn is [NotifyShutdown] with the signals read from a channel
// instead of registered with the operating system: the first value
// received from signals ends graceful, the second ends hard. It lets a
// program test its shutdown path without sending signals to itself, and
// lets signals come from elsewhere (a control socket, an admin command).
//
// ShutdownOn never closes signals. If signals is closed, no later step
// happens; the contexts then end only with ctx or stop. stop behaves as
// described at NotifyShutdown, without the unregistering.
func ShutdownOn(ctx context.Context, signals <-chan os.Signal) (graceful, hard context.Context, stop func()) {
	mustContext(ctx, "ShutdownOn")
	return watch(ctx, signals, func() {})
}

// watch starts the one goroutine behind NotifyShutdown and ShutdownOn. The
// goroutine calls release (signal.Stop) when it returns, which it does
// after the second signal, when signals is closed, or when hard ends (ctx
// ended or stop was called); stop waits for it, so it is owned.
func watch(ctx context.Context, signals <-chan os.Signal, release func()) (graceful, hard context.Context, stop func()) {
	hard, stopHard := context.WithCancelCause(ctx)
	// graceful derives from hard: a hard stop is also a graceful one.
	graceful, stopGraceful := context.WithCancelCause(hard)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		defer release()
		for i, end := range []context.CancelCauseFunc{stopGraceful, stopHard} {
			select {
			case sig, ok := <-signals:
				if !ok {
					return // no more signals can come: nothing left to do.
				}
				end(&SignalError{Signal: sig, Hard: i == 1})
			case <-hard.Done():
				// ctx ended or stop was called: both contexts are done.
				return
			}
		}
	}()
	stop = func() {
		// Cancelling twice is harmless and a closed channel can be received
		// from any number of times, so stop needs no sync.Once.
		stopHard(context.Canceled)
		<-exited
	}
	return graceful, hard, stop
}
