package queue_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

func TestQueue_First(t *testing.T) {
	bg := context.Background()
	is := func(want int) func(int) bool { return func(v int) bool { return v == want } }

	t.Run("takes up to the match and leaves the rest", func(t *testing.T) {
		q := filled(t, 0, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true)
		v, err := q.First(bg, is(2))
		require.NoError(t, err)
		require.Equal(t, 2, v)
		require.Equal(t, []int{3, 4, 5, 6, 7, 8, 9, 10}, q.Drain())
	})

	t.Run("hat.aio's example", func(t *testing.T) {
		q := filled(t, 0, []int{1, 2, 3}, true)
		v, err := q.First(bg, func(int) bool { return true })
		require.NoError(t, err)
		require.Equal(t, 1, v)
		v, err = q.First(bg, func(v int) bool { return v > 2 })
		require.NoError(t, err)
		require.Equal(t, 3, v)
		_, err = q.First(bg, func(int) bool { return true })
		require.ErrorIs(t, err, queue.ErrClosed)
	})

	t.Run("no match on a closed queue empties it", func(t *testing.T) {
		q := filled(t, 0, []int{1, 2, 3}, true)
		_, err := q.First(bg, is(7))
		require.ErrorIs(t, err, queue.ErrClosed)
		require.Equal(t, 0, q.Len())
	})

	t.Run("done ctx takes nothing", func(t *testing.T) {
		q := filled(t, 0, []int{1, 2}, false)
		_, err := q.First(cancelled(), is(1))
		require.ErrorIs(t, err, errCause)
		require.Equal(t, 2, q.Len())
	})

	t.Run("pred may use the queue", func(t *testing.T) {
		q := filled(t, 0, []int{1, 2}, false)
		v, err := q.First(bg, func(v int) bool {
			require.NoError(t, q.TryPut(v*10)) // would deadlock under the queue's lock
			return v == 2
		})
		require.NoError(t, err)
		require.Equal(t, 2, v)
		require.Equal(t, []int{10, 20}, q.Drain())
	})

	t.Run("waits for a match", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := queue.New[int](0)
			first := goGet(func(ctx context.Context) (int, error) { return q.First(ctx, is(3)) }, bg)
			require.NoError(t, q.TryPut(1))
			require.NoError(t, q.TryPut(2))
			synctest.Wait()
			requireBlocked(t, first)
			require.Equal(t, 0, q.Len(), "non-matching items are discarded")
			require.NoError(t, q.TryPut(3))
			require.NoError(t, q.TryPut(4))
			require.Equal(t, result{3, nil}, <-first)
			require.Equal(t, []int{4}, q.Drain())
		})
	})

	t.Run("ctx ending while it waits returns the cause", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := queue.New[int](0)
			ctx, stop := context.WithCancelCause(bg)
			first := goGet(func(ctx context.Context) (int, error) { return q.First(ctx, is(3)) }, ctx)
			require.NoError(t, q.TryPut(1))
			synctest.Wait()
			stop(errCause)
			r := <-first
			require.ErrorIs(t, r.err, errCause)
			require.Nil(t, q.Drain())
		})
	})

	t.Run("panics on a nil predicate", func(t *testing.T) {
		q := queue.New[int](0)
		require.PanicsWithValue(t, "queue: First with a nil predicate", func() { _, _ = q.First(bg, nil) })
	})
}
