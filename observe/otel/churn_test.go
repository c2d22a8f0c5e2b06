package otel_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit/outcomes"
	nurseryotel "github.com/nursery-go/nursery/observe/otel"
)

// TestChurn starts many groups and tasks from many goroutines at once,
// among them two sibling groups with the same name under each subgroup,
// and checks that every span hangs under the span of its own group, every
// group span under its parent group's, that every span has ended by the
// time the root's Wait returns, and that the counts add up.
func TestChurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const subs, tasks = 8, 25
		p := newProviders()
		root := group.New(context.Background(), group.Name("root"),
			group.Observe(nurseryotel.Observer(p.options()...)), group.OnError(func(error) {}))
		var wg sync.WaitGroup
		for i := range subs {
			wg.Go(func() {
				sg := root.Subgroup(group.Name(fmt.Sprintf("s%d", i)))
				twins := [2]*group.Group{sg.Subgroup(group.Name("inner")), sg.Subgroup(group.Name("inner"))}
				for j := range tasks {
					sg.Go(outcomes.Sleeper(0, nil))
					for _, inner := range twins {
						inner.Go(outcomes.Sleeper(0, nil))
					}
					if j%5 == 0 {
						root.Go(outcomes.Sleeper(0, outcomes.ErrBoom))
					}
				}
				for _, inner := range twins {
					assert.NoError(t, inner.Wait())
				}
				assert.NoError(t, sg.Wait())
			})
		}
		wg.Wait()
		require.NoError(t, root.Wait())
		p.allEnded(t)

		groupSpans := map[trace.SpanID]sdktrace.ReadOnlySpan{}
		var taskSpans []sdktrace.ReadOnlySpan
		for _, s := range p.rec.Ended() {
			if attr(s, "nursery.task.id").Type() == attribute.EMPTY {
				groupSpans[s.SpanContext().SpanID()] = s
			} else {
				taskSpans = append(taskSpans, s)
			}
		}
		require.Len(t, groupSpans, 1+3*subs)
		require.Len(t, taskSpans, 3*subs*tasks+subs*tasks/5)
		tasksUnder := map[trace.SpanID]int{}
		for _, s := range taskSpans {
			g, ok := groupSpans[s.Parent().SpanID()]
			require.True(t, ok, "task span %s has no group span as its parent", s.Name())
			assert.Equal(t, attr(g, "nursery.group").AsString(), attr(s, "nursery.group").AsString())
			assertNested(t, g, s)
			tasksUnder[g.SpanContext().SpanID()]++
		}
		for _, s := range groupSpans {
			path := attr(s, "nursery.group").AsString()
			if path == "root" {
				assert.False(t, s.Parent().IsValid(), "the root's span has no parent")
				continue
			}
			parent, ok := groupSpans[s.Parent().SpanID()]
			require.True(t, ok, "group span %s has no group span as its parent", path)
			assert.Equal(t, attr(parent, "nursery.group").AsString()+"/"+s.Name(), path)
			assertNested(t, parent, s)
			// Each subgroup, and each of the twins, ran tasks tasks.
			assert.Equal(t, tasks, tasksUnder[s.SpanContext().SpanID()], "tasks under %s", path)
		}
		rm := p.metrics(t)
		assert.Equal(t, int64(subs*tasks/5), sum(t, rm, "nursery.task.finished", grp("root"), state("failed")))
		assert.Equal(t, int64(2*tasks), sum(t, rm, "nursery.task.finished", grp("root/s3/inner"), state("succeeded")))
		assert.Equal(t, int64(0), sum(t, rm, "nursery.task.running", grp("root/s3/inner")))
	})
}
