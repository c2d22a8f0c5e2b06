package resource

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// TestStackForgetsClosedResources: owned resources that close on their own
// leave the Stack, so a long-lived Stack does not grow with them.
func TestStackForgetsClosedResources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewStack(group.New(context.Background(), group.OnError(func(error) {})))
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

// TestStack_budgetIsTakenBeforeTheRelease: an entry's budget is read before
// its turn is released, so a nested Stack that starts closing at once
// cannot shrink it (issue 19: a newer resource still closed while the
// parent moved on to an older one). Deterministic: the budget function
// itself looks at the release.
func TestStack_budgetIsTakenBeforeTheRelease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewStack(group.New(context.Background()))
		require.NoError(t, err)
		var e *entry
		releasedFirst := make(chan bool, 1) // one send: the budget is read once
		require.True(t, s.pushBudget("r", func() time.Duration {
			select {
			case <-e.release:
				releasedFirst <- true
			default:
				releasedFirst <- false
			}
			return time.Second
		}, func(_ context.Context, release <-chan struct{}) error {
			<-release
			return nil
		}))
		s.mu.Lock()
		e = s.entries[0]
		s.mu.Unlock()
		require.NoError(t, s.Close())
		require.False(t, <-releasedFirst, "the budget was read after the entry was released")
	})
}
