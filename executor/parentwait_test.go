package executor_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// A parent whose owner waits, and whose other tasks have ended, has nobody
// left to give its executor work: an executor nobody waited for then ends
// as its Wait would, instead of keeping the parent's Wait forever. (Inside
// the bubble, a Wait that never returned would fail the test as a
// deadlock.)
func TestForgottenExecutorLetsTheParentFinish(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		var ran atomic.Int32
		job := func(context.Context) error {
			time.Sleep(10 * time.Millisecond)
			ran.Add(1)
			return nil
		}
		for range 5 {
			_, err := ex.Submit(context.Background(), job)
			require.NoError(t, err)
		}
		// A task of the parent submits after the executor went idle and
		// the parent began to wait: the executor must still take it.
		g.Go(func(ctx context.Context) error {
			time.Sleep(time.Second)
			for range 3 {
				if _, err := ex.Submit(ctx, job); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, g.Wait())
		require.Equal(t, int32(8), ran.Load(), "every job ran")
		require.Equal(t, group.Closed, ex.Group().State())
		require.NoError(t, ex.Wait(), "a later Wait returns what the executor ended with")
	})
}

// An executor that still runs a job, or has a task of its own, keeps the
// parent waiting until it is done; then the parent finishes.
func TestBusyExecutorKeepsTheParentUntilDone(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g)
		release := make(chan struct{})
		_, err := ex.Submit(context.Background(), func(context.Context) error { <-release; return nil })
		require.NoError(t, err)
		own := ex.Group().Go(func(context.Context) error { time.Sleep(time.Minute); return nil })
		waited := make(chan error, 1)
		go func() { waited <- g.Wait() }()
		synctest.Wait()
		select {
		case <-waited:
			t.Fatal("the parent finished while its executor had a job running")
		default:
		}
		close(release)
		synctest.Wait()
		require.Equal(t, group.Open, ex.Group().State(), "a task of the executor's group still runs")
		require.NoError(t, <-waited)
		require.Equal(t, group.Succeeded, own.State())
	})
}

// The Finish hook's task in the parent ends with the executor, so it does
// not keep the parent either.
func TestForgottenExecutorWithAFinishHook(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		finished := make(chan struct{})
		ex := executor.New(g, executor.Observe(executor.Hooks{Finish: func() { close(finished) }}))
		_, err := ex.Submit(context.Background(), func(context.Context) error { return nil })
		require.NoError(t, err)
		require.NoError(t, g.Wait())
		<-finished
	})
}
