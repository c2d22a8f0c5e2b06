package resource

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// TestStackForgetsClosedResources: owned resources that close on their own
// leave the Stack, so a long-lived Stack does not grow with them.
func TestStackForgetsClosedResources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewStack(group.New(context.Background(), group.Supervise(func(error) {})))
		require.NoError(t, err)
		for range 100 {
			r := group.New(context.Background())
			require.NoError(t, s.Own("short-lived", r))
			require.NoError(t, r.Close())
			synctest.Wait() // its entry notices and ends
		}
		require.NoError(t, s.OnClose("last", func(context.Context) error { return nil }))
		s.mu.Lock()
		n := len(s.entries)
		s.mu.Unlock()
		require.LessOrEqual(t, n, 2, "entries kept for resources that had closed")
		require.NoError(t, s.Close())
	})
}
