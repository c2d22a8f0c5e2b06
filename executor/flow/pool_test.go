package flow_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsumerPanicLeaksWorkers guards against a bug where a panic in the range body
// (or in a source) unwinds through run without closing its private group:
// the executor's jobs and workers outlive the call (the group itself is
// never Closed and stays registered with ctx). The house rule is that every goroutine is joined before the
// function returns.
func TestConsumerPanicLeaksWorkers(t *testing.T) {
	// Every flow function joins its workers before it returns, so none of
	// earlier tests' are left.
	require.Zero(t, workerGoroutines(), "workers of earlier tests still running")

	id := func(_ context.Context, i int) (int, error) { return i, nil }
	for _, limit := range []int{4, 0} { // the pool, and the executor
		p := testkit.Catch(func() {
			for range flow.Map(context.Background(), flow.Map(context.Background(), upTo(10), id, limit), id, limit) {
				panic("consumer")
			}
		})
		require.Equal(t, "consumer", p)
		require.Zero(t, workerGoroutines(), "limit %d: worker goroutines still running after the range panicked", limit)
	}
}

// TestPreCancelledCtxStartsNothing pins that a stage
// given a ctx that has already ended never calls fn. The private group
// learns of the ended ctx through context.AfterFunc, in another goroutine,
// and accepts jobs until that runs; what keeps fn from running is the
// executor's check of its group's context in runJob.
func TestPreCancelledCtxStartsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var called atomic.Int64
	for range 2000 {
		_, err := flow.Collect(flow.Map(ctx, upTo(4), func(context.Context, int) (int, error) {
			called.Add(1)
			return 0, nil
		}, 2))
		require.ErrorIs(t, err, context.Canceled)
	}
	assert.Zero(t, called.Load(), "fn called with a ctx that had ended before the call")
}

// PASSING (pins behaviour; guards the pool against the group bug in
// TestCloseRightAfterParentCancelLosesCause, which runPool masks by
// returning the group context's cause itself): ctx cancelled from outside with a cause while the pool's calls
// wait for it and answer with ctx.Err() (the usual idiom). Map's doc: it
// "yields context.Cause(ctx) as its last pair". Each likewise returns the
// cause. Checked with real goroutines (no bubble), many times.
func TestPoolContextCause(t *testing.T) {
	cause := errors.New("pool: caller gave up")
	for i := range 200 {
		ctx, cancel := context.WithCancelCause(context.Background())
		var started atomic.Int32
		fn := func(ctx context.Context, v int) (int, error) {
			if started.Add(1) == 2 {
				cancel(cause)
			}
			<-ctx.Done()
			return 0, ctx.Err()
		}
		var err error
		bounded(t, "Map", nil, func() {
			_, err = flow.Collect(flow.Map(ctx, upTo(100), fn, 2))
		})
		require.ErrorIs(t, err, cause, "Map, run %d", i)
		cancel(nil)
		ctx, cancel = context.WithCancelCause(context.Background())
		started.Store(0)
		bounded(t, "Each", nil, func() {
			err = flow.Each(ctx, upTo(100), func(ctx context.Context, v int) error { _, err := fn(ctx, v); return err }, 2)
		})
		cancel(nil)
		require.ErrorIs(t, err, cause, "Each, run %d", i)
	}
}

// Pins behaviour: in time, a call that fails while the ranging
// goroutine is parked on an earlier, slow value ends Each at once with that
// failure (the slow call is cancelled), whatever the limit.
func TestPoolInTimeFailureWhileParked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, limit := range []int{2, 3, 8} {
			start := time.Now()
			err := flow.Each(context.Background(), upTo(50), func(ctx context.Context, v int) error {
				switch v {
				case 0:
					<-ctx.Done() // the oldest value never finishes by itself
					return ctx.Err()
				case 1:
					time.Sleep(time.Second)
					return fmt.Errorf("pool: %d", v)
				}
				return nil
			}, limit)
			require.EqualError(t, err, "pool: 1")
			require.Equal(t, time.Second, time.Since(start))
		}
	})
}

// Pins behaviour: runtime.Goexit in a call (t.FailNow in a test
// helper) ends Map and Each with group.ErrGoexit instead of hanging, in
// order and in time.
func TestPoolGoexitInCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fn := func(ctx context.Context, v int) (int, error) {
			if v == 3 {
				runtime.Goexit()
			}
			time.Sleep(time.Duration(v%4) * time.Millisecond)
			return v, nil
		}
		_, err := flow.Collect(flow.Map(context.Background(), upTo(40), fn, 2))
		require.ErrorIs(t, err, group.ErrGoexit)
		err = flow.Each(context.Background(), upTo(40), func(ctx context.Context, v int) error { _, err := fn(ctx, v); return err }, 2)
		require.ErrorIs(t, err, group.ErrGoexit)
	})
}

// Pins behaviour: the pool under real scheduling, seeded: Map
// over random durations with a failure at a random place yields exactly the
// results before it, in order, then that failure; calls before the failure
// are never cancelled; nothing runs once Map has returned. Also with a
// consumer that stops early.
func TestPoolInOrderRandomized(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 2))
	for round := range 300 {
		n := 1 + r.IntN(60)
		limit := 1 + r.IntN(6)
		failAt := -1
		if r.IntN(2) == 0 {
			failAt = r.IntN(n)
		}
		stopAt := -1
		if r.IntN(3) == 0 {
			stopAt = r.IntN(n)
		}
		delays := make([]time.Duration, n)
		for i := range delays {
			delays[i] = time.Duration(r.IntN(200)) * time.Microsecond
		}
		var inflight atomic.Int32
		var cancelledEarly atomic.Int32
		fn := func(ctx context.Context, v int) (int, error) {
			inflight.Add(1)
			defer inflight.Add(-1)
			select {
			case <-time.After(delays[v]):
			case <-ctx.Done():
				if failAt < 0 || v < failAt {
					if stopAt < 0 || v < stopAt {
						cancelledEarly.Add(1)
					}
				}
				return 0, ctx.Err()
			}
			if v == failAt {
				return 0, fmt.Errorf("fail %d", v)
			}
			return v * 10, nil
		}
		var got []int
		var err error
		bounded(t, "Map", nil, func() {
			for v, e := range flow.Map(context.Background(), upTo(n), fn, limit) {
				if e != nil {
					err = e
					break
				}
				if len(got) == stopAt {
					break
				}
				got = append(got, v)
			}
		})
		require.Zero(t, inflight.Load(), "round %d: calls outlive Map", round)
		end := n
		if failAt >= 0 {
			end = failAt
		}
		if stopAt >= 0 && stopAt < end {
			require.NoError(t, err, "round %d", round)
			end = stopAt
		} else if failAt >= 0 {
			require.EqualError(t, err, fmt.Sprintf("fail %d", failAt), "round %d", round)
		} else {
			require.NoError(t, err, "round %d", round)
		}
		want := make([]int, 0, end)
		for i := range end {
			want = append(want, i*10)
		}
		if len(want) == 0 {
			want = nil
		}
		require.Equal(t, want, got, "round %d (n=%d limit=%d failAt=%d stopAt=%d)", round, n, limit, failAt, stopAt)
		require.Zero(t, cancelledEarly.Load(), "round %d: a call before the failure was cancelled", round)
	}
}
