package group

import (
	"context"
	"errors"
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
// long one keeps its lists short, and sweeps them seldom: finished tasks
// are unlinked in amortised sweeps, whatever state they ended in.
func TestFinishedTasksAreSwept(t *testing.T) {
	g := New(context.Background(), OnError(func(error) {})) // failures do not close it
	release := make(chan struct{})
	g.Go(func(context.Context) error { <-release; return nil })
	const n = 12_000
	for i := range n {
		switch i % 3 {
		case 0:
			<-g.Go(func(context.Context) error { return nil }).Done()
		case 1:
			<-g.Go(func(context.Context) error { return errors.New("failed") }).Done()
		default:
			task := g.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
			task.Cancel()
			<-task.Done()
		}
	}
	st := g.Stats()
	require.Equal(t, Stats{Spawned: n + 1, Running: 1, Succeeded: n / 3, Failed: n / 3, Canceled: n / 3}, st)
	// A shard looks whether to sweep each time one of its three counts of
	// finished tasks reaches a multiple of sweepEvery, and sweeps once its
	// finished tasks outnumber both its live ones and sweepEvery: it keeps
	// fewer than that and three times sweepEvery.
	require.LessOrEqual(t, listed(g), 1+nShards*4*sweepEvery)
	sweeps := int64(0)
	for i := range g.shards {
		sweeps += g.shards[i].sweeps.Load()
	}
	// About one sweep per 2*sweepEvery finished tasks of a shard.
	require.Positive(t, sweeps)
	require.LessOrEqual(t, sweeps, int64(n/(2*sweepEvery)+nShards), "sweeps are not amortised")
	close(release)
	require.NoError(t, g.Wait())
}

// TestSweepKeepsLiveTasks: a sweep unlinks finished tasks only, wherever
// they are on the list, and the head only when nothing was pushed over it.
func TestSweepKeepsLiveTasks(t *testing.T) {
	g := New(context.Background())
	release := make(chan struct{})
	var live []*Task
	// Tasks go to shards by id, so every shard gets, newest first: a
	// finished task (at the head), a live one, a finished one, a live one.
	for i := range 4 * nShards {
		if (i/nShards)%2 == 0 {
			live = append(live, g.Go(func(context.Context) error { <-release; return nil }))
		} else {
			<-g.Go(func(context.Context) error { return nil }).Done()
		}
	}
	for i := range g.shards {
		g.shards[i].sweep()
	}
	require.Equal(t, len(live), listed(g), "finished tasks unlinked, live ones kept")
	swept := int64(0)
	for i := range g.shards {
		swept += g.shards[i].swept.Load()
	}
	require.Equal(t, int64(4*nShards-len(live)), swept, "each unlinked task counted once")
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

// TestSpawnedInCountsIDsPerShard: the number of ids from 1 to n that fall
// in each shard, which Stats reads as the tasks spawned there.
func TestSpawnedInCountsIDsPerShard(t *testing.T) {
	for n := range uint64(3 * nShards) {
		var want [nShards]int64
		for id := uint64(1); id <= n; id++ {
			want[id%nShards]++
		}
		for i := range nShards {
			require.Equal(t, want[i], spawnedIn(n, i), "n=%d shard %d", n, i)
		}
	}
}
