package flow_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/assert"
)

// TestWaitNilDoneAndDuplicates pins Wait's edge cases: a Waitable
// whose Done is nil never finishes (Wait ends with ctx's cause, no hang),
// and a task given twice is reported twice, in place.
func TestWaitNilDoneAndDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		defer func() { _ = g.Close() }()
		a := g.Go(func(context.Context) error { time.Sleep(time.Second); return nil })
		never := neverDone{}
		ctx, cancel := context.WithTimeoutCause(context.Background(), time.Minute, errBoom)
		defer cancel()
		done, pending, err := flow.Wait[flow.Waitable](ctx, flow.AllCompleted, a, never, a)
		assert.ErrorIs(t, err, errBoom)
		assert.Equal(t, []flow.Waitable{a, a}, done)
		assert.Equal(t, []flow.Waitable{never}, pending)

		done, pending, err = flow.Wait[flow.Waitable](context.Background(), flow.FirstCompleted, never, a, a)
		assert.NoError(t, err)
		assert.Equal(t, []flow.Waitable{a, a}, done)
		assert.Equal(t, []flow.Waitable{never}, pending)
	})
}

// neverDone is a Waitable that never finishes.
type neverDone struct{}

func (neverDone) Done() <-chan struct{} { return nil }

func (neverDone) Err() error { return nil }
