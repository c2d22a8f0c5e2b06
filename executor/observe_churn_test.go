package executor_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// Pins behaviour: snapshots and Stats taken continuously while
// jobs are submitted, enqueued, cancelled and finished never deadlock, and
// the executor's Stats add up at every moment; the observer hears exactly
// one end event per job, including those cancelled in the backlog before
// they started.
func TestSnapshotsUnderChurnAndOneEndPerJob(t *testing.T) {
	var mu sync.Mutex
	ends := map[*group.Task]int{}
	obs := func(e group.Event) {
		switch e.Kind {
		case group.TaskSucceeded, group.TaskFailed, group.TaskPanicked, group.TaskCanceled, group.TaskRefused:
			if e.Task != nil && e.Group.Name() == "jobs" {
				mu.Lock()
				ends[e.Task]++
				mu.Unlock()
			}
		}
	}
	g := group.New(context.Background(), group.Observe(obs))
	ex := executor.New(g, executor.MaxWorkers(3), executor.Name("jobs"), executor.SuppressErrors())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var snapErr error
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = g.Snapshot()
			s := ex.Stats()
			if s.Submitted != s.Running+s.Waiting+s.Succeeded+s.Failed+s.Canceled {
				snapErr = errors.New("executor Stats do not add up")
			}
		}
	})
	var tasks []*group.Task
	for i := range 3000 {
		var tk *group.Task
		var err error
		switch i % 3 {
		case 0:
			tk, err = ex.Submit(context.Background(), nop)
		case 1:
			tk, err = ex.Enqueue(func(context.Context) error { return errors.New("x") })
		default:
			tk, err = ex.Enqueue(nop)
			if err == nil {
				tk.Cancel()
			}
		}
		require.NoError(t, err)
		tasks = append(tasks, tk)
	}
	done := make(chan error, 1)
	go func() { done <- ex.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(bound):
		t.Fatal("Wait hung")
	}
	close(stop)
	wg.Wait()
	require.NoError(t, snapErr)
	require.NoError(t, g.Close())
	mu.Lock()
	defer mu.Unlock()
	for i, tk := range tasks {
		require.Equal(t, 1, ends[tk], "end events of job %d (%v)", i, tk.State())
	}
}
