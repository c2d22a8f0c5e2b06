package executor_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// A job of MapUnordered (a runner, as in Map) runs its item and then the
// items taken meanwhile that no job has started. As in maprun_test.go
// (whose first tests run for both streams), these tests hold the first
// item until the ranging goroutine has taken the others, then look at how
// many jobs ran them.

// unorderedHeld is held for MapUnordered.
func unorderedHeld(ex *executor.Executor, n int, release <-chan struct{}, fn func(context.Context, int) (int, error)) func() ([]int, []error) {
	return held(executor.MapUnordered[int, int], ex, n, release, fn)
}

func TestMapUnorderedJobEndsWithItsFirstFailure(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors())
		release := make(chan struct{})
		results := unorderedHeld(ex, 5, release, func(_ context.Context, v int) (int, error) {
			if v == 2 {
				return 0, errBoom
			}
			return v, nil
		})
		synctest.Wait()
		close(release)
		vals, errs := results()
		require.Equal(t, []int{0, 1, 0, 3, 4}, vals)
		require.Equal(t, []error{nil, nil, errBoom, nil, nil}, errs)
		require.NoError(t, ex.Wait())
		st := ex.Stats()
		// Items 0 to 2, then 3 and 4 in a new job while the consumer
		// waits for a result; all in one job that goes on past the
		// failure if it is elsewhere (see stall_test.go), a matter of
		// timing here. Either way one job ends failed.
		require.True(t, st.Submitted == 1 || st.Submitted == 2, "jobs: %d", st.Submitted)
		require.Equal(t, int64(1), st.Failed, "the job that ended with the failed item")
		require.Equal(t, st.Submitted-1, st.Succeeded)
		require.NoError(t, g.Close())
	})
}

// Under fail-fast the first failure ends its job and closes the executor:
// the items taken meanwhile never start, the results before it are
// yielded, then the failure, once.
func TestMapUnorderedFailureUnderFailFastStartsNothingMore(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1))
		var ran atomic.Int64
		release := make(chan struct{})
		results := unorderedHeld(ex, 5, release, func(_ context.Context, v int) (int, error) {
			ran.Add(1)
			if v == 1 {
				return 0, errBoom
			}
			return v, nil
		})
		synctest.Wait()
		close(release)
		vals, errs := results()
		require.Equal(t, []error{nil, errBoom}, errs)
		require.Equal(t, []int{0, 0}, vals)
		require.Equal(t, int64(2), ran.Load(), "items 2 to 4 never started")
		require.ErrorIs(t, ex.Wait(), errBoom)
		st := ex.Stats()
		require.Equal(t, int64(1), st.Submitted)
		require.Equal(t, int64(1), st.Failed)
		require.ErrorIs(t, g.Close(), errBoom)
	})
}

func TestMapUnorderedItemsAfterAPanicRunInAnotherJob(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background(), group.PanicsAsErrors(), quiet())
		ex := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors())
		release := make(chan struct{})
		results := unorderedHeld(ex, 4, release, func(_ context.Context, v int) (int, error) {
			if v == 1 {
				panic("boom")
			}
			return v, nil
		})
		synctest.Wait()
		close(release)
		vals, errs := results()
		require.Equal(t, []int{0, 0, 2, 3}, vals)
		require.NoError(t, errs[0])
		pe, ok := errors.AsType[*group.PanicError](errs[1])
		require.True(t, ok, "item 1 yields its panic: %v", errs[1])
		require.Equal(t, "boom", pe.Value)
		require.Equal(t, []error{nil, nil}, errs[2:])
		require.NoError(t, ex.Wait())
		require.Equal(t, int64(2), ex.Stats().Submitted, "the job that panicked, then one for items 2 and 3")
		require.NoError(t, g.Close())
	})
}

func TestMapUnorderedWithHooksGivesEveryItemAJob(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		var started atomic.Int64
		ex := executor.New(g, executor.MaxWorkers(1), executor.Observe(executor.Hooks{
			TaskStart: func(*group.Task) error { started.Add(1); return nil },
		}))
		release := make(chan struct{})
		results := unorderedHeld(ex, 3, release, identity)
		synctest.Wait()
		require.Equal(t, int64(1), ex.Stats().Blocked, "the feeder waits for a worker for item 1")
		close(release)
		vals, _ := results()
		require.Equal(t, []int{0, 1, 2}, vals)
		require.NoError(t, ex.Wait())
		require.Equal(t, int64(3), ex.Stats().Submitted)
		require.Equal(t, int64(3), started.Load(), "the hook saw every item")
		require.NoError(t, g.Close())
	})
}

// Items left waiting for a job of the stream that was cancelled before
// it ran go to a new job, and the item the job was made for is yielded
// with its cancellation: the job of item 0, waiting in the queue behind
// another job (one worker), or a runner started for the pending items 1
// and 2 while item 0 runs (two workers).
func TestMapUnorderedItemsOfAJobCancelledBeforeItRanGoToAnother(t *testing.T) {
	for _, c := range []struct {
		name      string
		workers   int
		cancelled int // by Executor.Cancel: the other job and the stream's
		submitted int64
	}{
		{"item 0's job", 1, 2, 3},
		{"a runner for pending items", 2, 3, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(c.workers), executor.QueueDepth(c.workers), executor.SuppressErrors())
				occupy(t, ex)
				var runs [3]atomic.Int32
				results := unorderedHeld(ex, 3, nil, func(_ context.Context, v int) (int, error) {
					runs[v].Add(1)
					return v, nil
				})
				synctest.Wait() // one job of the stream waits in the queue
				require.Equal(t, int64(1), ex.Stats().Waiting)
				n, err := ex.Cancel(context.Background())
				require.NoError(t, err)
				require.Equal(t, c.cancelled, n)
				vals, errs := results()
				require.Equal(t, []int{0, 1, 2}, vals)
				require.ErrorIs(t, errs[0], context.Canceled, "item 0 never ran, or was cancelled")
				require.Equal(t, []error{nil, nil}, errs[1:], "items 1 and 2 ran in a new job")
				require.Equal(t, []int32{0, 1, 1}, []int32{runs[0].Load(), runs[1].Load(), runs[2].Load()}, "runs of each item's function")
				require.NoError(t, ex.Wait())
				require.Equal(t, c.submitted, ex.Stats().Submitted)
				require.NoError(t, g.Close())
			})
		})
	}
}

// The executor closing under the stream: the job of item 0, waiting in
// the queue, and the items taken meanwhile never run, and the stream ends
// with the executor's cause, once.
func TestMapUnorderedEndsWhenItsWaitingItemsAreCancelled(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(4))
		occupy(t, ex)
		var ran atomic.Int64
		results := unorderedHeld(ex, 3, nil, func(_ context.Context, v int) (int, error) {
			ran.Add(1)
			return v, nil
		})
		synctest.Wait() // the first item's job waits in the queue; the others are taken
		require.Equal(t, int64(1), ex.Stats().Waiting, "one job for the stream's items")
		g.Cancel()
		vals, errs := results()
		require.Len(t, errs, 1, "the cancellation is yielded once: %v %v", vals, errs)
		require.Equal(t, ex.Group().Cause(), errs[0], "the stream ends with the executor's cause")
		require.Zero(t, ran.Load(), "no item ran")
		require.NoError(t, g.Wait(), "a cancellation by the owner is no failure")
		require.Equal(t, int64(2), ex.Stats().Canceled, "the running job and the stream's, which never ran")
	})
}

// Items that take long each get a worker while workers are free: here
// the four items can only end once all four run at once.
func TestMapUnorderedSpreadsSlowItemsOverTheFreeWorkers(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(4))
		var in atomic.Int64
		all := make(chan struct{})
		var vals []int
		for v, err := range executor.MapUnordered(context.Background(), ex, upTo(4), func(ctx context.Context, v int) (int, error) {
			if in.Add(1) == 4 {
				close(all)
			}
			select {
			case <-all:
				return v, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}, executor.Window(4)) {
			require.NoError(t, err)
			vals = append(vals, v)
		}
		require.ElementsMatch(t, []int{0, 1, 2, 3}, vals)
		require.NoError(t, ex.Wait())
		require.Equal(t, int64(4), ex.Stats().Submitted, "a job for each")
		require.NoError(t, g.Close())
	})
}

// MapBatches runs on the same jobs: the items taken while item 0 holds
// the only worker run in its job, and come in one batch.
func TestMapBatchesRunsTheItemsTakenMeanwhileInTheSameJob(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1))
		release := make(chan struct{})
		go func() {
			synctest.Wait() // items 1 to 4 are taken and wait for item 0's job
			close(release)
		}()
		var got [][]int
		for items, err := range executor.MapBatches(context.Background(), ex, upTo(5), func(ctx context.Context, v int) (int, error) {
			if v == 0 {
				<-release
			}
			return v, nil
		}, time.Second, executor.Window(5)) {
			require.NoError(t, err)
			got = append(got, items)
		}
		require.Equal(t, [][]int{{0, 1, 2, 3, 4}}, got, "the last item closes the one batch")
		require.NoError(t, ex.Wait())
		require.Equal(t, int64(1), ex.Stats().Submitted)
		require.NoError(t, g.Close())
	})
}

// An item whose job ends without its function running (a TaskStart hook
// refused it) is yielded with the hook's error, and the stream goes on.
func TestMapUnorderedWithAHookThatStopsAJob(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		errNo := errors.New("no")
		var n atomic.Int64
		ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors(), executor.Observe(executor.Hooks{
			TaskStart: func(*group.Task) error {
				if n.Add(1) == 2 {
					return errNo
				}
				return nil
			},
		}))
		ran := make(chan int, 3)
		var got []string
		for v, err := range executor.MapUnordered(context.Background(), ex, upTo(3), func(_ context.Context, v int) (int, error) {
			ran <- v
			return v, nil
		}, executor.Window(1)) { // one item at a time: the second job is the second item's
			if err != nil {
				got = append(got, err.Error())
			} else {
				got = append(got, strconv.Itoa(v))
			}
		}
		require.Equal(t, []string{"0", "no", "2"}, got)
		require.Len(t, ran, 2, "the refused item's function never ran")
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}
