package otel_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	nurseryotel "github.com/nursery-go/nursery/observe/otel"
)

// providers are an SDK tracer provider that records every ended span and
// an SDK meter provider read on demand.
type providers struct {
	rec    *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newProviders() *providers {
	p := &providers{rec: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	p.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p.rec))
	p.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(p.reader))
	return p
}

func (p *providers) options() []nurseryotel.Option {
	return []nurseryotel.Option{nurseryotel.WithTracerProvider(p.tp), nurseryotel.WithMeterProvider(p.mp)}
}

// spans returns the ended spans by name; names must be unique.
func (p *providers) spans(t *testing.T) map[string]sdktrace.ReadOnlySpan {
	t.Helper()
	byName := make(map[string]sdktrace.ReadOnlySpan)
	for _, s := range p.rec.Ended() {
		_, dup := byName[s.Name()]
		require.False(t, dup, "two spans named %q", s.Name())
		byName[s.Name()] = s
	}
	return byName
}

// allEnded asserts that every span started so far has ended.
func (p *providers) allEnded(t *testing.T) {
	t.Helper()
	require.Len(t, p.rec.Ended(), len(p.rec.Started()), "spans started and not ended")
}

// metrics collects the metrics now.
func (p *providers) metrics(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, p.reader.Collect(context.Background(), &rm))
	return rm
}

func find(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Metrics {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return metricdata.Metrics{}
}

// sum returns the value of the data point of the int64 sum name with
// exactly the attributes kv, or 0 if there is none.
func sum(t *testing.T, rm metricdata.ResourceMetrics, name string, kv ...attribute.KeyValue) int64 {
	t.Helper()
	want := attribute.NewSet(kv...)
	data, ok := find(t, rm, name).Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is not an int64 sum", name)
	for _, dp := range data.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value
		}
	}
	return 0
}

// histogram returns the data point of the float64 histogram name with
// exactly the attributes kv.
func histogram(t *testing.T, rm metricdata.ResourceMetrics, name string, kv ...attribute.KeyValue) metricdata.HistogramDataPoint[float64] {
	t.Helper()
	want := attribute.NewSet(kv...)
	data, ok := find(t, rm, name).Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is not a float64 histogram", name)
	for _, dp := range data.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp
		}
	}
	t.Fatalf("%s has no point with %v", name, kv)
	return metricdata.HistogramDataPoint[float64]{}
}

func attr(s sdktrace.ReadOnlySpan, key string) attribute.Value {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func grp(path string) attribute.KeyValue { return attribute.String("nursery.group", path) }
func state(s string) attribute.KeyValue  { return attribute.String("nursery.task.state", s) }
