package executor_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// A panic out of any method, on an executor whose one worker is busy (so
// that a blocking path would be taken), leaves it usable: no lock held, no
// reservation lost. Each case panics; the executor then still refuses a
// TrySubmit while busy, takes a Submit once the worker is free, and Waits.
func TestPanicOutOfAMethodLeavesTheExecutorUsable(t *testing.T) {
	var nilCtx context.Context
	ctx := context.Background()
	one := func(context.Context, int) (int, error) { return 1, nil }
	boom := func(yield func(int) bool) { panic("seq") }
	for _, tt := range []struct {
		name string
		call func(ex *executor.Executor)
	}{
		{"Submit nil ctx", func(ex *executor.Executor) { _, _ = ex.Submit(nilCtx, nop) }},
		{"Submit nil fn", func(ex *executor.Executor) { _, _ = ex.Submit(ctx, nil) }},
		{"TrySubmit nil fn", func(ex *executor.Executor) { _, _ = ex.TrySubmit(nil) }},
		{"Enqueue nil fn", func(ex *executor.Executor) { _, _ = ex.Enqueue(nil) }},
		{"Async nil ctx", func(ex *executor.Executor) {
			_, _ = executor.Async(nilCtx, ex, func(context.Context) (int, error) { return 1, nil })
		}},
		{"Async nil fn", func(ex *executor.Executor) { _, _ = executor.Async[int](ctx, ex, nil) }},
		{"EnqueueAsync nil fn", func(ex *executor.Executor) { _, _ = executor.EnqueueAsync[int](ex, nil) }},
		{"Exec nil ctx", func(ex *executor.Executor) {
			_, _ = executor.Exec(nilCtx, ex, func(context.Context) (int, error) { return 1, nil })
		}},
		{"Map nil ctx", func(ex *executor.Executor) { executor.Map(nilCtx, ex, slices.Values([]int{1}), one) }},
		{"Map whose source panics", func(ex *executor.Executor) {
			for range executor.Map(ctx, ex, boom, one) {
			}
		}},
		{"MapUnordered whose source panics", func(ex *executor.Executor) {
			for range executor.MapUnordered(ctx, ex, boom, one) {
			}
		}},
		{"MapBatches nil ctx", func(ex *executor.Executor) {
			executor.MapBatches(nilCtx, ex, slices.Values([]int{1}), one, time.Second)
		}},
		{"Cancel nil ctx", func(ex *executor.Executor) { _, _ = ex.Cancel(nilCtx) }},
		{"Cancel nil task", func(ex *executor.Executor) { _, _ = ex.Cancel(ctx, nil) }},
		{"Shutdown nil ctx", func(ex *executor.Executor) { _ = ex.Shutdown(nilCtx) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(ctx)
				ex, gt := busy(t, g)
				<-gt.started
				require.NotNil(t, testkit.Catch(func() { tt.call(ex) }), "it did not panic")
				requireUsable(t, ex, gt)
				require.NoError(t, g.Close())
			})
		})
	}
}

// A group observer that panics when it hears of a blocked submitter's
// admission (user code, run by Submit) does not cost the executor the
// worker reserved for that submitter.
func TestPanickingObserverOfABlockedSubmitLosesNoWorker(t *testing.T) {
	for _, depth := range []int{0, 2} { // admitted to a worker, or to the queue
		t.Run(fmt.Sprintf("QueueDepth=%d", depth), func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background(), group.Observe(func(e group.Event) {
					if e.Kind == group.SubmitBlocked {
						panic("observer")
					}
				}))
				ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(depth))
				gt := newGate()
				for range 1 + depth {
					_, err := ex.Submit(context.Background(), gt.job)
					require.NoError(t, err)
				}
				<-gt.started
				panicked := make(chan any, 1)
				go func() { panicked <- testkit.Catch(func() { _, _ = ex.Submit(context.Background(), nop) }) }()
				synctest.Wait()
				gt.open()
				require.Equal(t, "observer", <-panicked)
				if depth > 0 {
					// The place in the queue went back: the queue has
					// room for depth jobs again behind a busy worker.
					synctest.Wait()
					gt = newGate()
					_, err := ex.Submit(context.Background(), gt.job)
					require.NoError(t, err)
					for range depth {
						_, ok := ex.TrySubmit(nop)
						require.True(t, ok, "the queue has room")
					}
					_, ok := ex.TrySubmit(nop)
					require.False(t, ok, "the queue is full")
				}
				requireUsable(t, ex, gt)
				require.NoError(t, g.Close())
			})
		})
	}
}

// requireUsable checks, in a bubble, that ex, whose one worker may still be
// busy on gt, answers and works: Stats does not block, a Submit gets the
// worker once gt is open, and Wait returns.
func requireUsable(t *testing.T, ex *executor.Executor, gt *gate) {
	t.Helper()
	_ = ex.Stats()
	gt.open()
	synctest.Wait() // the worker is free: the Submit below need not block
	task, err := ex.Submit(context.Background(), nop)
	require.NoError(t, err)
	<-task.Done()
	require.NoError(t, task.Err())
	require.NoError(t, ex.Wait())
	require.Zero(t, ex.Stats().Workers, "a worker left behind")
}
