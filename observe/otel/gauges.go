package otel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/nursery-go/nursery/executor"
)

// Attribute keys of the executor and queue metrics.
const (
	keyWorkerState = attribute.Key("nursery.executor.worker.state")
	keyQueue       = attribute.Key("nursery.queue.name")
)

// ObserveExecutor reports ex's figures each time the meter collects:
// its workers busy and idle (nursery.executor.workers, an idle worker
// being a free place under MaxWorkers: nursery keeps no idle goroutine),
// jobs waiting for a worker (nursery.executor.jobs.waiting) and blocked
// submitters (nursery.executor.submitters.blocked), each with the
// executor's group path as nursery.group. It reads [executor.Executor.Stats]
// then and costs nothing in between. Of opts only [WithMeterProvider]
// applies.
//
// Unregister the returned registration to stop reporting; until then the
// meter holds ex, and a closed executor reports its final figures.
//
// ObserveExecutor panics if ex or an option is nil.
func ObserveExecutor(ex *executor.Executor, opts ...Option) (metric.Registration, error) {
	if ex == nil {
		panic("otel: ObserveExecutor with a nil executor")
	}
	m := buildOptions(opts).mp.Meter(scope)
	workers, err := m.Int64ObservableUpDownCounter("nursery.executor.workers",
		metric.WithUnit("{worker}"), metric.WithDescription("An executor's workers: busy running a job, or idle places under its limit."))
	if err != nil {
		return nil, err
	}
	waiting, err := m.Int64ObservableUpDownCounter("nursery.executor.jobs.waiting",
		metric.WithUnit("{job}"), metric.WithDescription("Jobs accepted by an executor and waiting for a worker."))
	if err != nil {
		return nil, err
	}
	blocked, err := m.Int64ObservableUpDownCounter("nursery.executor.submitters.blocked",
		metric.WithUnit("{submitter}"), metric.WithDescription("Calls blocked in an executor's Submit, Async or Exec."))
	if err != nil {
		return nil, err
	}
	path := keyGroup.String(metricPath(ex.Group().Path()))
	at := metric.WithAttributeSet(attribute.NewSet(path))
	busy := metric.WithAttributeSet(attribute.NewSet(path, keyWorkerState.String("busy")))
	idle := metric.WithAttributeSet(attribute.NewSet(path, keyWorkerState.String("idle")))
	return m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := ex.Stats()
		o.ObserveInt64(workers, st.Workers, busy)
		o.ObserveInt64(workers, max(int64(ex.MaxWorkers())-st.Workers, 0), idle)
		o.ObserveInt64(waiting, st.Waiting, at)
		o.ObserveInt64(blocked, st.Blocked, at)
		return nil
	}, workers, waiting, blocked)
}

// ObserveQueue reports q.Len() as nursery.queue.length, with name as
// nursery.queue.name, each time the meter collects. q is usually a
// [github.com/nursery-go/nursery/queue.Queue]. Of opts only
// [WithMeterProvider] applies.
//
// Unregister the returned registration to stop reporting; until then the
// meter holds q.
//
// ObserveQueue panics if q or an option is nil.
func ObserveQueue(name string, q interface{ Len() int }, opts ...Option) (metric.Registration, error) {
	if q == nil {
		panic("otel: ObserveQueue with a nil queue")
	}
	m := buildOptions(opts).mp.Meter(scope)
	length, err := m.Int64ObservableUpDownCounter("nursery.queue.length",
		metric.WithUnit("{item}"), metric.WithDescription("Items in a queue."))
	if err != nil {
		return nil, err
	}
	at := metric.WithAttributeSet(attribute.NewSet(keyQueue.String(name)))
	return m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(length, int64(q.Len()), at)
		return nil
	}, length)
}
