package droppedsubmit

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
)

func mustPanic(t *testing.T, f func()) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	f()
}

func TestMisuse(t *testing.T) {
	var g group.Group
	defer g.Close()
	ex := executor.New(&g)
	// A test of a panic drops the result on purpose: not reported.
	mustPanic(t, func() { ex.TrySubmit(nil) })
	// A task in a test is checked like any task.
	g.Go(func(ctx context.Context) error {
		ex.Submit(ctx, job) // want `the error of Submit is discarded`
		return nil
	})
}
