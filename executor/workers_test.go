package executor_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// bubbleGoroutines counts the goroutines of the calling goroutine's
// synctest bubble: runtime.NumGoroutine would count the process's, among
// them goroutines of earlier tests still on their way out.
func bubbleGoroutines() int {
	self := make([]byte, 256)
	self = self[:runtime.Stack(self, false)]
	header, _, _ := strings.Cut(string(self), "\n")
	_, bubble, ok := strings.Cut(header, "synctest bubble ")
	if !ok {
		panic("bubbleGoroutines called outside a synctest bubble")
	}
	bubble = strings.TrimSuffix(bubble, "]:")
	n := 0
	for line := range strings.Lines(testkit.Stacks()) {
		if strings.HasPrefix(line, "goroutine ") && strings.Contains(line, "synctest bubble "+bubble+"]") {
			n++
		}
	}
	return n
}

// Workers start on demand, at most MaxWorkers, and exit as soon as no job
// waits for them: an executor with nothing to do holds no goroutine, and
// starts workers again for new work.
func TestWorkersExitWhenNoJobWaits(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(4))
		before := bubbleGoroutines()
		for range 100 {
			_, err := ex.Submit(context.Background(), sleepJob(time.Millisecond))
			require.NoError(t, err)
		}
		require.Equal(t, int64(4), ex.Stats().Workers)
		require.Equal(t, before+4, bubbleGoroutines(), "one goroutine per worker, none for the blocked Submits' jobs")
		time.Sleep(time.Millisecond) // the bubble's clock: the last jobs' sleeps end
		synctest.Wait()              // and their workers leave
		require.Zero(t, ex.Stats().Workers, "no job waits")
		require.Equal(t, before, bubbleGoroutines(), "no worker is left")

		_, err := ex.Submit(context.Background(), nop)
		require.NoError(t, err, "workers start again on demand")
		require.NoError(t, ex.Wait())
		require.Equal(t, executor.Stats{Submitted: 101, Succeeded: 101}, ex.Stats())
		require.NoError(t, g.Close())
	})
}
