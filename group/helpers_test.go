package group_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
)

// blockUntilCancelled is a task body that waits for its context.
func blockUntilCancelled(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// quietPanics keeps expected panics out of the test log and collects them.
func quietPanics(into chan<- *group.PanicError) group.Option {
	return group.OnPanic(func(pe *group.PanicError) {
		if into != nil {
			into <- pe
		}
	})
}

// started returns a task body that closes ch when it starts, then blocks
// until its context is cancelled.
func started(ch chan struct{}) func(context.Context) error {
	return func(ctx context.Context) error {
		close(ch)
		<-ctx.Done()
		return ctx.Err()
	}
}

func recvTimeout() <-chan time.Time { return time.After(bound) }

// The bounded waits and panic catching shared with other packages' tests.
const bound = testkit.Bound

var (
	recv      = testkit.Recv
	notClosed = testkit.NotClosed
	catch     = testkit.Catch
)

// Bounded forms of the blocking calls the tests make on their own
// goroutine: each fails the test with every goroutine's stack after bound
// instead of hanging until go test's timeout. A panic raised by the call
// (Wait and Close raise a task's panic) is raised again here, so that
// catch sees it as before.

// wait is g.Wait, bounded.
func wait(t testing.TB, g interface{ Wait() error }) (err error) {
	t.Helper()
	if v := testkit.Within(t, "Wait", func() { err = g.Wait() }); v != nil {
		panic(v)
	}
	return err
}

// closeAndWait is g.Close, bounded.
func closeAndWait(t testing.TB, g interface{ Close() error }) (err error) {
	t.Helper()
	if v := testkit.Within(t, "Close", func() { err = g.Close() }); v != nil {
		panic(v)
	}
	return err
}

// result is f.Result, bounded.
func result[T any](t testing.TB, f *group.Future[T]) (v T, err error) {
	t.Helper()
	testkit.Within(t, "Future.Result", func() { v, err = f.Result() })
	return v, err
}

// waitAll is wg.Wait, bounded.
func waitAll(t testing.TB, wg *sync.WaitGroup) {
	t.Helper()
	testkit.Within(t, "WaitGroup.Wait", wg.Wait)
}

// take receives one value from ch, bounded.
func take[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	return testkit.Receive(t, ch, "a value")
}
