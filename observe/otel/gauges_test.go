package otel_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit/outcomes"
	nurseryotel "github.com/nursery-go/nursery/observe/otel"
	"github.com/nursery-go/nursery/queue"
	"github.com/nursery-go/nursery/resource"
)

func TestExecutorAndQueueFigures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProviders()
		root := group.New(context.Background(), group.Name("root"), group.Observe(nurseryotel.Observer(p.options()...)))
		ex := executor.New(root, executor.Name("pool"), executor.MaxWorkers(3))
		reg, err := nurseryotel.ObserveExecutor(ex, nurseryotel.WithMeterProvider(p.mp))
		require.NoError(t, err)
		defer func() { require.NoError(t, reg.Unregister()) }()
		q := queue.New[int](8)
		qreg, err := nurseryotel.ObserveQueue("jobs", q, nurseryotel.WithMeterProvider(p.mp))
		require.NoError(t, err)
		defer func() { require.NoError(t, qreg.Unregister()) }()

		release := make(chan struct{})
		hold := func(context.Context) error { <-release; return nil }
		for range 2 {
			_, err := ex.Submit(context.Background(), hold)
			require.NoError(t, err)
		}
		synctest.Wait()
		rm := p.metrics(t)
		pool := grp("root/pool")
		busy := attribute.String("nursery.executor.worker.state", "busy")
		idle := attribute.String("nursery.executor.worker.state", "idle")
		assert.Equal(t, int64(2), sum(t, rm, "nursery.executor.workers", pool, busy))
		assert.Equal(t, int64(1), sum(t, rm, "nursery.executor.workers", pool, idle))

		_, err = ex.Submit(context.Background(), hold)
		require.NoError(t, err)
		_, err = ex.Enqueue(hold) // waits in the backlog
		require.NoError(t, err)
		submitted := make(chan error, 1) // one send, by the submitter below
		go func() {
			_, err := ex.Submit(context.Background(), hold)
			submitted <- err
		}()
		for i := range 3 {
			require.NoError(t, q.Put(context.Background(), i))
		}
		synctest.Wait()
		rm = p.metrics(t)
		assert.Equal(t, int64(3), sum(t, rm, "nursery.executor.workers", pool, busy))
		assert.Equal(t, int64(0), sum(t, rm, "nursery.executor.workers", pool, idle))
		assert.Equal(t, int64(1), sum(t, rm, "nursery.executor.jobs.waiting", pool))
		assert.Equal(t, int64(1), sum(t, rm, "nursery.executor.submitters.blocked", pool))
		assert.Equal(t, int64(3), sum(t, rm, "nursery.queue.length", attribute.String("nursery.queue.name", "jobs")))

		time.Sleep(2 * time.Second) // how long the submitter stays blocked
		close(release)
		require.NoError(t, <-submitted)
		require.NoError(t, ex.Wait())
		require.NoError(t, root.Wait())
		synctest.Wait()
		rm = p.metrics(t)
		dp := histogram(t, rm, "nursery.executor.submit.blocked.duration", pool)
		assert.Equal(t, uint64(1), dp.Count)
		assert.InDelta(t, 2.0, dp.Sum, 1e-9)
		st := ex.Stats()
		assert.Equal(t, int64(5), st.Succeeded)
		assert.Equal(t, st.Succeeded, sum(t, rm, "nursery.task.finished", pool, state("succeeded")))
		assert.Equal(t, int64(0), sum(t, rm, "nursery.executor.workers", pool, busy))
		assert.Equal(t, int64(3), sum(t, rm, "nursery.executor.workers", pool, idle))
	})
}

func TestRestartIsAnEventOfTheSupervisorsSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProviders()
		root := group.New(context.Background(), group.Name("root"), group.Observe(nurseryotel.Observer(p.options()...)))
		runs := 0
		sup := resource.Supervise(root, "sup", func(context.Context) error {
			runs++
			if runs == 1 {
				return outcomes.ErrBoom
			}
			return resource.ErrStop
		}, resource.Spec{})
		<-sup.Done()
		require.NoError(t, sup.Err())
		require.NoError(t, root.Wait())

		rm := p.metrics(t)
		assert.Equal(t, int64(1), sum(t, rm, "nursery.task.restarts", grp("root")))
		var supSpan []string
		for _, s := range p.rec.Ended() {
			if s.Name() != "sup" || attr(s, "nursery.task.id").Type() == attribute.EMPTY {
				continue // the supervisor's subgroup, also named sup
			}
			for _, ev := range s.Events() {
				supSpan = append(supSpan, ev.Name)
				got := map[attribute.Key]attribute.Value{}
				for _, kv := range ev.Attributes {
					got[kv.Key] = kv.Value
				}
				assert.Equal(t, int64(1), got["nursery.restart.attempt"].AsInt64())
				assert.Positive(t, got["nursery.restart.backoff"].AsFloat64())
				assert.Contains(t, got["exception.message"].AsString(), "boom")
			}
		}
		assert.Equal(t, []string{"nursery.task.restart"}, supSpan)
	})
}
