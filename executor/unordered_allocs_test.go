package executor_test

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestMapUnorderedAllocations guards what MapUnordered costs per item:
// as for Map (see TestMapAllocations), nothing of its own but a share of
// its jobs, each of which runs many cheap items, and of the stream's fixed
// cost. The code with a job and a channel send per item took 3.0 per item
// in BenchmarkMapUnordered.
func TestMapUnorderedAllocations(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		ctx := context.Background()
		const items = 1000
		double := func(_ context.Context, v int) (int, error) { return 2 * v, nil }
		run := func() {
			sum := 0
			for v, err := range executor.MapUnordered(ctx, ex, upTo(items), double) {
				if err != nil {
					panic(err)
				}
				sum += v
			}
			if sum != items*(items-1) {
				panic("wrong sum")
			}
		}
		perItem := testing.AllocsPerRun(20, run) / items
		t.Logf("%.3f allocations per item", perItem)
		require.LessOrEqual(t, perItem, 0.5)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}
