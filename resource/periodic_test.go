package resource_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

func TestSupervisedInterval_runsOnTheGrid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		sv := resource.Supervise(g, "tick", call.Interval(time.Second, func(context.Context) error {
			st.add()
			return nil
		}), resource.Spec{})

		time.Sleep(3500 * time.Millisecond)
		synctest.Wait()
		require.Equal(t, ms(1000, 2000, 3000), st.get())
		require.NoError(t, g.Close())
		require.NoError(t, sv.Err())
	})
}

func TestSupervisedInterval_skipsOverlappingTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		resource.Supervise(g, "tick", call.Interval(time.Second, func(ctx context.Context) error {
			if st.add() == 2 {
				time.Sleep(2500 * time.Millisecond)
			}
			return nil
		}), resource.Spec{})

		time.Sleep(6500 * time.Millisecond)
		synctest.Wait()
		// The run at 2s ends at 4.5s; the ticks at 3s and 4s are skipped,
		// not queued, and the grid is kept.
		require.Equal(t, ms(1000, 2000, 5000, 6000), st.get())
		require.NoError(t, g.Close())
	})
}

func TestSupervisedInterval_failureRestartsWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		sv := resource.Supervise(g, "tick", call.Interval(time.Second, func(context.Context) error {
			switch st.add() {
			case 2:
				return errFlaky
			case 4:
				return resource.ErrStop
			}
			return nil
		}), resource.Spec{Backoff: call.Backoff{Base: 500 * time.Millisecond, Max: time.Second, NoJitter: true}})
		<-sv.Done()
		// Ticks at 1s and 2s; 2s fails; restart after 500ms, at 2.5s, and
		// the ticks count again from there.
		require.Equal(t, ms(1000, 2000, 3500, 4500), st.get())
		require.NoError(t, sv.Err())
		require.Equal(t, int64(1), sv.Stats().Restarts)
		require.NoError(t, g.Close())
	})
}

func TestSupervisedInterval_stopsOnGracefulShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		inRun := make(chan struct{})
		var cause error
		sv := resource.Supervise(g, "tick", call.Interval(time.Second, func(ctx context.Context) error {
			close(inRun)
			<-ctx.Done()
			cause = context.Cause(ctx)
			return cause
		}), resource.Spec{})

		<-inRun
		start := time.Now()
		require.NoError(t, g.Shutdown(context.Background()))
		require.Equal(t, start, time.Now())
		require.ErrorIs(t, cause, group.ErrCanceled)
		require.NoError(t, sv.Err())
	})
}

func TestAfter_runsOnceAfterTheDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		task := resource.After(g, "later", 2*time.Second, func(context.Context) error {
			st.add()
			return nil
		})
		<-task.Done()
		require.Equal(t, ms(2000), st.get())
		require.Equal(t, group.Succeeded, task.State())
		require.Equal(t, "later", task.Name())
		require.NoError(t, g.Close())
	})
}

func TestAfter_zeroRunsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		task := resource.After(g, "now", 0, func(context.Context) error {
			st.add()
			return nil
		})
		<-task.Done()
		require.Equal(t, ms(0), st.get())
		require.NoError(t, g.Close())
	})
}

func TestAfter_abandonedWhenTheGroupCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		task := resource.After(g, "later", time.Hour, func(context.Context) error {
			t.Error("a delayed start ran after its group closed")
			return nil
		})
		start := time.Now()
		require.NoError(t, g.Shutdown(context.Background()))
		require.Equal(t, start, time.Now(), "Shutdown did not wait for the delay")
		require.NoError(t, task.Err())
	})
}

func TestAfter_cancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		defer g.Close()
		task := resource.After(g, "later", time.Hour, func(context.Context) error { return errors.New("ran") })
		task.Cancel()
		<-task.Done()
		require.Equal(t, group.Canceled, task.State())
		require.ErrorIs(t, task.Err(), group.ErrCanceled)
	})
}

func TestAfter_badInput(t *testing.T) {
	g := group.New(context.Background())
	defer g.Close()
	fn := func(context.Context) error { return nil }
	const want = "resource: After needs a group, a function and a delay of at least 0"
	require.PanicsWithValue(t, want, func() { resource.After(nil, "x", 0, fn) })
	require.PanicsWithValue(t, want, func() { resource.After(g, "x", 0, nil) })
	require.PanicsWithValue(t, want, func() { resource.After(g, "x", -1, fn) })
}

// Pins behaviour: Every keeps to its grid and never overlaps a slow run.
func TestSupervisedInterval_slowRunKeepsTheGrid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		start := time.Now()
		var mu sync.Mutex
		var at []time.Duration
		var running atomic.Int32
		resource.Supervise(g, "tick", call.Interval(10*time.Second, func(ctx context.Context) error {
			if running.Add(1) != 1 {
				return errors.New("overlap")
			}
			defer running.Add(-1)
			mu.Lock()
			at = append(at, time.Since(start))
			n := len(at)
			mu.Unlock()
			if n == 2 {
				time.Sleep(25 * time.Second)
			}
			return nil
		}), resource.Spec{})

		time.Sleep(75 * time.Second)
		require.NoError(t, g.Close())
		require.Equal(t, []time.Duration{10 * time.Second, 20 * time.Second, 50 * time.Second, 60 * time.Second, 70 * time.Second}, at)
	})
}
