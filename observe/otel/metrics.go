package otel

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/nursery-go/nursery/group"
)

// Bucket boundaries, in seconds: task durations with the boundaries the
// OpenTelemetry semantic conventions advise for durations, and blocked
// submitters from 10µs, since most waits for a worker are short.
var (
	durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	blockedBuckets  = []float64{0.00001, 0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// taskMetrics holds the instruments that events update.
type taskMetrics struct {
	startedN  metric.Int64Counter
	finishedN metric.Int64Counter
	runningN  metric.Int64UpDownCounter
	duration  metric.Float64Histogram
	panics    metric.Int64Counter
	restarts  metric.Int64Counter
	blockedS  metric.Float64Histogram
	attrs     attrCache
}

func newTaskMetrics(m metric.Meter) *taskMetrics {
	var tm taskMetrics
	var err error
	// An instrument that fails to be made is still usable (a no-op); the
	// error goes to the global handler, as OpenTelemetry instrumentation
	// does, rather than making the observer fail.
	tm.startedN, err = m.Int64Counter("nursery.task.started",
		metric.WithUnit("{task}"), metric.WithDescription("Tasks whose function was called."))
	handle(err)
	tm.finishedN, err = m.Int64Counter("nursery.task.finished",
		metric.WithUnit("{task}"), metric.WithDescription("Tasks that reached a final state, by state."))
	handle(err)
	tm.runningN, err = m.Int64UpDownCounter("nursery.task.running",
		metric.WithUnit("{task}"), metric.WithDescription("Tasks whose function is running."))
	handle(err)
	tm.duration, err = m.Float64Histogram("nursery.task.duration",
		metric.WithUnit("s"), metric.WithDescription("How long tasks ran, by final state."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	handle(err)
	tm.panics, err = m.Int64Counter("nursery.task.panics",
		metric.WithUnit("{panic}"), metric.WithDescription("Tasks that panicked (also counted as failed)."))
	handle(err)
	tm.restarts, err = m.Int64Counter("nursery.task.restarts",
		metric.WithUnit("{restart}"), metric.WithDescription("Restarts of supervised jobs."))
	handle(err)
	tm.blockedS, err = m.Float64Histogram("nursery.executor.submit.blocked.duration",
		metric.WithUnit("s"), metric.WithDescription("How long submitters waited for an executor's worker."),
		metric.WithExplicitBucketBoundaries(blockedBuckets...))
	handle(err)
	return &tm
}

func handle(err error) {
	if err != nil {
		otel.Handle(err)
	}
}

// bg is the context of every measurement: an observer is given none, and
// the measurements here take nothing from one.
var bg = context.Background()

func (tm *taskMetrics) started(e group.Event) {
	a := tm.attrs.get(e.Group.Path())
	tm.startedN.Add(bg, 1, a.add...)
	tm.runningN.Add(bg, 1, a.add...)
}

// finished counts a task that reached its final state; ran says whether
// its function was called (whether it was counted as started).
func (tm *taskMetrics) finished(e group.Event, ran bool) {
	a := tm.attrs.get(e.Group.Path())
	st := finalState(e.Kind)
	tm.finishedN.Add(bg, 1, a.addState[st]...)
	if e.Kind == group.TaskPanicked {
		tm.panics.Add(bg, 1, a.add...)
	}
	if ran {
		tm.runningN.Add(bg, -1, a.add...)
		tm.duration.Record(bg, e.Duration.Seconds(), a.recState[st]...)
	}
}

func (tm *taskMetrics) restarted(e group.Event) {
	tm.restarts.Add(bg, 1, tm.attrs.get(e.Group.Path()).add...)
}

func (tm *taskMetrics) blocked(e group.Event) {
	tm.blockedS.Record(bg, e.Duration.Seconds(), tm.attrs.get(e.Group.Path()).rec...)
}

// groupAttrs holds a group's attribute sets, made once per metric path,
// as the option slices that Add and Record take: passed with "...", they
// cost no allocation per measurement.
type groupAttrs struct {
	add      []metric.AddOption
	rec      []metric.RecordOption
	addState [group.Refused + 1][]metric.AddOption // by final state
	recState [group.Refused + 1][]metric.RecordOption
}

// maxRawPaths bounds the paths with ids that attrCache keeps: a program
// that makes an unnamed subgroup per request has as many of those as
// requests, and past the bound each costs its conversion instead.
const maxRawPaths = 1024

// attrCache maps group paths to their attribute sets without an
// allocation for a path seen before.
type attrCache struct {
	m   sync.Map // path (or metric path) → *groupAttrs
	raw atomic.Int64
}

func (c *attrCache) get(path string) *groupAttrs {
	if v, ok := c.m.Load(path); ok {
		return v.(*groupAttrs)
	}
	mp := metricPath(path)
	v, ok := c.m.Load(mp)
	if !ok {
		v, _ = c.m.LoadOrStore(mp, newGroupAttrs(mp))
	}
	if mp != path && c.raw.Load() < maxRawPaths {
		c.raw.Add(1)
		c.m.Store(path, v)
	}
	return v.(*groupAttrs)
}

func newGroupAttrs(mp string) *groupAttrs {
	set := metric.WithAttributeSet(attribute.NewSet(keyGroup.String(mp)))
	a := &groupAttrs{add: []metric.AddOption{set}, rec: []metric.RecordOption{set}}
	for _, st := range []group.TaskState{group.Succeeded, group.Failed, group.Canceled, group.Refused} {
		set := metric.WithAttributeSet(attribute.NewSet(keyGroup.String(mp), keyState.String(st.String())))
		a.addState[st] = []metric.AddOption{set}
		a.recState[st] = []metric.RecordOption{set}
	}
	return a
}

// metricPath is a group path as metrics show it: an unnamed group's "#id"
// becomes "#". Ids differ from run to run and between the groups made for
// each request, and as attribute values they would make a series per
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
