package queue_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAll(t *testing.T) {
	t.Run("ends quietly when closed and drained", func(t *testing.T) {
		q := filled(t, 0, []int{1, 2, 3}, true)
		var got []int
		for v, err := range q.All(context.Background()) {
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Equal(t, []int{1, 2, 3}, got)
	})
	t.Run("yields the cause once when ctx is done", func(t *testing.T) {
		q := filled(t, 0, []int{1}, false)
		var errs []error
		for _, err := range q.All(cancelled()) {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1)
		require.ErrorIs(t, errs[0], errCause)
		require.Equal(t, 1, q.Len(), "a done ctx takes nothing")
	})
	t.Run("closed and drained wins over a done ctx", func(t *testing.T) {
		q := filled(t, 0, nil, true)
		for range q.All(cancelled()) {
			require.Fail(t, "yielded from a closed, drained queue")
		}
	})
	t.Run("break loses nothing", func(t *testing.T) {
		q := filled(t, 0, []int{1, 2, 3}, true)
		for v, err := range q.All(context.Background()) {
			require.NoError(t, err)
			require.Equal(t, 1, v)
			break
		}
		require.Equal(t, []int{2, 3}, q.Drain())
	})
}
