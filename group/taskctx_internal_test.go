package group

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// A task context's AfterFunc, which the context package calls for every
// context derived from it: stop removes exactly the callback it was given,
// and a callback registered once the context has ended runs at once.
func TestTaskContextAfterFunc(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := New(context.Background())
		got := make(chan *taskCtx, 1)
		task := g.Go(func(ctx context.Context) error {
			got <- ctx.(*taskCtx)
			<-ctx.Done()
			return ctx.Err()
		})
		tc := <-got
		var first, second, third atomic.Int32
		stopFirst := tc.AfterFunc(func() { first.Add(1) })
		stopSecond := tc.AfterFunc(func() { second.Add(1) })
		tc.AfterFunc(func() { third.Add(1) })
		require.True(t, stopFirst(), "the first callback was registered and had not run")
		require.False(t, stopFirst(), "it is gone")
		require.True(t, stopSecond())

		task.Cancel()
		synctest.Wait()
		require.Zero(t, first.Load(), "a stopped callback never runs")
		require.Zero(t, second.Load())
		require.EqualValues(t, 1, third.Load(), "the one left runs once")

		var late atomic.Int32
		stopLate := tc.AfterFunc(func() { late.Add(1) })
		synctest.Wait()
		require.EqualValues(t, 1, late.Load(), "registered after the end: runs at once")
		require.False(t, stopLate())
		require.NoError(t, g.Close())
	})
}

// A callback registered on a task's context whose Done channel nobody
// asked for runs when the task ends: ending the context by the task's final
// state alone (Task.wake) must not skip it.
func TestTaskContextAfterFuncRunsWhenTheTaskEnds(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := New(context.Background())
		got := make(chan *taskCtx, 1)
		finish := make(chan struct{})
		task := g.Go(func(ctx context.Context) error {
			got <- ctx.(*taskCtx)
			<-finish // not ctx.Done(): no Done channel is made
			return nil
		})
		tc := <-got
		var ran atomic.Int32
		tc.AfterFunc(func() { ran.Add(1) })
		require.Nil(t, task.ctxDone.Load(), "no Done channel was asked for")
		close(finish)
		<-task.Done()
		synctest.Wait()
		require.EqualValues(t, 1, ran.Load())
		require.NoError(t, g.Close())
	})
}
