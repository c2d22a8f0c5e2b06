package resource_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

// A job of a subtree that escalates restarts the whole subtree; the
// subtree escalates in turn when it fails too often.
func TestTree_escalationRestartsTheSubtree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		a, b := newStarts(), newStarts()
		bStopped := 0
		sv := resource.Supervise(g, "tree", resource.Tree(func(sub *group.Group) {
			resource.Supervise(sub, "a", func(ctx context.Context) error {
				a.add()
				time.Sleep(100 * time.Millisecond)
				return errFlaky
			}, resource.Spec{Threshold: 0.5}) // escalates at its first failure
			resource.Supervise(sub, "b", func(ctx context.Context) error {
				b.add()
				<-ctx.Done()
				bStopped++
				return ctx.Err()
			}, resource.Spec{})
		}), resource.Spec{Backoff: call.Backoff{Base: time.Second, Max: time.Second, NoJitter: true}, Threshold: 2, Decay: time.Hour})
		<-sv.Done()
		// Three runs of the subtree, 100ms each, 1s apart; the third
		// failure takes the tree's count to 3 > 2.
		require.Equal(t, ms(0, 1100, 2200), a.get())
		require.Equal(t, ms(0, 1100, 2200), b.get())
		require.Equal(t, 3, bStopped, "b is stopped each time a escalates")
		var outer *resource.IntensityError
		require.ErrorAs(t, sv.Err(), &outer)
		require.Equal(t, "tree", outer.Job)
		var inner *resource.IntensityError
		require.ErrorAs(t, outer.Err, &inner)
		require.Equal(t, "a", inner.Job)
		require.ErrorIs(t, g.Wait(), errFlaky)
	})
}

// Closing the group that runs a Tree stops every job of the subtree
// before the supervisor is done, and is not a failure.
func TestTree_closingStopsTheSubtree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		running := make(chan struct{}, 2)
		var mu sync.Mutex
		var stopped []string
		job := func(name string) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				running <- struct{}{}
				<-ctx.Done()
				mu.Lock()
				stopped = append(stopped, name)
				mu.Unlock()
				return ctx.Err()
			}
		}
		sv := resource.Supervise(g, "tree", resource.Tree(func(sub *group.Group) {
			resource.Supervise(sub, "a", job("a"), resource.Spec{})
			resource.Supervise(sub, "nested", resource.Tree(func(sub *group.Group) {
				resource.Supervise(sub, "b", job("b"), resource.Spec{})
			}), resource.Spec{})
		}), resource.Spec{})
		<-running
		<-running
		require.Contains(t, g.Snapshot().String(), "tree")
		require.NoError(t, g.Shutdown(context.Background()))
		require.ElementsMatch(t, []string{"a", "b"}, stopped)
		require.NoError(t, sv.Err())
		require.Equal(t, resource.Stats{Starts: 1}, sv.Stats())
	})
}

// A panic in start is the run's failure, recovered by the supervisor, and
// whatever start had started is stopped.
func TestTree_startPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background(), group.PanicsAsErrors(), group.OnPanic(func(*group.PanicError) {}))
		stopped := false
		sv := resource.Supervise(g, "tree", resource.Tree(func(sub *group.Group) {
			sub.Go(func(ctx context.Context) error {
				<-ctx.Done()
				stopped = true
				return nil
			})
			panic("bad wiring")
		}), resource.Spec{Threshold: 0.5})
		<-sv.Done()
		var pe *group.PanicError
		require.ErrorAs(t, sv.Err(), &pe)
		require.Equal(t, "bad wiring", pe.Value)
		require.True(t, stopped)
		require.Error(t, g.Wait())
	})
}

func TestTree_nilPanics(t *testing.T) {
	require.PanicsWithValue(t, "resource: Tree with nil function", func() { resource.Tree(nil) })
}

// A Tree's group is made like the group its run is in (here: the
// observer) and shows under it in snapshots.
func TestTree_inheritsAndShowsUnderItsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		started := map[string]bool{}
		g := group.New(context.Background(), group.Observe(func(e group.Event) {
			if e.Kind == group.TaskStarted {
				mu.Lock()
				started[e.Task.Name()] = true
				mu.Unlock()
			}
		}))
		running := make(chan struct{})
		resource.Supervise(g, "top", resource.Tree(func(sub *group.Group) {
			resource.Supervise(sub, "leaf", func(ctx context.Context) error {
				close(running)
				<-ctx.Done()
				return ctx.Err()
			}, resource.Spec{})
		}), resource.Spec{})
		<-running
		mu.Lock()
		require.True(t, started["leaf"], "the observer hears of the subtree's tasks: %v", started)
		mu.Unlock()
		require.Contains(t, g.Snapshot().String(), `"leaf"`, "the subtree shows in the snapshot")
		require.NoError(t, g.Close())
	})
}
