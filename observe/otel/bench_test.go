package otel_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/nursery-go/nursery/group"
	nurseryotel "github.com/nursery-go/nursery/observe/otel"
)

// tasksPerOp is how many tasks each iteration starts and waits for; the
// benchmarks report ns/task.
const tasksPerOp = 100

// goWait starts tasksPerOp tiny tasks in a new group made with opts and
// waits for them, b.N times.
func goWait(b *testing.B, opts ...group.Option) {
	b.ReportAllocs()
	nop := func(context.Context) error { return nil }
	opts = append(opts, group.Name("bench"))
	for b.Loop() {
		g := group.New(context.Background(), opts...)
		for range tasksPerOp {
			g.Go(nop)
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tasksPerOp), "ns/task")
}

// discard is a span exporter that drops what it is given.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

func BenchmarkGoWithout(b *testing.B) {
	goWait(b)
}

// BenchmarkGoWithObserver measures the observer as a service would run
// it: SDK providers, spans batched to an exporter (one that drops them),
// metrics aggregated for a reader that is not read during the run.
func BenchmarkGoWithObserver(b *testing.B) {
	b.Run("traces+metrics", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}))
		defer func() { _ = tp.Shutdown(context.Background()) }()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		goWait(b, group.Observe(nurseryotel.Observer(nurseryotel.WithTracerProvider(tp), nurseryotel.WithMeterProvider(mp))))
	})
	b.Run("metrics", func(b *testing.B) {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		goWait(b, group.Observe(nurseryotel.Observer(nurseryotel.WithTracerProvider(tracenoop.NewTracerProvider()), nurseryotel.WithMeterProvider(mp))))
	})
	b.Run("noop", func(b *testing.B) {
		goWait(b, group.Observe(nurseryotel.Observer(nurseryotel.WithTracerProvider(tracenoop.NewTracerProvider()), nurseryotel.WithMeterProvider(noop.NewMeterProvider()))))
	})
}
