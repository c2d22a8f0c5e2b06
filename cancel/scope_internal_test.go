package cancel

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// The timer's callback can run late: after SetDeadline moved the deadline
// while the callback waited for the mutex, or on a wall clock that moved.
// These tests call it directly at such moments.
func TestScope_fire(t *testing.T) {
	t.Run("a late callback for a deadline still ahead waits for it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			s := NewScope(context.Background(), start.Add(time.Hour))
			defer s.Cancel()
			s.fire()
			require.NoError(t, s.Context().Err())

			<-s.Context().Done()
			require.Equal(t, time.Hour, time.Since(start))
			require.True(t, s.Expired())
		})
	})

	t.Run("a late callback after the deadline was removed does nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := NewScope(context.Background(), time.Now().Add(time.Hour))
			defer s.Cancel()
			s.SetDeadline(time.Time{})
			s.fire()
			time.Sleep(2 * time.Hour)
			require.NoError(t, s.Context().Err())
		})
	})

	t.Run("a late callback after Cancel does nothing", func(t *testing.T) {
		s := NewScope(context.Background(), time.Now().Add(time.Hour))
		s.Cancel()
		s.fire()
		require.True(t, s.Canceled())
	})
}
