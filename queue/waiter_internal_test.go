package queue

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

func TestFreeListIsBounded(t *testing.T) {
	var q Queue[int]
	var ws []*waiter[int]
	q.mu.Lock()
	for range 2 * maxFree {
		ws = append(ws, q.newWaiterLocked())
	}
	for _, w := range ws {
		q.releaseLocked(w)
	}
	q.mu.Unlock()
	require.Equal(t, maxFree, q.nfree)
	n := 0
	for w := q.free; w != nil; w = w.next {
		n++
	}
	require.Equal(t, maxFree, n)
}

func TestWaitersAreReused(t *testing.T) {
	// A blocked Get that is cancelled and one that is served both give
	// their waiter back, with an empty ready channel. In a bubble, so that
	// a wait that never ends fails at once as a deadlock.
	synctest.Test(t, func(t *testing.T) {
		var q Queue[int]
		ctx, stop := context.WithCancel(context.Background())
		stop()
		q.mu.Lock()
		w := q.newWaiterLocked()
		q.getters.pushBack(w)
		q.mu.Unlock()
		_, s := q.wait(ctx, w, &q.getters)
		q.mu.Unlock()
		require.Equal(t, waiting, s)
		require.Same(t, w, q.free)
		require.True(t, q.getters.empty())

		q.mu.Lock()
		w2 := q.newWaiterLocked()
		require.Same(t, w, w2)
		q.getters.pushBack(w2)
		require.NoError(t, q.tryPutLocked(7))
		q.mu.Unlock()
		v, s := q.wait(ctx, w2, &q.getters)
		q.mu.Unlock()
		require.Equal(t, served, s)
		require.Equal(t, 7, v)
		require.Same(t, w, q.free)
		require.Empty(t, w.ready)
		require.Equal(t, waiting, w.state)
	})
}
