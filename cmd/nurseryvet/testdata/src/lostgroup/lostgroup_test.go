package lostgroup

import (
	"context"
	"testing"

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

func TestNewPanics(t *testing.T) {
	// A test of New's panics drops the group on purpose: not reported.
	mustPanic(t, func() { group.New(nil) })
}

func TestTask(t *testing.T) {
	var g group.Group
	defer g.Close()
	g.Go(func(ctx context.Context) error {
		group.New(ctx) // want `the group made by group.New is discarded`
		return nil
	})
}
