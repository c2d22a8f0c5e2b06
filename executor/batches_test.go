package executor_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// batch is one pair MapBatches yielded, with the time since the start.
type batch struct {
	at    time.Duration
	items []int
	err   error
}

func collectBatches(seq iter.Seq2[[]int, error]) []batch {
	start := time.Now()
	var got []batch
	for items, err := range seq {
		got = append(got, batch{time.Since(start), items, err})
	}
	return got
}

func TestMapBatchesClosesABatchWhenPollPasses(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(8))
		in := []int{30, 10, 20, 160, 150, 250}
		got := collectBatches(executor.MapBatches(context.Background(), ex, slices.Values(in), sleepy(-1), 100*time.Millisecond))
		require.Equal(t, []batch{
			{100 * time.Millisecond, []int{10, 20, 30}, nil},
			{200 * time.Millisecond, []int{150, 160}, nil},
			// The last item closes its batch as it is delivered.
			{250 * time.Millisecond, []int{250}, nil},
		}, got)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestMapBatchesFailsWhenNothingCompletesInTime(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(8))
		cancelled := make(chan error, 1)
		fn := func(ctx context.Context, ms int) (int, error) {
			if ms > 100 {
				<-ctx.Done()
				cancelled <- ctx.Err()
				return 0, ctx.Err()
			}
			time.Sleep(time.Duration(ms) * time.Millisecond)
			return ms, nil
		}
		got := collectBatches(executor.MapBatches(context.Background(), ex, slices.Values([]int{10, 500}), fn, 100*time.Millisecond))
		require.Len(t, got, 2)
		require.Equal(t, batch{100 * time.Millisecond, []int{10}, nil}, got[0])
		require.Equal(t, 200*time.Millisecond, got[1].at)
		require.Empty(t, got[1].items)
		require.ErrorIs(t, got[1].err, context.DeadlineExceeded)
		// The stream ended: the item in flight was cancelled and waited for.
		select {
		case err := <-cancelled:
			require.ErrorIs(t, err, context.Canceled)
		default:
			t.Fatal("the item in flight was not cancelled before the stream ended")
		}
		require.NoError(t, g.Close())
	})
}

func TestMapBatchesAFailedItemClosesItsBatch(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		// SuppressErrors: a failed job does not close the executor, so
		// the stream goes on after the failure.
		ex := executor.New(g, executor.MaxWorkers(8), executor.SuppressErrors())
		got := collectBatches(executor.MapBatches(context.Background(), ex, slices.Values([]int{10, 20, 30}), sleepy(20), 100*time.Millisecond))
		require.Equal(t, []batch{
			{20 * time.Millisecond, []int{10}, errBoom},
			{30 * time.Millisecond, []int{30}, nil},
		}, got)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestMapBatchesUnderFailFast(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(8))
		got := collectBatches(executor.MapBatches(context.Background(), ex, slices.Values([]int{10, 20, 30}), sleepy(20), 100*time.Millisecond))
		// The failure closes the executor, which cancels 30: the failure
		// is the one error the stream reports.
		require.Equal(t, []batch{{20 * time.Millisecond, []int{10}, errBoom}}, got)
		require.ErrorIs(t, ex.Wait(), errBoom)
		require.ErrorIs(t, g.Close(), errBoom)
	})
}

func TestMapBatchesClockStartsWhenTheStreamWaits(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(8))
		// A source slower than poll does not time the stream out, and a
		// loop body slower than poll does not either.
		slow := func(yield func(int) bool) {
			if !yield(10) {
				return
			}
			time.Sleep(300 * time.Millisecond)
			if !yield(20) {
				return
			}
			yield(400)
		}
		start := time.Now()
		var got []batch
		for items, err := range executor.MapBatches(context.Background(), ex, slow, sleepy(-1), 100*time.Millisecond) {
			got = append(got, batch{time.Since(start), items, err})
			time.Sleep(time.Second)
		}
		require.Equal(t, []batch{
			// 10 completed at 10 ms but is taken only when the source
			// yields 20 at 300 ms, which opens the batch: it closes at
			// 400 ms with 20 (done at 320 ms), not at once.
			{400 * time.Millisecond, []int{10, 20}, nil},
			// 400 completed at 700 ms, during the loop body; it is the
			// last item, so its batch is yielded as soon as the body is
			// done.
			{1400 * time.Millisecond, []int{400}, nil},
		}, got)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestMapBatchesLeftEarlyCancelsWhatIsInFlight(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(8))
		n := 0
		for items, err := range executor.MapBatches(context.Background(), ex, slices.Values([]int{10, 1000, 2000}), sleepy(-1), 100*time.Millisecond) {
			require.NoError(t, err)
			require.Equal(t, []int{10}, items)
			n++
			break
		}
		require.Equal(t, 1, n)
		// Nothing runs on: the executor is idle at once.
		require.Zero(t, ex.Stats().Running)
		require.NoError(t, g.Close())
	})
}

func TestMapBatchesEndsWithCtx(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(8))
		ctx, cancel := context.WithCancelCause(context.Background())
		stop := errors.New("stop")
		time.AfterFunc(50*time.Millisecond, func() { cancel(stop) })
		got := collectBatches(executor.MapBatches(ctx, ex, slices.Values([]int{10, 20, 1000}), sleepy(-1), 100*time.Millisecond))
		require.Equal(t, []batch{{50 * time.Millisecond, []int{10, 20}, stop}}, got)
		require.NoError(t, g.Close())
	})
}

func TestMapBatchesPanicsOnBadArguments(t *testing.T) {
	g := group.New(context.Background())
	defer g.Close()
	ex := executor.New(g)
	seq := slices.Values([]int{1})
	require.PanicsWithValue(t, "executor: MapBatches poll must be positive", func() {
		executor.MapBatches(context.Background(), ex, seq, sleepy(-1), 0)
	})
	require.PanicsWithValue(t, "executor: MapBatches with nil executor, sequence or function", func() {
		executor.MapBatches[int, int](context.Background(), ex, seq, nil, time.Second)
	})
}
