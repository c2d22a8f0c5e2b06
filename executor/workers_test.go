package executor_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// Workers start on demand, at most MaxWorkers, and exit as soon as no job
// waits for them: an executor with nothing to do holds no goroutine, and
// starts workers again for new work.
func TestWorkersExitWhenNoJobWaits(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(4))
		before := testkit.BubbleGoroutines()
		for range 100 {
			_, err := ex.Submit(context.Background(), sleepJob(time.Millisecond))
			require.NoError(t, err)
		}
		require.Equal(t, int64(4), ex.Stats().Workers)
		require.Equal(t, before+4, testkit.BubbleGoroutines(), "one goroutine per worker, none for the blocked Submits' jobs")
		time.Sleep(time.Millisecond) // the bubble's clock: the last jobs' sleeps end
		synctest.Wait()              // and their workers leave
		require.Zero(t, ex.Stats().Workers, "no job waits")
		require.Equal(t, before, testkit.BubbleGoroutines(), "no worker is left")

		_, err := ex.Submit(context.Background(), nop)
		require.NoError(t, err, "workers start again on demand")
		require.NoError(t, ex.Wait())
		require.Equal(t, executor.Stats{Submitted: 101, Succeeded: 101}, ex.Stats())
		require.NoError(t, g.Close())
	})
}
