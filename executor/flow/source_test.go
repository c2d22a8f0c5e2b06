package flow_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/queue"
)

// These tests check how many values a function takes from its source: no
// more than its window, and none once it has stopped. In each, the call on
// value 0 is slow (a fake second in a synctest bubble), so the function
// reads ahead as far as it may before it has anything to hand on.

// slowFirst returns a function of v that sleeps a second on value 0 and
// returns at once on the others, with verdict(v).
func slowFirst[Out any](verdict func(int) Out) func(context.Context, int) (Out, error) {
	return func(ctx context.Context, v int) (Out, error) {
		if v == 0 {
			time.Sleep(time.Second)
		}
		return verdict(v), nil
	}
}

func TestStagesTakeAtMostTheirWindow(t *testing.T) {
	for _, limit := range []int{1, 3, 5000} { // 5000: above the pool's largest limit
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var pulled atomic.Int64
				id := slowFirst(func(v int) int { return v })
				for v, err := range flow.Map(context.Background(), forever(&pulled), id, limit) {
					require.NoError(t, err)
					require.Equal(t, 0, v)
					break
				}
				require.Equal(t, int64(2*limit), pulled.Load(), "values taken by a stage with limit %d", limit)
			})
		})
	}
}

func TestTerminalsTakeAtMostTheirWindow(t *testing.T) {
	isZero := func(v int) bool { return v == 0 }
	tests := []struct {
		name string
		run  func(src flow.Seq[int]) error
		want int64 // values taken with limit 1
	}{
		{"Every", func(src flow.Seq[int]) error {
			ok, err := flow.Every(context.Background(), src, slowFirst(func(v int) bool { return v != 0 }), 1)
			require.False(t, ok)
			return err
		}, 2},
		{"Some", func(src flow.Seq[int]) error {
			ok, err := flow.Some(context.Background(), src, slowFirst(isZero), 1)
			require.True(t, ok)
			return err
		}, 2},
		{"Each", func(src flow.Seq[int]) error {
			fail := slowFirst(func(v int) error {
				if v == 0 {
					return errBoom
				}
				return nil
			})
			err := flow.Each(context.Background(), src, func(ctx context.Context, v int) error {
				e, _ := fail(ctx, v)
				return e
			}, 1)
			require.ErrorIs(t, err, errBoom)
			return nil
		}, 2},
		{"First", func(src flow.Seq[int]) error {
			v, err := flow.First(context.Background(), src, slowFirst(isZero), -1, 1)
			require.Equal(t, 0, v)
			return err
		}, 1},
		{"First past non-matches", func(src flow.Seq[int]) error {
			match := func(v int) bool { return v == 3 }
			v, err := flow.First(context.Background(), src, slowFirst(match), -1, 1)
			require.Equal(t, 3, v)
			return err
		}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var pulled atomic.Int64
				require.NoError(t, tt.run(forever(&pulled)))
				require.Equal(t, tt.want, pulled.Load(), "values taken with limit 1")
			})
		})
	}
}

// TestReduceStopsTakingWhenCtxEnds: Reduce takes no value after ctx has
// ended.
func TestReduceStopsTakingWhenCtxEnds(t *testing.T) {
	var pulled atomic.Int64
	ctx, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	sum, err := flow.Reduce(ctx, forever(&pulled), func(_ context.Context, acc, v int) (int, error) {
		if v == 1 {
			stop(errBoom)
		}
		return acc + v, nil
	}, 0)
	require.ErrorIs(t, err, errBoom)
	require.Equal(t, 1, sum)
	require.Equal(t, int64(2), pulled.Load())
}

// TestFirstOverQueue: First with limit 1 takes from a queue exactly the
// items up to its match; with a limit n it takes at most n-1 more, which
// are lost.
func TestFirstOverQueue(t *testing.T) {
	ctx := context.Background()
	tenItems := func(t *testing.T) *queue.Queue[int] {
		q := queue.New[int](0)
		for i := 1; i <= 10; i++ {
			require.NoError(t, q.TryPut(i))
		}
		q.Close()
		return q
	}
	isTwo := func(_ context.Context, v int) (bool, error) { return v == 2, nil }

	t.Run("limit 1 takes exactly up to the match", func(t *testing.T) {
		q := tenItems(t)
		v, err := flow.First(ctx, flow.Seq[int](q.All(ctx)), isTwo, -1, 1)
		require.NoError(t, err)
		require.Equal(t, 2, v)
		require.Equal(t, []int{3, 4, 5, 6, 7, 8, 9, 10}, q.Drain())
	})

	t.Run("limit n takes at most n-1 after the match", func(t *testing.T) {
		for _, limit := range []int{2, 3, 4} {
			q := tenItems(t)
			v, err := flow.First(ctx, flow.Seq[int](q.All(ctx)), isTwo, -1, limit)
			require.NoError(t, err)
			require.Equal(t, 2, v)
			left := q.Drain()
			require.GreaterOrEqual(t, len(left), 8-(limit-1), "limit %d", limit)
			require.Equal(t, 10, left[len(left)-1], "what is left is the end of the queue, in order")
			for i := 1; i < len(left); i++ {
				require.Equal(t, left[i-1]+1, left[i])
			}
		}
	})
}

// TestSourceErrorInTimeHangs guards against a bug where Each, Every and Some do not
// cancel the calls in flight when their source fails, contrary to their
// docs ("At the first failure (of fn, of src, or ctx ending) it cancels the
// calls in flight"): run drains executor.Map to its end, waiting for every
// call, so a call that waits for its context never returns and the
// function hangs.
func TestSourceErrorInTimeHangs(t *testing.T) {
	src := func(yield func(int, error) bool) {
		if !yield(0, nil) {
			return
		}
		yield(0, errBoom)
	}
	t.Run("Each", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			release := make(chan struct{})
			block := func(ctx context.Context) error {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-release:
					return nil
				}
			}
			var err error
			bounded(t, "Each", func() { close(release) }, func() {
				err = flow.Each(context.Background(), src, func(ctx context.Context, _ int) error { return block(ctx) }, 0)
			})
			assert.ErrorIs(t, err, errBoom)
		})
	})
	t.Run("Every", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			release := make(chan struct{})
			var err error
			bounded(t, "Every", func() { close(release) }, func() {
				_, err = flow.Every(context.Background(), src, func(ctx context.Context, _ int) (bool, error) {
					select {
					case <-ctx.Done():
						return true, ctx.Err()
					case <-release:
						return true, nil
					}
				}, 2)
			})
			assert.ErrorIs(t, err, errBoom)
		})
	})
}

// TestSourceErrorIsNotFirstInTime guards against a bug where for the functions that
// "stop at the first failure in time" a source failure is ranked last:
// run returns closeErr before srcErr, so a later failure of a call (or a
// later verdict of Every) wins over an earlier failure of src.
func TestSourceErrorIsNotFirstInTime(t *testing.T) {
	src := func(yield func(int, error) bool) {
		if !yield(0, nil) {
			return
		}
		yield(0, errBoom) // at t=0
	}
	synctest.Test(t, func(t *testing.T) {
		other := errors.New("later failure")
		err := flow.Each(context.Background(), src, func(ctx context.Context, _ int) error {
			time.Sleep(time.Second) // fails at t=1s, after src did
			return other
		}, 0)
		assert.ErrorIs(t, err, errBoom, "src failed first")

		ok, err := flow.Every(context.Background(), src, func(ctx context.Context, _ int) (bool, error) {
			time.Sleep(time.Second) // a false verdict at t=1s
			return false, nil
		}, 0)
		assert.False(t, ok)
		assert.ErrorIs(t, err, errBoom, "the src failure came before the verdict")
	})
}
