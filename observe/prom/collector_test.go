package prom_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit/outcomes"
	"github.com/nursery-go/nursery/observe/prom"
)

// workload runs, in a synctest bubble, groups whose tasks end in every
// way, with c as their observer and every group added to c, and returns
// the groups by metric path ("root/#" twice: two unnamed subgroups).
//
//	root:   ok-1 (1s), ok-2 (2s), fail (1s, error), panic (1s),
//	        cancel (cancelled after 500ms), and one task refused after Wait
//	root/work: an unnamed task (1s)
//	root/#, twice: an unnamed task (250ms)
func workload(t *testing.T, c *prom.Collector) map[string][]*group.Group {
	t.Helper()
	root := group.New(context.Background(), group.Name("root"), group.Observe(c.Observe),
		group.PanicsAsErrors(), group.OnError(func(error) {}), group.OnPanic(func(*group.PanicError) {}))
	c.AddGroup(root)
	outcomes.Start(root)

	groups := map[string][]*group.Group{"root": {root}}
	work := root.Subgroup(group.Name("work"))
	c.AddGroup(work)
	work.Go(outcomes.Sleeper(time.Second, nil))
	groups["root/work"] = []*group.Group{work}
	for range 2 {
		sg := root.Subgroup()
		c.AddGroup(sg)
		sg.Go(outcomes.Sleeper(250*time.Millisecond, nil))
		groups["root/#"] = append(groups["root/#"], sg)
	}
	for _, gs := range groups {
		for _, g := range gs {
			if g != root {
				require.NoError(t, g.Wait())
			}
		}
	}
	require.NoError(t, root.Wait())
	refused := root.Go(outcomes.Sleeper(0, nil), group.Name("late"))
	require.ErrorIs(t, refused.Err(), group.ErrClosed)
	return groups
}

func TestExposition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := prom.New()
		workload(t, c)
		want := `
# HELP nursery_task_panics_total Tasks that panicked (also counted as failed).
# TYPE nursery_task_panics_total counter
nursery_task_panics_total{group="root"} 1
nursery_task_panics_total{group="root/#"} 0
nursery_task_panics_total{group="root/work"} 0
# HELP nursery_tasks_finished_total Tasks that reached a final state, by state (group.Stats).
# TYPE nursery_tasks_finished_total counter
nursery_tasks_finished_total{group="root",state="canceled"} 1
nursery_tasks_finished_total{group="root",state="failed"} 2
nursery_tasks_finished_total{group="root",state="refused"} 1
nursery_tasks_finished_total{group="root",state="succeeded"} 2
nursery_tasks_finished_total{group="root/#",state="canceled"} 0
nursery_tasks_finished_total{group="root/#",state="failed"} 0
nursery_tasks_finished_total{group="root/#",state="refused"} 0
nursery_tasks_finished_total{group="root/#",state="succeeded"} 2
nursery_tasks_finished_total{group="root/work",state="canceled"} 0
nursery_tasks_finished_total{group="root/work",state="failed"} 0
nursery_tasks_finished_total{group="root/work",state="refused"} 0
nursery_tasks_finished_total{group="root/work",state="succeeded"} 1
# HELP nursery_tasks_running Tasks accepted and not finished, including those not yet started (group.Stats Running).
# TYPE nursery_tasks_running gauge
nursery_tasks_running{group="root"} 0
nursery_tasks_running{group="root/#"} 0
nursery_tasks_running{group="root/work"} 0
# HELP nursery_tasks_spawned_total Tasks started or refused in a group (group.Stats Spawned).
# TYPE nursery_tasks_spawned_total counter
nursery_tasks_spawned_total{group="root"} 6
nursery_tasks_spawned_total{group="root/#"} 2
nursery_tasks_spawned_total{group="root/work"} 1
`
		require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want),
			"nursery_task_panics_total", "nursery_tasks_finished_total", "nursery_tasks_running", "nursery_tasks_spawned_total"))

		// Durations, in the bubble's fake time: exact.
		mfs := gather(t, c)
		tests := []struct {
			group, state string
			count        uint64
			sum          float64
		}{
			{"root", "succeeded", 2, 3},
			{"root", "failed", 2, 2},
			{"root", "canceled", 1, 0.5},
			{"root/work", "succeeded", 1, 1},
			{"root/#", "succeeded", 2, 0.5},
		}
		hist := mfs["nursery_task_duration_seconds"]
		require.NotNil(t, hist)
		require.Len(t, hist.GetMetric(), len(tests), "a histogram per group and state that tasks ended in")
		for _, tt := range tests {
			m := metric(t, hist, "group", tt.group, "state", tt.state)
			assert.Equal(t, tt.count, m.GetHistogram().GetSampleCount(), "%s %s count", tt.group, tt.state)
			assert.InDelta(t, tt.sum, m.GetHistogram().GetSampleSum(), 1e-9, "%s %s sum", tt.group, tt.state)
		}
		// ok-1 took 1s, ok-2 2s: one in le="1", both in le="2.5".
		buckets := map[float64]uint64{}
		for _, b := range metric(t, hist, "group", "root", "state", "succeeded").GetHistogram().GetBucket() {
			buckets[b.GetUpperBound()] = b.GetCumulativeCount()
		}
		assert.Equal(t, uint64(0), buckets[0.75])
		assert.Equal(t, uint64(1), buckets[1])
		assert.Equal(t, uint64(2), buckets[2.5])
	})
}

// A task that ran in no time (here, in a bubble whose clock stands
// still) has its duration of 0 recorded; a task cancelled before it ran
// has none.
func TestInstantTasksHaveADuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := prom.New()
		root := group.New(context.Background(), group.Name("root"), group.Observe(c.Observe),
			group.OnError(func(error) {}))
		root.Go(outcomes.Sleeper(0, nil), group.Name("instant"))
		root.Go(outcomes.Sleeper(0, outcomes.ErrBoom), group.Name("fail"))
		ex := executor.New(root, executor.Name("pool"), executor.MaxWorkers(1))
		release := make(chan struct{})
		_, err := ex.Enqueue(func(context.Context) error { <-release; return nil })
		require.NoError(t, err)
		never, err := ex.Enqueue(outcomes.Sleeper(0, nil)) // waits behind the job above
		require.NoError(t, err)
		synctest.Wait()
		require.True(t, never.Cancel())
		close(release)
		require.NoError(t, ex.Close())
		require.NoError(t, root.Wait())
		require.Equal(t, group.Canceled, never.State())

		hist := gather(t, c)["nursery_task_duration_seconds"]
		require.NotNil(t, hist)
		require.Len(t, hist.GetMetric(), 3, "no histogram for the canceled state")
		for _, tt := range []struct{ group, state string }{
			{"root", "succeeded"},
			{"root", "failed"},
			{"root/pool", "succeeded"},
		} {
			m := metric(t, hist, "group", tt.group, "state", tt.state)
			assert.Equal(t, uint64(1), m.GetHistogram().GetSampleCount(), "%s %s", tt.group, tt.state)
			assert.Zero(t, m.GetHistogram().GetSampleSum(), "%s %s", tt.group, tt.state)
		}
	})
}

func TestCountsEqualStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := prom.New()
		groups := workload(t, c)
		mfs := gather(t, c)
		for path, gs := range groups {
			var want group.Stats
			for _, g := range gs {
				st := g.Stats()
				want.Spawned += st.Spawned
				want.Running += st.Running
				want.Succeeded += st.Succeeded
				want.Failed += st.Failed
				want.Canceled += st.Canceled
				want.Refused += st.Refused
			}
			finished := func(state string) int64 {
				return int64(metric(t, mfs["nursery_tasks_finished_total"], "group", path, "state", state).GetCounter().GetValue())
			}
			got := group.Stats{
				Spawned:   int64(metric(t, mfs["nursery_tasks_spawned_total"], "group", path).GetCounter().GetValue()),
				Running:   int64(metric(t, mfs["nursery_tasks_running"], "group", path).GetGauge().GetValue()),
				Succeeded: finished("succeeded"),
				Failed:    finished("failed"),
				Canceled:  finished("canceled"),
				Refused:   finished("refused"),
			}
			assert.Equal(t, want, got, path)
			assert.Positive(t, got.Spawned, path)
		}
	})
}

func TestMetricsFollowPrometheusConventions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := prom.New()
		workload(t, c)
		problems, err := testutil.CollectAndLint(c)
		require.NoError(t, err)
		assert.Empty(t, problems)
	})
}

func TestAddPanicsOnNil(t *testing.T) {
	c := prom.New()
	assert.PanicsWithValue(t, "prom: AddGroup with a nil group", func() { c.AddGroup(nil) })
	assert.PanicsWithValue(t, "prom: AddExecutor with a nil executor", func() { c.AddExecutor(nil) })
	assert.PanicsWithValue(t, "prom: AddQueue with a nil queue", func() { c.AddQueue("q", nil) })
}

// gather gathers c's metrics through a pedantic registry, which also
// checks that Collect sends only what Describe described.
func gather(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(c))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	byName := make(map[string]*dto.MetricFamily)
	for _, mf := range mfs {
		byName[mf.GetName()] = mf
	}
	return byName
}

// metric returns the metric of mf with the label pairs kv.
func metric(t *testing.T, mf *dto.MetricFamily, kv ...string) *dto.Metric {
	t.Helper()
	require.NotNil(t, mf)
next:
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for i := 0; i < len(kv); i += 2 {
			if labels[kv[i]] != kv[i+1] {
				continue next
			}
		}
		return m
	}
	t.Fatalf("%s has no metric %v", mf.GetName(), kv)
	return nil
}
