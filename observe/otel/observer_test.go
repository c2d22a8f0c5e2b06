package otel_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit/outcomes"
	nurseryotel "github.com/nursery-go/nursery/observe/otel"
)

// workload runs, in a synctest bubble, a tree of groups whose tasks end in
// every way, under a span named "request", and returns the groups by path.
//
//	root:  ok-1 (1s), ok-2 (2s), fail (1s, error), panic (1s), cancel
//	       (cancelled after 500ms), and one task refused after Wait
//	root/jobs: no task of its own
//	root/jobs/inner: deep (1s)
//	root/work: an unnamed task (1s)
func workload(t *testing.T, p *providers) map[string]*group.Group {
	t.Helper()
	ctx, req := p.tp.Tracer("test").Start(context.Background(), "request")
	root := group.New(ctx, group.Name("root"),
		group.Observe(nurseryotel.Observer(p.options()...)),
		group.PanicsAsErrors(), group.OnError(func(error) {}), group.OnPanic(func(*group.PanicError) {}))
	outcomes.Start(root)

	jobs := root.Subgroup(group.Name("jobs"))
	inner := jobs.Subgroup(group.Name("inner"))
	inner.Go(outcomes.Sleeper(time.Second, nil), group.Name("deep"))
	work := root.Subgroup(group.Name("work"))
	work.Go(outcomes.Sleeper(time.Second, nil))

	require.NoError(t, inner.Wait())
	require.NoError(t, jobs.Wait())
	require.NoError(t, work.Wait())
	require.NoError(t, root.Wait())
	refused := root.Go(outcomes.Sleeper(0, nil), group.Name("late"))
	require.ErrorIs(t, refused.Err(), group.ErrClosed)
	req.End()
	return map[string]*group.Group{"root": root, "root/jobs": jobs, "root/jobs/inner": inner, "root/work": work}
}

func TestSpansFollowTheGroupTree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProviders()
		workload(t, p)
		spans := p.spans(t)

		// child span → parent span, by name: the group tree under the
		// request the root was made in.
		parents := map[string]string{
			"root":   "request",
			"ok-1":   "root",
			"ok-2":   "root",
			"fail":   "root",
			"panic":  "root",
			"cancel": "root",
			"jobs":   "root",
			"inner":  "jobs",
			"deep":   "inner",
			"work":   "root",
			"#1":     "work",
		}
		require.Len(t, spans, len(parents)+1, "spans: the request's, and one per group and per task that ran")
		trace := spans["request"].SpanContext().TraceID()
		for child, parent := range parents {
			require.Contains(t, spans, child)
			require.Contains(t, spans, parent)
			c, p := spans[child], spans[parent]
			assert.Equal(t, trace, c.SpanContext().TraceID(), "%s's trace", child)
			assert.Equal(t, p.SpanContext().SpanID(), c.Parent().SpanID(), "%s's parent should be %s", child, parent)
		}

		// Each group's span covers its tasks' and subgroups': "jobs",
		// which runs no task of its own, as well.
		for child, parent := range parents {
			if child != "root" {
				assertNested(t, spans[parent], spans[child])
			}
		}
		for _, name := range []string{"root", "jobs", "inner", "work"} {
			assert.Equal(t, codes.Unset, spans[name].Status().Code, "group %s", name)
		}
		assert.Equal(t, "root/jobs/inner", attr(spans["inner"], "nursery.group").AsString())
		assert.Equal(t, "root/jobs/inner", attr(spans["deep"], "nursery.group").AsString())
		assert.Equal(t, "deep", attr(spans["deep"], "nursery.task.name").AsString())
		assert.Equal(t, int64(1), attr(spans["deep"], "nursery.task.id").AsInt64())
		assert.Equal(t, int64(1), attr(spans["#1"], "nursery.task.id").AsInt64())

		tests := []struct {
			task   string
			state  string
			status codes.Code
			took   time.Duration
		}{
			{"ok-1", "succeeded", codes.Unset, time.Second},
			{"ok-2", "succeeded", codes.Unset, 2 * time.Second},
			{"deep", "succeeded", codes.Unset, time.Second},
			{"#1", "succeeded", codes.Unset, time.Second},
			{"fail", "failed", codes.Error, time.Second},
			{"panic", "failed", codes.Error, time.Second},
			{"cancel", "canceled", codes.Unset, 500 * time.Millisecond},
		}
		for _, tt := range tests {
			s := spans[tt.task]
			assert.Equal(t, tt.state, attr(s, "nursery.task.state").AsString(), "%s's state", tt.task)
			assert.Equal(t, tt.status, s.Status().Code, "%s's status", tt.task)
			assert.Equal(t, tt.took, s.EndTime().Sub(s.StartTime()), "%s's length", tt.task)
		}
		assert.Equal(t, "boom", spans["fail"].Status().Description)
		require.Len(t, spans["fail"].Events(), 1)
		assert.Equal(t, "exception", spans["fail"].Events()[0].Name)

		require.Len(t, spans["panic"].Events(), 1)
		ev := spans["panic"].Events()[0]
		assert.Equal(t, "exception", ev.Name)
		attrs := map[string]string{}
		for _, kv := range ev.Attributes {
			attrs[string(kv.Key)] = kv.Value.AsString()
		}
		assert.Equal(t, "string", attrs["exception.type"])
		assert.Contains(t, attrs["exception.message"], "kaboom")
		assert.Contains(t, attrs["exception.stacktrace"], "outcomes.Start", "the stack of the panic, in the task that panicked")
		assert.Contains(t, spans["panic"].Status().Description, "kaboom")
	})
}

func TestMetricsEqualStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProviders()
		groups := workload(t, p)
		rm := p.metrics(t)

		for path, g := range groups {
			st := g.Stats()
			finished := func(s string) int64 { return sum(t, rm, "nursery.task.finished", grp(path), state(s)) }
			assert.Equal(t, st.Succeeded, finished("succeeded"), "%s succeeded", path)
			assert.Equal(t, st.Failed, finished("failed"), "%s failed", path)
			assert.Equal(t, st.Canceled, finished("canceled"), "%s canceled", path)
			assert.Equal(t, st.Refused, finished("refused"), "%s refused", path)
			assert.Equal(t, st.Spawned-st.Refused, sum(t, rm, "nursery.task.started", grp(path)), "%s started", path)
			assert.Equal(t, st.Running, sum(t, rm, "nursery.task.running", grp(path)), "%s running", path)
		}
		// The workload's own figures, so that a Stats that changed
		// meaning would not pass unnoticed.
		assert.Equal(t, group.Stats{Spawned: 6, Succeeded: 2, Failed: 2, Canceled: 1, Refused: 1}, groups["root"].Stats())
		assert.Equal(t, int64(1), sum(t, rm, "nursery.task.panics", grp("root")))

		tests := []struct {
			path, state string
			count       uint64
			sum         float64
		}{
			{"root", "succeeded", 2, 3},
			{"root", "failed", 2, 2},
			{"root", "canceled", 1, 0.5},
			{"root/jobs/inner", "succeeded", 1, 1},
			{"root/work", "succeeded", 1, 1},
		}
		for _, tt := range tests {
			dp := histogram(t, rm, "nursery.task.duration", grp(tt.path), state(tt.state))
			assert.Equal(t, tt.count, dp.Count, "%s %s count", tt.path, tt.state)
			assert.InDelta(t, tt.sum, dp.Sum, 1e-9, "%s %s sum", tt.path, tt.state)
		}
	})
}

func TestUnnamedGroupsShareASeries(t *testing.T) {
	p := newProviders()
	root := group.New(context.Background(), group.Observe(nurseryotel.Observer(p.options()...)))
	for range 3 {
		sg := root.Subgroup()
		sg.Go(outcomes.Sleeper(0, nil))
		require.NoError(t, sg.Wait())
	}
	require.NoError(t, root.Wait())
	rm := p.metrics(t)
	assert.Equal(t, int64(3), sum(t, rm, "nursery.task.finished", grp("#/#"), state("succeeded")))
}

func TestTasksThatNeverRanHaveNoSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProviders()
		root := group.New(context.Background(), group.Name("root"), group.Observe(nurseryotel.Observer(p.options()...)))
		root.Cancel()
		refused := root.Go(outcomes.Sleeper(0, nil), group.Name("refused"))
		require.NoError(t, root.Wait())
		require.ErrorIs(t, refused.Err(), group.ErrClosed)
		// A subgroup of a Closed group is born Closed and reports so.
		late := root.Subgroup(group.Name("late"))
		require.Equal(t, group.Closed, late.State())
		require.ErrorIs(t, late.Go(outcomes.Sleeper(0, nil)).Err(), group.ErrClosed)
		assert.Empty(t, p.rec.Started())
		assert.Empty(t, p.rec.Ended())
		rm := p.metrics(t)
		assert.Equal(t, int64(1), sum(t, rm, "nursery.task.finished", grp("root"), state("refused")))
		assert.Equal(t, int64(1), sum(t, rm, "nursery.task.finished", grp("root/late"), state("refused")))
	})
}

func TestAFailedGroupsSpanFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProviders()
		root := group.New(context.Background(), group.Name("root"), group.Observe(nurseryotel.Observer(p.options()...)))
		// A task of its own, cancelled when sub's failure reaches root.
		root.Go(func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}, group.Name("watch"))
		sub := root.Subgroup(group.Name("sub"))
		sub.Go(outcomes.Sleeper(time.Second, outcomes.ErrBoom), group.Name("fail"))
		require.ErrorIs(t, root.Wait(), outcomes.ErrBoom)
		spans := p.spans(t)
		require.Len(t, spans, 4)
		assert.Equal(t, codes.Error, spans["sub"].Status().Code)
		assert.Equal(t, codes.Error, spans["root"].Status().Code)
		assert.Equal(t, "task fail: boom", spans["root"].Status().Description)
		assert.Equal(t, codes.Error, spans["fail"].Status().Code)
		assert.Equal(t, "canceled", attr(spans["watch"], "nursery.task.state").AsString())
		assertNested(t, spans["root"], spans["sub"])
		assertNested(t, spans["sub"], spans["fail"])
		assertNested(t, spans["root"], spans["watch"])
	})
}

// assertNested asserts that child's span lies within parent's, as a
// group's span covers its subgroups'.
func assertNested(t *testing.T, parent, child sdktrace.ReadOnlySpan) {
	t.Helper()
	assert.Equal(t, parent.SpanContext().SpanID(), child.Parent().SpanID())
	assert.False(t, child.StartTime().Before(parent.StartTime()), "child starts before parent")
	assert.False(t, child.EndTime().After(parent.EndTime()), "child ends after parent")
}

func TestObserverPanicsOnANilOption(t *testing.T) {
	assert.PanicsWithValue(t, "otel: nil Option", func() { nurseryotel.Observer(nil) })
	assert.PanicsWithValue(t, "otel: WithTracerProvider with a nil provider", func() { nurseryotel.WithTracerProvider(nil) })
	assert.PanicsWithValue(t, "otel: WithMeterProvider with a nil provider", func() { nurseryotel.WithMeterProvider(nil) })
}
