package prom

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
)

// Bucket boundaries, in seconds: task durations with the boundaries the
// OpenTelemetry semantic conventions advise for durations (as package
// observe/otel uses), and blocked submitters from 10µs, since most waits
// for a worker are short.
var (
	durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	blockedBuckets  = []float64{0.00001, 0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// A Collector is a [prometheus.Collector] of nursery's figures: the task
// counts of the groups added with [Collector.AddGroup], the figures of
// the executors and queues added with [Collector.AddExecutor] and
// [Collector.AddQueue], all read when Prometheus scrapes, and the
// histograms and counters that its [Collector.Observe] method records
// from events. The package doc lists the metrics.
//
// Make one with [New]; the zero value is not usable. A Collector must not
// be copied. Its methods are safe for concurrent use.
type Collector struct {
	duration *prometheus.HistogramVec
	blocked  *prometheus.HistogramVec
	panics   *prometheus.CounterVec
	restarts *prometheus.CounterVec
	byPath   sync.Map // group path (or metric path) → *groupObs
	rawPaths atomic.Int64

	spawned, finished, running     *prometheus.Desc
	workers, waiting, blockedCalls *prometheus.Desc
	queueLength                    *prometheus.Desc

	mu        sync.Mutex // guards the three lists below
	groups    []*group.Group
	executors []*executor.Executor
	queues    []namedQueue
}

type namedQueue struct {
	name string
	q    interface{ Len() int }
}

// New returns a Collector with nothing added. Register it with a
// [prometheus.Registerer] and give its Observe method to [group.Observe].
func New() *Collector {
	return &Collector{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "nursery_task_duration_seconds", Help: "How long tasks ran, by final state.",
			Buckets: durationBuckets,
		}, []string{"group", "state"}),
		blocked: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "nursery_executor_submit_blocked_seconds", Help: "How long submitters waited for an executor's worker.",
			Buckets: blockedBuckets,
		}, []string{"group"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nursery_task_panics_total", Help: "Tasks that panicked (also counted as failed).",
		}, []string{"group"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nursery_task_restarts_total", Help: "Restarts of supervised jobs.",
		}, []string{"group"}),
		spawned: prometheus.NewDesc("nursery_tasks_spawned_total",
			"Tasks started or refused in a group (group.Stats Spawned).", []string{"group"}, nil),
		finished: prometheus.NewDesc("nursery_tasks_finished_total",
			"Tasks that reached a final state, by state (group.Stats).", []string{"group", "state"}, nil),
		running: prometheus.NewDesc("nursery_tasks_running",
			"Tasks accepted and not finished, including those not yet started (group.Stats Running).", []string{"group"}, nil),
		workers: prometheus.NewDesc("nursery_executor_workers",
			"An executor's workers: busy running a job, or idle places under its limit.", []string{"group", "state"}, nil),
		waiting: prometheus.NewDesc("nursery_executor_jobs_waiting",
			"Jobs accepted by an executor and waiting for a worker.", []string{"group"}, nil),
		blockedCalls: prometheus.NewDesc("nursery_executor_submitters_blocked",
			"Calls blocked in an executor's Submit, Async or Exec.", []string{"group"}, nil),
		queueLength: prometheus.NewDesc("nursery_queue_length",
			"Items in a queue.", []string{"queue"}, nil),
	}
}

// AddGroup makes the Collector report g's task counts ([group.Group.Stats]:
// g's own tasks, not its subgroups') at each scrape, under g's path with
// unnamed groups as "#". Groups with the same such path add up. The
// Collector keeps g: add groups that live as long as the program, such
// as the root and the long-lived subgroups; a closed group reports its
// final counts.
//
// AddGroup panics if g is nil.
func (c *Collector) AddGroup(g *group.Group) {
	if g == nil {
		panic("prom: AddGroup with a nil group")
	}
	c.mu.Lock()
	c.groups = append(c.groups, g)
	c.mu.Unlock()
}

// AddExecutor makes the Collector report ex's workers, waiting jobs and
// blocked submitters ([executor.Executor.Stats]) at each scrape, under the
// path of ex's group. Its jobs' counts are those of its group: add
// ex.Group() with AddGroup for them. The Collector keeps ex.
//
// AddExecutor panics if ex is nil.
func (c *Collector) AddExecutor(ex *executor.Executor) {
	if ex == nil {
		panic("prom: AddExecutor with a nil executor")
	}
	c.mu.Lock()
	c.executors = append(c.executors, ex)
	c.mu.Unlock()
}

// AddQueue makes the Collector report q.Len() at each scrape, with name as
// the queue label; queues with the same name add up. q is usually a
// [github.com/nursery-go/nursery/queue.Queue]. The Collector keeps q.
//
// AddQueue panics if q is nil.
func (c *Collector) AddQueue(name string, q interface{ Len() int }) {
	if q == nil {
		panic("prom: AddQueue with a nil queue")
	}
	c.mu.Lock()
	c.queues = append(c.queues, namedQueue{name, q})
	c.mu.Unlock()
}

// Describe sends the descriptors of every metric the Collector reports.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.spawned, c.finished, c.running, c.workers, c.waiting, c.blockedCalls, c.queueLength} {
		ch <- d
	}
	c.duration.Describe(ch)
	c.blocked.Describe(ch)
	c.panics.Describe(ch)
	c.restarts.Describe(ch)
}

// Collect reads the added groups', executors' and queues' figures and
// sends them with the recorded histograms and counters.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	groups, executors, queues := c.groups, c.executors, c.queues
	c.mu.Unlock()
	// The lists are only appended to: the prefixes read here do not change.

	stats := make(map[string]group.Stats)
	for _, g := range groups {
		p, st := metricPath(g.Path()), g.Stats()
		sum := stats[p]
		sum.Spawned += st.Spawned
		sum.Running += st.Running
		sum.Succeeded += st.Succeeded
		sum.Failed += st.Failed
		sum.Canceled += st.Canceled
		sum.Refused += st.Refused
		stats[p] = sum
	}
	for p, st := range stats {
		ch <- prometheus.MustNewConstMetric(c.spawned, prometheus.CounterValue, float64(st.Spawned), p)
		ch <- prometheus.MustNewConstMetric(c.running, prometheus.GaugeValue, float64(st.Running), p)
		for _, f := range []struct {
			state group.TaskState
			n     int64
		}{{group.Succeeded, st.Succeeded}, {group.Failed, st.Failed}, {group.Canceled, st.Canceled}, {group.Refused, st.Refused}} {
			ch <- prometheus.MustNewConstMetric(c.finished, prometheus.CounterValue, float64(f.n), p, f.state.String())
		}
	}

	type exFigures struct{ busy, idle, waiting, blocked int64 }
	exs := make(map[string]exFigures)
	for _, ex := range executors {
		p, st := metricPath(ex.Group().Path()), ex.Stats()
		f := exs[p]
		f.busy += st.Workers
		f.idle += max(int64(ex.MaxWorkers())-st.Workers, 0)
		f.waiting += st.Waiting
		f.blocked += st.Blocked
		exs[p] = f
	}
	for p, f := range exs {
		ch <- prometheus.MustNewConstMetric(c.workers, prometheus.GaugeValue, float64(f.busy), p, "busy")
		ch <- prometheus.MustNewConstMetric(c.workers, prometheus.GaugeValue, float64(f.idle), p, "idle")
		ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(f.waiting), p)
		ch <- prometheus.MustNewConstMetric(c.blockedCalls, prometheus.GaugeValue, float64(f.blocked), p)
	}

	lengths := make(map[string]int)
	for _, nq := range queues {
		lengths[nq.name] += nq.q.Len()
	}
	for name, n := range lengths {
		ch <- prometheus.MustNewConstMetric(c.queueLength, prometheus.GaugeValue, float64(n), name)
	}

	c.duration.Collect(ch)
	c.blocked.Collect(ch)
	c.panics.Collect(ch)
	c.restarts.Collect(ch)
}

// metricPath is a group path as the metrics show it: an unnamed group's
// "#id" becomes "#". Ids differ from run to run and between the groups
// made for each request, and as label values they would make a series per
// group instead of one per place in the program.
func metricPath(path string) string {
	if strings.IndexByte(path, '#') < 0 {
		return path
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "#") {
			segs[i] = "#"
		}
	}
	return strings.Join(segs, "/")
}
