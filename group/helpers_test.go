package group_test

import (
	"context"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// bound is how long a test waits for something that must happen promptly.
// It only turns a hang into a failure; no test depends on it for timing.
const bound = 10 * time.Second

// recv fails the test unless ch is closed within bound.
func recv(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(bound):
		require.FailNow(t, "timed out waiting for "+what)
	}
}

// notClosed fails the test if ch is closed now.
func notClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
		require.FailNow(t, what+" is closed too early")
	default:
	}
}

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

// catch runs f and returns what it panicked with, or nil.
func catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
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
