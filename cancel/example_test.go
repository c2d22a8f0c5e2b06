package cancel_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"go.uber.org/multierr"

	"github.com/nursery-go/nursery/cancel"
)

// conn stands for a resource whose release needs a working context.
type conn struct{ name string }

func (c *conn) Close(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("close %s: %w", c.name, err)
	}
	fmt.Println("closed", c.name)
	return nil
}

// A task releases its connection on the way out, even when it was
// cancelled: the release gets a context that still works (hat.aio's
// `finally: await uncancellable(free_resource(resource))`).
func ExampleShield() {
	task := func(ctx context.Context) (err error) {
		c := &conn{name: "db"}
		defer func() {
			// Ignore: the task reports its own cancellation below, once.
			err = multierr.Append(err, cancel.Shield(ctx, c.Close, cancel.Ignore()))
		}()
		<-ctx.Done() // the task's work, until its owner cancels it
		return context.Cause(ctx)
	}

	ctx, stop := context.WithCancelCause(context.Background())
	stop(errors.New("shutting down"))
	fmt.Println(task(ctx))
	// Output:
	// closed db
	// shutting down
}

// The caller is cancelled while a commit runs: the commit completes, its
// result is handed back, and the cancellation is reported after it.
func ExampleShieldValue() {
	ctx, stop := context.WithCancelCause(context.Background())
	id, err := cancel.ShieldValue(ctx, func(ctx context.Context) (int, error) {
		stop(errors.New("shutting down"))
		return 42, ctx.Err() // nil: the commit's context is not cancelled
	})
	fmt.Println(id, err)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// 42 context canceled: shutting down
	// true
}

// A flush that waits for a server that never answers cannot hang the
// shutdown past its grace period.
func ExampleGrace() {
	ctx, stop := context.WithCancel(context.Background())
	stop()
	err := cancel.Shield(ctx, func(ctx context.Context) error {
		<-ctx.Done() // the flush, waiting for an answer
		return ctx.Err()
	}, cancel.Grace(10*time.Millisecond), cancel.Ignore())
	fmt.Println(err)
	fmt.Println(errors.Is(err, cancel.ErrGraceExceeded), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// cancel: shield grace period exceeded (10ms)
	// true true
}

func ExampleIgnore() {
	ctx, stop := context.WithCancel(context.Background())
	stop()
	release := func(context.Context) error { return nil }
	fmt.Println(cancel.Shield(ctx, release))
	fmt.Println(cancel.Shield(ctx, release, cancel.Ignore()))
	// Output:
	// context canceled
	// <nil>
}

func ExampleOnCancel() {
	ctx, stop := context.WithCancelCause(context.Background())
	body := cancel.OnCancel(func(ctx context.Context) error {
		fmt.Println("cancelled:", context.Cause(ctx))
		return nil
	})

	var wg sync.WaitGroup
	wg.Go(func() { _ = body(ctx) }) // as a group's Go would run it
	stop(errors.New("closing"))
	wg.Wait()
	// Output: cancelled: closing
}

func ExampleOnDone() {
	ready := make(chan struct{})
	body := cancel.OnDone(ready, func(ctx context.Context) error {
		fmt.Println("ready: serving")
		return nil
	})

	var wg sync.WaitGroup
	wg.Go(func() { _ = body(context.Background()) }) // as a group's Go would run it
	fmt.Println("starting")
	close(ready)
	wg.Wait()
	// Output:
	// starting
	// ready: serving
}

func ExampleTimeout() {
	err := cancel.Timeout(context.Background(), "fetch", 10*time.Millisecond, func(ctx context.Context) error {
		<-ctx.Done() // a fetch from a server that does not answer
		return ctx.Err()
	})
	var te *cancel.TimeoutError
	fmt.Println(err)
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.As(err, &te) && te.Name == "fetch")
	// Output:
	// cancel: fetch: timeout of 10ms exceeded
	// true true
}

func ExampleTimeoutValue() {
	addr, err := cancel.TimeoutValue(context.Background(), "lookup", time.Second, func(ctx context.Context) (string, error) {
		return "10.0.0.1", nil // a lookup that answers in time
	})
	fmt.Println(addr, err)
	// Output: 10.0.0.1 <nil>
}

// paco's TimeoutLimit, a limit on a block of code, is the standard library's
// context.WithTimeoutCause; a TimeoutError as its cause names the limit.
func ExampleTimeoutError() {
	limit := 10 * time.Millisecond
	ctx, stop := context.WithTimeoutCause(context.Background(), limit, &cancel.TimeoutError{Name: "db", Limit: limit})
	defer stop()
	<-ctx.Done() // the block of code, running until the limit
	fmt.Println(context.Cause(ctx))
	// Output: cancel: db: timeout of 10ms exceeded
}

func ExampleNewScope() {
	s := cancel.NewScope(context.Background(), time.Now().Add(time.Hour))
	defer s.Cancel()

	// The work under s.Context() makes progress: give it more time.
	s.Extend(30 * time.Minute)
	deadline, _ := s.Deadline()
	fmt.Println(time.Until(deadline).Round(time.Minute))

	// Now it is stuck: end it.
	s.SetDeadline(time.Now())
	fmt.Println(s.Expired(), context.Cause(s.Context()))
	// Output:
	// 1h30m0s
	// true cancel: scope deadline exceeded
}

func ExampleScope_Cancel() {
	s := cancel.NewScope(context.Background(), time.Now().Add(time.Hour))
	s.Cancel()
	fmt.Println(s.Canceled(), s.Expired(), s.Context().Err())
	// Output: true false context canceled
}

// A program's main: serve until the first Ctrl-C, then shut down in order,
// giving up on what is left at the second.
func ExampleNotifyShutdown() {
	graceful, hard, stop := cancel.NotifyShutdown(context.Background())
	defer stop()

	// run(graceful) would serve here until <-graceful.Done(), then close
	// its groups with hard as the deadline: srv.Shutdown(hard).
	fmt.Println(graceful.Err(), hard.Err())
	// Output: <nil> <nil>
}

// A test of a program's shutdown path sends the signals itself.
func ExampleShutdownOn() {
	signals := make(chan os.Signal)
	graceful, hard, stop := cancel.ShutdownOn(context.Background(), signals)
	defer stop()

	signals <- os.Interrupt // the first Ctrl-C
	<-graceful.Done()
	fmt.Println("graceful:", context.Cause(graceful), "/ hard:", hard.Err())

	signals <- os.Interrupt // the second Ctrl-C
	<-hard.Done()
	fmt.Println("hard:", context.Cause(hard))
	// Output:
	// graceful: cancel: received signal interrupt / hard: <nil>
	// hard: cancel: received signal interrupt
}
