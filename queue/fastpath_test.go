package queue_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

// TestWaitDecisionRacesFastPath races a lock-free call against a blocking
// call at the moment the blocking call decides to wait: a Get on an empty
// queue against a TryPut, and a Put on a full queue against a TryGet. The
// lock-free call starts after a varying spin, so that over many trials it
// lands before, during and after that decision. A Get that decided to wait
// on a stale count would wait for ever with the item queued; a Put would
// wait on a queue that is no longer full, with nobody left to let it in.
// Each trial has a deadline only to bound the test.
func TestWaitDecisionRacesFastPath(t *testing.T) {
	trials := 20_000
	if testing.Short() {
		trials = 2_000
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// race runs other in a new goroutine, spin iterations after race
	// returns; the func it returns waits for other to end.
	race := func(spin int, other func()) (wait func()) {
		var start atomic.Bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			for !start.Load() {
				runtime.Gosched()
			}
			for j := range spin {
				sink += j
			}
			other()
		}()
		start.Store(true)
		return func() { <-done }
	}

	t.Run("Get on an empty queue", func(t *testing.T) {
		for i := range trials {
			q := queue.New[int](i % 2) // unbounded or capacity 1
			// An item in and out first, so that puts can take the
			// lock-free path.
			require.NoError(t, q.TryPut(-1))
			_, err := q.TryGet()
			require.NoError(t, err)
			wait := race(i%200, func() {
				if err := q.TryPut(i); err != nil {
					t.Error(err) // not FailNow: this is not the test's goroutine
				}
			})
			v, err := q.Get(ctx)
			require.NoError(t, err, "trial %d", i)
			require.Equal(t, i, v)
			wait()
		}
	})

	t.Run("Put on a full queue", func(t *testing.T) {
		for i := range trials {
			q := queue.New[int](1 + i%2)
			for j := range q.Cap() {
				require.NoError(t, q.TryPut(-1-j))
			}
			var got int
			wait := race(i%200, func() {
				var err error
				if got, err = q.TryGet(); err != nil {
					t.Error(err)
				}
			})
			require.NoError(t, q.Put(ctx, i), "trial %d", i)
			wait()
			require.Equal(t, -1, got)
			require.Equal(t, q.Cap(), q.Len())
		}
	})
}

var sink int
