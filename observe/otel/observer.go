package otel

import (
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/nursery-go/nursery/group"
)

// scope is the instrumentation scope of every tracer and meter made here.
const scope = "github.com/nursery-go/nursery/observe/otel"

// An Option configures [Observer], [ObserveExecutor] and [ObserveQueue].
type Option interface {
	apply(*options)
}

type options struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithTracerProvider sets the provider of the tracer that records task and
// group spans. The default is the global provider at the time of the call
// ([go.opentelemetry.io/otel.GetTracerProvider]). A no-op provider turns
// tracing off.
//
// WithTracerProvider panics if tp is nil.
func WithTracerProvider(tp trace.TracerProvider) Option {
	if tp == nil {
		panic("otel: WithTracerProvider with a nil provider")
	}
	return optionFunc(func(o *options) { o.tp = tp })
}

// WithMeterProvider sets the provider of the meter that records the
// metrics. The default is the global provider at the time of the call
// ([go.opentelemetry.io/otel.GetMeterProvider]). A no-op provider turns
// metrics off.
//
// WithMeterProvider panics if mp is nil.
func WithMeterProvider(mp metric.MeterProvider) Option {
	if mp == nil {
		panic("otel: WithMeterProvider with a nil provider")
	}
	return optionFunc(func(o *options) { o.mp = mp })
}

func buildOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt == nil {
			panic("otel: nil Option")
		}
		opt.apply(&o)
	}
	if o.tp == nil {
		o.tp = otel.GetTracerProvider()
	}
	if o.mp == nil {
		o.mp = otel.GetMeterProvider()
	}
	return o
}

// Observer returns an observer, for [group.Observe] on a root group, that
// records each task that runs as a span under its group's span and counts
// tasks, their durations, panics, restarts and blocked submitters as
// metrics (see the package doc for the spans and the table of metrics).
// Each call returns an observer with state of its own: give one to each
// root group, or share it between root groups.
//
// Each task costs the observer a span, a map entry and a handful of
// metric updates, and each group in which tasks run a span; see
// BenchmarkGoWithObserver for the measured cost.
//
// Observer panics if an option is nil.
func Observer(opts ...Option) func(group.Event) {
	o := buildOptions(opts)
	ob := &observer{
		spans:   newSpans(o.tp.Tracer(scope)),
		metrics: newTaskMetrics(o.mp.Meter(scope)),
	}
	return ob.observe
}

// observer dispatches events to the spans and the metrics. Both need to
// know at a task's end whether it ran, which only its start told: that is
// what running holds, the span of every task that started and has not
// ended.
type observer struct {
	spans   *spans
	metrics *taskMetrics
	running running
}

// nShards spreads running's entries over maps with a lock each, so that
// tasks starting and ending on different cores seldom wait for each other.
const nShards = 32

// running maps the tasks that started and have not ended to their spans.
// (A sync.Map was measured to cost an allocation per task more.)
type running struct {
	shards [nShards]struct {
		mu sync.Mutex // guards m
		m  map[*group.Task]trace.Span
		_  [48]byte // a shard per cache line
	}
}

func (r *running) store(t *group.Task, sp trace.Span) {
	s := &r.shards[t.ID()%nShards]
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[*group.Task]trace.Span)
	}
	s.m[t] = sp
	s.mu.Unlock()
}

func (r *running) load(t *group.Task) (trace.Span, bool) {
	s := &r.shards[t.ID()%nShards]
	s.mu.Lock()
	sp, ok := s.m[t]
	s.mu.Unlock()
	return sp, ok
}

func (r *running) remove(t *group.Task) (trace.Span, bool) {
	s := &r.shards[t.ID()%nShards]
	s.mu.Lock()
	sp, ok := s.m[t]
	delete(s.m, t)
	s.mu.Unlock()
	return sp, ok
}

func (ob *observer) observe(e group.Event) {
	switch e.Kind {
	case group.TaskStarted:
		ob.metrics.started(e)
		ob.running.store(e.Task, ob.spans.start(e))
	case group.TaskSucceeded, group.TaskFailed, group.TaskPanicked, group.TaskCanceled:
		sp, ran := ob.running.remove(e.Task)
		ob.metrics.finished(e, ran)
		if ran {
			endTask(sp, e)
		}
	case group.TaskRefused:
		ob.metrics.finished(e, false)
	case group.TaskRestarted:
		ob.metrics.restarted(e)
		if e.Task == nil {
			break
		}
		if sp, ok := ob.running.load(e.Task); ok {
			restartEvent(sp, e)
		}
	case group.SubmitBlocked:
		ob.metrics.blocked(e)
	case group.GroupClosed:
		ob.spans.closed(e)
	}
}
