package prom_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit/outcomes"
	"github.com/nursery-go/nursery/observe/prom"
	"github.com/nursery-go/nursery/queue"
	"github.com/nursery-go/nursery/resource"
)

func TestExecutorAndQueueFigures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := prom.New()
		root := group.New(context.Background(), group.Name("root"), group.Observe(c.Observe))
		ex := executor.New(root, executor.Name("pool"), executor.MaxWorkers(3))
		c.AddExecutor(ex)
		c.AddGroup(ex.Group())
		q := queue.New[int](8)
		c.AddQueue("jobs", q)

		release := make(chan struct{})
		hold := func(context.Context) error { <-release; return nil }
		for range 3 {
			_, err := ex.Submit(context.Background(), hold)
			require.NoError(t, err)
		}
		_, err := ex.Enqueue(hold) // waits in the backlog
		require.NoError(t, err)
		submitted := make(chan error, 1) // one send, by the submitter below
		go func() {
			_, err := ex.Submit(context.Background(), hold)
			submitted <- err
		}()
		for i := range 3 {
			require.NoError(t, q.Put(context.Background(), i))
		}
		synctest.Wait()
		want := `
# HELP nursery_executor_jobs_waiting Jobs accepted by an executor and waiting for a worker.
# TYPE nursery_executor_jobs_waiting gauge
nursery_executor_jobs_waiting{group="root/pool"} 1
# HELP nursery_executor_submitters_blocked Calls blocked in an executor's Submit, Async or Exec.
# TYPE nursery_executor_submitters_blocked gauge
nursery_executor_submitters_blocked{group="root/pool"} 1
# HELP nursery_executor_workers An executor's workers: busy running a job, or idle places under its limit.
# TYPE nursery_executor_workers gauge
nursery_executor_workers{group="root/pool",state="busy"} 3
nursery_executor_workers{group="root/pool",state="idle"} 0
# HELP nursery_queue_length Items in a queue.
# TYPE nursery_queue_length gauge
nursery_queue_length{queue="jobs"} 3
# HELP nursery_tasks_running Tasks accepted and not finished, including those not yet started (group.Stats Running).
# TYPE nursery_tasks_running gauge
nursery_tasks_running{group="root/pool"} 4
`
		require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want),
			"nursery_executor_jobs_waiting", "nursery_executor_submitters_blocked", "nursery_executor_workers",
			"nursery_queue_length", "nursery_tasks_running"))

		time.Sleep(2 * time.Second) // how long the submitter stays blocked
		close(release)
		require.NoError(t, <-submitted)
		require.NoError(t, ex.Wait())
		require.NoError(t, root.Wait())
		mfs := gather(t, c)
		blocked := metric(t, mfs["nursery_executor_submit_blocked_seconds"], "group", "root/pool").GetHistogram()
		assert.Equal(t, uint64(1), blocked.GetSampleCount())
		assert.InDelta(t, 2.0, blocked.GetSampleSum(), 1e-9)
		assert.Len(t, mfs["nursery_executor_submit_blocked_seconds"].GetMetric(), 1, "a histogram of waits for the executor only")
		st := ex.Stats()
		assert.Equal(t, int64(5), st.Succeeded)
		assert.Equal(t, float64(st.Succeeded), metric(t, mfs["nursery_tasks_finished_total"], "group", "root/pool", "state", "succeeded").GetCounter().GetValue())
		assert.Equal(t, float64(3), metric(t, mfs["nursery_executor_workers"], "group", "root/pool", "state", "idle").GetGauge().GetValue())
	})
}

func TestRestartsAreCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := prom.New()
		root := group.New(context.Background(), group.Name("root"), group.Observe(c.Observe))
		runs := 0
		sup := resource.Supervise(root, "sup", func(context.Context) error {
			runs++
			if runs <= 2 {
				return outcomes.ErrBoom
			}
			return resource.ErrStop
		}, resource.Spec{})
		<-sup.Done()
		require.NoError(t, sup.Err())
		require.NoError(t, root.Wait())
		mfs := gather(t, c)
		assert.Equal(t, float64(2), metric(t, mfs["nursery_task_restarts_total"], "group", "root").GetCounter().GetValue())
	})
}
