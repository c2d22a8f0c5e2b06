package executor_test

import (
	"context"
	"testing"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// An idle worker exits between one and two IdleTimeouts after it parked:
// the reaper runs every IdleTimeout and retires the workers idle since
// before its previous run.
func TestIdleWorkerExitsBetweenOneAndTwoIdleTimeouts(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2), executor.IdleTimeout(time.Second))
		for range 2 {
			_, err := ex.Submit(context.Background(), sleepJob(100*time.Millisecond))
			require.NoError(t, err)
		}
		// Both park at 100ms; the reaper, armed then, runs at 1.1s and 2.1s.
		time.Sleep(2*time.Second + 50*time.Millisecond)
		require.Equal(t, int64(2), ex.Stats().Workers, "retired before two IdleTimeouts")
		time.Sleep(100 * time.Millisecond)
		require.Zero(t, ex.Stats().Workers, "still idle after two IdleTimeouts")

		// The reaper is armed again by the next worker that parks.
		_, err := ex.Submit(context.Background(), sleepJob(100*time.Millisecond))
		require.NoError(t, err)
		time.Sleep(100*time.Millisecond + 2*time.Second + 50*time.Millisecond)
		require.Zero(t, ex.Stats().Workers, "not retired after two IdleTimeouts")
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}
