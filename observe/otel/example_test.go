package otel_test

import (
	"context"
	"errors"
	"fmt"
	"slices"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/nursery-go/nursery/group"
	nurseryotel "github.com/nursery-go/nursery/observe/otel"
)

// Trace and count the tasks of a group. A real program would give the
// observer no options and set the global providers, with exporters to a
// collector, instead.
func ExampleObserver() {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	root := group.New(context.Background(), group.Name("crawl"),
		group.OnError(func(error) {}), // keep crawling past a failed page
		group.Observe(nurseryotel.Observer(nurseryotel.WithTracerProvider(tp), nurseryotel.WithMeterProvider(mp))))
	for _, page := range []string{"a", "b", "c"} {
		root.Go(func(ctx context.Context) error {
			if page == "b" {
				return errors.New("404")
			}
			return nil
		}, group.Name("fetch "+page))
	}
	_ = root.Wait()

	// A task's span ends with the task, the group's before Wait returns.
	// The group did not fail: the handler took the failure of "fetch b".
	var lines []string
	for _, s := range exporter.GetSpans() {
		lines = append(lines, fmt.Sprintf("span %q status=%s %q", s.Name, s.Status.Code, s.Status.Description))
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name != "nursery.task.finished" {
			continue
		}
		for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
			st, _ := dp.Attributes.Value("nursery.task.state")
			g, _ := dp.Attributes.Value("nursery.group")
			lines = append(lines, fmt.Sprintf("%s{group=%s,state=%s} %d", m.Name, g.String(), st.String(), dp.Value))
		}
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// nursery.task.finished{group=crawl,state=failed} 1
	// nursery.task.finished{group=crawl,state=succeeded} 2
	// span "crawl" status=Unset ""
	// span "fetch a" status=Unset ""
	// span "fetch b" status=Error "404"
	// span "fetch c" status=Unset ""
}
