package group_test

import (
	"context"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

func TestWaitFromOwnTaskIsDetected(t *testing.T) {
	for _, tt := range []struct {
		name string
		call func(*group.Group) error
	}{
		{"Wait", (*group.Group).Wait},
		{"Close", (*group.Group).Close},
		{"Shutdown", func(g *group.Group) error { return g.Shutdown(context.Background()) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				got := make(chan error, 1)
				g.Go(func(context.Context) error {
					got <- tt.call(g)
					return nil
				})
				err := <-got
				require.ErrorIs(t, err, group.ErrWaitInTask)
				g.Cancel()
				require.NoError(t, g.Wait())
			})
		})
	}
}

func TestWaitFromSubgroupTaskOnAncestorIsDetected(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		sub := g.Subgroup().Subgroup()
		got := make(chan error, 1)
		sub.Go(func(context.Context) error {
			got <- g.Close()
			return nil
		})
		start := time.Now()
		require.ErrorIs(t, <-got, group.ErrWaitInTask)
		require.Equal(t, time.Second, time.Since(start), "detected after the check delay")
		require.NoError(t, g.Wait())
	})
}

func TestTaskMayWaitForItsOwnSubgroupOrAnotherGroup(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		other := group.New(context.Background())
		other.Go(func(context.Context) error { time.Sleep(5 * time.Second); return nil })
		result := make(chan error, 2)
		g.Go(func(ctx context.Context) error {
			sub := g.Subgroup()
			sub.Go(func(context.Context) error { time.Sleep(3 * time.Second); return nil })
			result <- sub.Wait()
			result <- other.Wait()
			return nil
		})
		require.NoError(t, <-result)
		require.NoError(t, <-result)
		require.NoError(t, g.Wait())
	})
}

func TestCancelFromOwnTaskDoesNotDeadlock(t *testing.T) {
	g := group.New(context.Background())
	g.Go(blockUntilCancelled)
	g.Go(func(context.Context) error { g.Cancel(); return nil })
	require.NoError(t, wait(t, g))
}

func TestWaitFromHeldTaskRunInAWorkerIsDetected(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		got := make(chan error, 1)
		held := g.Go(func(context.Context) error {
			got <- g.Wait()
			return nil
		}, groupctl.Hold.(group.Option))
		worker := g.Go(func(context.Context) error {
			groupctl.RunHeld(held)
			return nil
		})
		require.ErrorIs(t, <-got, group.ErrWaitInTask)
		recv(t, worker.Done(), "worker")
		require.NoError(t, g.Wait())
	})
}
