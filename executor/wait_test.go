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

// Wait returns as the last job ends: workers that find nothing left to do
// exit at once.
func TestWaitReturnsAsTheLastJobEnds(t *testing.T) {
	for _, workers := range []int{1, 4} {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			ex := executor.New(g, executor.MaxWorkers(workers))
			for i := range workers {
				_, err := ex.Submit(context.Background(), sleepJob(time.Duration(i+1)*time.Second))
				require.NoError(t, err)
			}
			start := time.Now()
			require.NoError(t, ex.Wait())
			require.Equal(t, time.Duration(workers)*time.Second, time.Since(start),
				"Wait returned later than the last job's end")
			require.NoError(t, g.Close())
		})
	}
}
