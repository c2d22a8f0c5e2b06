package executor_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestObservedBlockedSubmitter: an executor reports to its group's
// observer how long a submitter waited for room, and describes itself in
// snapshots with its counts.
func TestObservedBlockedSubmitter(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		var mu sync.Mutex
		var blocked []group.Event
		obs := func(e group.Event) {
			if e.Kind == group.SubmitBlocked {
				mu.Lock()
				blocked = append(blocked, e)
				mu.Unlock()
			}
		}
		g := group.New(context.Background(), group.Observe(obs))
		ex := executor.New(g, executor.MaxWorkers(1), executor.Name("crawl"), executor.QueueDepth(1))
		ctx := context.Background()
		sleep := func(context.Context) error { time.Sleep(time.Second); return nil }
		for range 2 { // one runs, one waits in the queue
			_, err := ex.Submit(ctx, sleep)
			require.NoError(t, err)
		}
		go func() { _, _ = ex.Submit(ctx, sleep) }() // blocks until the first ends
		synctest.Wait()

		snap := g.Snapshot()
		require.Len(t, snap.Groups, 1)
		es := snap.Groups[0]
		require.Equal(t, "executor", es.Kind)
		require.Equal(t, "crawl", es.Name)
		require.Equal(t, map[string]int64{"max_workers": 1, "workers": 1, "waiting": 1, "blocked": 1, "submitted": 2}, es.Info)

		require.NoError(t, ex.Wait())
		mu.Lock()
		require.Len(t, blocked, 1)
		require.Equal(t, time.Second, blocked[0].Duration)
		require.NoError(t, blocked[0].Err)
		require.Equal(t, ex.Group(), blocked[0].Group)
		mu.Unlock()

		// A submitter that gives up is reported with its reason.
		ex2 := executor.New(g, executor.MaxWorkers(1))
		block := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		_, err := ex2.Submit(ctx, block) // the one worker is busy
		require.NoError(t, err)
		tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		_, err = ex2.Submit(tctx, block)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		mu.Lock()
		require.Len(t, blocked, 2)
		require.Equal(t, 3*time.Second, blocked[1].Duration)
		require.ErrorIs(t, blocked[1].Err, context.DeadlineExceeded)
		mu.Unlock()
		require.NoError(t, ex2.Close())
		require.NoError(t, g.Close())
	})
}

// TestSnapshotWhileExecutorsAreMade: a snapshot may describe an executor's
// group before New has returned (found by the observe churn test under
// -race); it must read nothing New is still writing.
func TestSnapshotWhileExecutorsAreMade(t *testing.T) {
	g := group.New(context.Background())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				_ = g.Snapshot()
			}
		}
	})
	for range 200 {
		ex := executor.New(g, executor.MaxWorkers(2))
		require.NoError(t, ex.Close())
	}
	close(stop)
	wg.Wait()
	require.NoError(t, g.Close())
}
