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
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/nursery-go/nursery/internal/testkit/outcomes"
	nurseryotel "github.com/nursery-go/nursery/observe/otel"
)

// exported returns the names of the spans that exporter holds, in the
// order they ended.
func exported(exporter *tracetest.InMemoryExporter) []string {
	var names []string
	for _, s := range exporter.GetSpans() {
		names = append(names, s.Name)
	}
	return names
}

// A group's span has ended, and been handed to a synchronous exporter, by
// the time the call that waits for the group returns: no goroutine ends it
// later, and none is left behind.
func TestGroupSpansEndBeforeTheWaitReturns(t *testing.T) {
	tests := []struct {
		name string
		end  func(*group.Group) error
	}{
		{"Wait", (*group.Group).Wait},
		{"Close", (*group.Group).Close},
		{"Shutdown", func(g *group.Group) error { return g.Shutdown(context.Background()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exporter := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
			root := group.New(context.Background(), group.Name("root"),
				group.Observe(nurseryotel.Observer(nurseryotel.WithTracerProvider(tp))))
			sub := root.Subgroup(group.Name("sub"))
			sub.Go(outcomes.Sleeper(0, nil), group.Name("leaf"))
			release := make(chan struct{})
			root.Go(func(context.Context) error { <-release; return nil }, group.Name("hold"))

			require.NoError(t, tt.end(sub))
			assert.Equal(t, []string{"leaf", "sub"}, exported(exporter), "after sub's %s", tt.name)

			close(release)
			require.NoError(t, tt.end(root))
			assert.Equal(t, []string{"leaf", "sub", "hold", "root"}, exported(exporter), "after root's %s", tt.name)
			goleak.VerifyNone(t)
		})
	}
}

// While a group is closing, no goroutine waits for it to be Closed in
// order to end its span (as a context.AfterFunc on its context would).
func TestNoGoroutineWaitsForAGroupToClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		idle := testkit.BubbleGoroutines() // the test's and synctest's own
		p := newProviders()
		root := group.New(context.Background(), group.Name("root"), group.Observe(nurseryotel.Observer(p.options()...)))
		release := make(chan struct{})
		// A task that ignores its context, so that root stays closing.
		root.Go(func(context.Context) error { <-release; return nil }, group.Name("stubborn"))
		synctest.Wait()
		require.Equal(t, idle+1, testkit.BubbleGoroutines(), "goroutines with the task running")

		root.Cancel()
		synctest.Wait()
		require.Equal(t, group.Closing, root.State())
		assert.Equal(t, idle+1, testkit.BubbleGoroutines(), "goroutines once root's context is cancelled")

		close(release)
		require.NoError(t, root.Wait())
		p.allEnded(t)
		assert.Len(t, p.rec.Ended(), 2)
		synctest.Wait() // for the task's goroutine to exit
		assert.Equal(t, idle, testkit.BubbleGoroutines(), "goroutines once root is Closed")
	})
}

// Sibling groups with the same name, and a group whose name holds a "/"
// next to a group and subgroup that spell the same path, each have a
// span of their own under their own parent's.
func TestSiblingsWithTheSameNameHaveTheirOwnSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProviders()
		root := group.New(context.Background(), group.Name("root"), group.Observe(nurseryotel.Observer(p.options()...)))
		// Two "job"s at once, and a third after the first has closed.
		job1 := root.Subgroup(group.Name("job"))
		job2 := root.Subgroup(group.Name("job"))
		job1.Go(outcomes.Sleeper(time.Second, nil), group.Name("t1"))
		job2.Go(outcomes.Sleeper(2*time.Second, nil), group.Name("t2"))
		require.NoError(t, job1.Wait())
		job3 := root.Subgroup(group.Name("job"))
		job3.Go(outcomes.Sleeper(time.Second, nil), group.Name("t3"))
		// Both are root/a/b by path.
		slash := root.Subgroup(group.Name("a/b"))
		slash.Go(outcomes.Sleeper(time.Second, nil), group.Name("x"))
		a := root.Subgroup(group.Name("a"))
		b := a.Subgroup(group.Name("b"))
		b.Go(outcomes.Sleeper(time.Second, nil), group.Name("y"))
		for _, g := range []*group.Group{job2, job3, slash, b, a, root} {
			require.NoError(t, g.Wait())
		}
		p.allEnded(t)

		byName := map[string][]sdktrace.ReadOnlySpan{}
		for _, s := range p.rec.Ended() {
			byName[s.Name()] = append(byName[s.Name()], s)
		}
		jobs := byName["job"]
		require.Len(t, jobs, 3)
		ids := map[[8]byte]bool{}
		for _, j := range jobs {
			ids[j.SpanContext().SpanID()] = true
			assert.Equal(t, "root/job", attr(j, "nursery.group").AsString())
		}
		assert.Len(t, ids, 3, "three distinct job spans")

		one := func(name string) sdktrace.ReadOnlySpan {
			t.Helper()
			require.Len(t, byName[name], 1, "spans named %q", name)
			return byName[name][0]
		}
		parentOf := func(child string) sdktrace.ReadOnlySpan {
			t.Helper()
			for _, ss := range byName {
				for _, s := range ss {
					if s.SpanContext().SpanID() == one(child).Parent().SpanID() {
						return s
					}
				}
			}
			t.Fatalf("%s's parent span is missing", child)
			return nil
		}
		// Each task under its own job, each job under root.
		seen := map[[8]byte]bool{}
		for _, task := range []string{"t1", "t2", "t3"} {
			j := parentOf(task)
			assert.Equal(t, "job", j.Name(), "%s's parent", task)
			assert.False(t, seen[j.SpanContext().SpanID()], "%s shares its job's span", task)
			seen[j.SpanContext().SpanID()] = true
			assert.Equal(t, one("root").SpanContext().SpanID(), j.Parent().SpanID(), "%s's job's parent", task)
			assertNested(t, j, one(task))
		}

		assert.Equal(t, "a/b", parentOf("x").Name())
		assert.Equal(t, "root", parentOf("a/b").Name())
		assert.Equal(t, "b", parentOf("y").Name())
		assert.Equal(t, "a", parentOf("b").Name())
		assert.Equal(t, "root", parentOf("a").Name())
		assert.Equal(t, "root/a/b", attr(one("a/b"), "nursery.group").AsString())
		assert.Equal(t, "root/a/b", attr(one("b"), "nursery.group").AsString())
	})
}

// A group that fails only through its subgroups, with no task of its own,
// has the status Error, as do its ancestors; a group that was only
// cancelled keeps Unset.
func TestAGroupWithOnlySubgroupsFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProviders()
		root := group.New(context.Background(), group.Name("root"), group.Observe(nurseryotel.Observer(p.options()...)))
		mid := root.Subgroup(group.Name("mid"))
		leaf := mid.Subgroup(group.Name("leaf"))
		leaf.Go(outcomes.Sleeper(time.Second, outcomes.ErrBoom), group.Name("fail"))
		calm := root.Subgroup(group.Name("calm"))
		waiter := calm.Subgroup(group.Name("waiter"))
		waiter.Go(func(ctx context.Context) error {
			<-ctx.Done() // until the failure cancels it
			return ctx.Err()
		}, group.Name("wait"))
		require.ErrorIs(t, leaf.Wait(), outcomes.ErrBoom)
		require.ErrorIs(t, mid.Wait(), outcomes.ErrBoom)
		// Wait reports the cancellation; the groups themselves did not fail.
		require.ErrorIs(t, waiter.Wait(), context.Canceled)
		require.ErrorIs(t, calm.Wait(), context.Canceled)
		require.ErrorIs(t, root.Wait(), outcomes.ErrBoom)
		p.allEnded(t)

		spans := p.spans(t)
		require.Len(t, spans, 7)
		tests := []struct {
			span string
			code codes.Code
			desc string
		}{
			{"fail", codes.Error, "boom"},
			{"leaf", codes.Error, "task fail: boom"},
			{"mid", codes.Error, "task fail: boom"},
			{"root", codes.Error, "task fail: boom"},
			{"wait", codes.Unset, ""},
			{"waiter", codes.Unset, ""},
			{"calm", codes.Unset, ""},
		}
		for _, tt := range tests {
			assert.Equal(t, tt.code, spans[tt.span].Status().Code, "%s's status", tt.span)
			assert.Equal(t, tt.desc, spans[tt.span].Status().Description, "%s's description", tt.span)
		}
		assert.Equal(t, "canceled", attr(spans["wait"], "nursery.task.state").AsString())
		assertNested(t, spans["root"], spans["mid"])
		assertNested(t, spans["mid"], spans["leaf"])
		assertNested(t, spans["leaf"], spans["fail"])
		assertNested(t, spans["root"], spans["calm"])
		assertNested(t, spans["calm"], spans["waiter"])
	})
}
