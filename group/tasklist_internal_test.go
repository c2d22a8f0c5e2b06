package group

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// listed counts the tasks on g's lists, finished ones not yet swept
// included.
func listed(g *Group) int {
	n := 0
	for i := range g.shards {
		for t := g.shards[i].head.Load(); t != nil; t = t.next.Load() {
			n++
		}
	}
	return n
}

// TestFinishedTasksAreSwept: a group that runs many short tasks beside a
// long one keeps its lists short; finished tasks are unlinked in amortised
// sweeps instead of one by one, but never pile up.
func TestFinishedTasksAreSwept(t *testing.T) {
	g := New(context.Background())
	release := make(chan struct{})
	g.Go(func(context.Context) error { <-release; return nil })
	const n = 10_000
	for range n {
		<-g.Go(func(context.Context) error { return nil }).Done()
	}
	// Each shard sweeps once its finished tasks outnumber both its live
	// ones and sweepEvery; what is left is at most that in every shard.
	require.LessOrEqual(t, listed(g), 1+nShards*2*sweepEvery)
	require.Equal(t, int64(n+1), g.Stats().Spawned)
	require.Equal(t, int64(1), g.Stats().Running)
	close(release)
	require.NoError(t, g.Wait())
}

// TestSweepKeepsLiveTasks: a sweep unlinks finished tasks only, wherever
// they are on the list, and the head only when nothing was pushed over it.
func TestSweepKeepsLiveTasks(t *testing.T) {
	g := New(context.Background())
	release := make(chan struct{})
	var live []*Task
	for i := range 4 * nShards {
		if i%2 == 0 {
			live = append(live, g.Go(func(context.Context) error { <-release; return nil }))
		} else {
			<-g.Go(func(context.Context) error { return nil }).Done()
		}
	}
	for i := range g.shards {
		g.shards[i].sweep()
	}
	require.Equal(t, len(live), listed(g), "finished tasks unlinked, live ones kept")
	var seen []*Task
	g.eachTask(func(t *Task) { seen = append(seen, t) })
	require.ElementsMatch(t, live, seen)
	close(release)
	require.NoError(t, g.Wait())
}

// TestALateTaskOfACanceledGroupStartsCanceled: a task admitted while its
// group closes after a cancellation (groupctl.Late) is pushed after the
// cancellation walked the lists, so it cancels its own context when it
// sees the group's flag (admit's half of the handshake with cancelLocked).
func TestALateTaskOfACanceledGroupStartsCanceled(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := New(context.Background())
		release := make(chan struct{})
		g.Go(func(context.Context) error { <-release; return nil }) // keeps g from closing
		g.Cancel()
		late := g.Go(func(ctx context.Context) error {
			<-ctx.Done() // a hang here fails the bubble
			return ctx.Err()
		}, lateOption{})
		<-late.Done()
		require.Equal(t, Canceled, late.State())
		require.ErrorIs(t, late.Err(), context.Canceled)
		close(release)
		require.NoError(t, g.Wait())
	})
}
