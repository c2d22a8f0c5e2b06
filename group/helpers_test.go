package group_test

import (
	"context"
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
