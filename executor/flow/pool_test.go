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

// Every stage on the pool calls its function exactly once per value of a
// long input, whatever the limit, with cheap calls (so that the workers
// claim runs of many values) or calls that yield: no position of a run is
// skipped or run twice.
func TestPoolCallsEachValueOnce(t *testing.T) {
	const n = 5000
	for _, limit := range []int{1, 2, 8, 64} {
		for _, yield := range []bool{false, true} {
			t.Run(fmt.Sprintf("limit=%d/yield=%v", limit, yield), func(t *testing.T) {
				calls := make([]atomic.Int32, n)
				call := func(v int) {
					calls[v].Add(1)
					if yield && v%7 == 0 {
						runtime.Gosched()
					}
				}
				check := func(stage string) {
					t.Helper()
					for v := range calls {
						require.EqualValues(t, 1, calls[v].Swap(0), "%s: calls on value %d", stage, v)
					}
				}
				ctx := context.Background()
				want := make([]int, n)
				for i := range want {
					want[i] = 3 * i
				}

				got, err := flow.Collect(flow.Map(ctx, upTo(n), func(_ context.Context, v int) (int, error) { call(v); return 3 * v, nil }, limit))
				require.NoError(t, err)
				require.Equal(t, want, got)
				check("Map")

				got, err = flow.Collect(flow.Filter(ctx, upTo(n), func(_ context.Context, v int) (bool, error) { call(v); return v%3 == 0, nil }, limit))
				require.NoError(t, err)
				require.Len(t, got, (n+2)/3)
				for i, v := range got {
					require.Equal(t, 3*i, v)
				}
				check("Filter")

				got, err = flow.Collect(flow.FlatMap(ctx, upTo(n), func(_ context.Context, v int) ([]int, error) { call(v); return []int{v, v}, nil }, limit))
				require.NoError(t, err)
				require.Len(t, got, 2*n)
				for i, v := range got {
					require.Equal(t, i/2, v)
				}
				check("FlatMap")

				rs, err := flow.Collect(flow.MapAll(ctx, upTo(n), func(_ context.Context, v int) (int, error) { call(v); return v, nil }, limit))
				require.NoError(t, err)
				require.Len(t, rs, n)
				for i, r := range rs {
					require.Equal(t, flow.Result[int]{Value: i}, r)
				}
				check("MapAll")

				var sum atomic.Int64
				require.NoError(t, flow.Each(ctx, upTo(n), func(_ context.Context, v int) error { call(v); sum.Add(int64(v)); return nil }, limit))
				require.EqualValues(t, n*(n-1)/2, sum.Load())
				check("Each")
			})
		}
	}
}

// A call that fails after thousands of cheap ones, in the middle of a run
// of values claimed together, counts at its place: Map yields exactly the
// results before it, then its error; MapAll keeps it and goes on; Each
// returns it.
func TestPoolFailureInALongRun(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 3))
	for round := range 40 {
		n := 2000 + r.IntN(3000)
		failAt := n/2 + r.IntN(n/2)
		limit := []int{1, 2, 3, 8, 64}[r.IntN(5)]
		what := fmt.Sprintf("round %d: n=%d failAt=%d limit=%d", round, n, failAt, limit)
		fn := func(_ context.Context, v int) (int, error) {
			if v == failAt {
				return 0, fmt.Errorf("fail %d", v)
			}
			return v + 1, nil
		}
		got, err := flow.Collect(flow.Map(context.Background(), upTo(n), fn, limit))
		require.EqualError(t, err, fmt.Sprintf("fail %d", failAt), what)
		require.Len(t, got, failAt, what)
		for i, v := range got {
			require.Equal(t, i+1, v, what)
		}

		kept, err := flow.Collect(flow.Filter(context.Background(), upTo(n), func(ctx context.Context, v int) (bool, error) {
			_, err := fn(ctx, v)
			return v%2 == 0, err
		}, limit))
		require.EqualError(t, err, fmt.Sprintf("fail %d", failAt), what)
		require.Len(t, kept, (failAt+1)/2, what)

		rs, err := flow.Collect(flow.MapAll(context.Background(), upTo(n), fn, limit))
		require.NoError(t, err, what)
		require.Len(t, rs, n, what)
		require.EqualError(t, rs[failAt].Err, fmt.Sprintf("fail %d", failAt), what)
		require.Equal(t, flow.Result[int]{Value: failAt + 2}, rs[failAt+1], what)

		err = flow.Each(context.Background(), upTo(n), func(ctx context.Context, v int) error { _, err := fn(ctx, v); return err }, limit)
		require.EqualError(t, err, fmt.Sprintf("fail %d", failAt), what)
	}
}

// A slow first value does not keep the cheap ones after it from running
// on the other workers, as far as the window goes: the call on value 0
// returns only once every other value of the window has been called.
func TestPoolSlowFirstValueLetsTheWindowRun(t *testing.T) {
	for _, limit := range []int{2, 3, 8} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var others atomic.Int64
				window := 2 * limit
				fn := func(ctx context.Context, v int) (int, error) {
					if v != 0 {
						others.Add(1)
						return v, nil
					}
					// Wait for values 1 to window-1, at most an hour of
					// fake time: a value held back behind this call
					// would make it time out.
					for start := time.Now(); others.Load() < int64(window-1); time.Sleep(time.Millisecond) {
						if time.Since(start) > time.Hour {
							return 0, fmt.Errorf("only %d other values ran while value 0 waited", others.Load())
						}
					}
					return 0, nil
				}
				got, err := flow.Collect(flow.Map(context.Background(), upTo(100), fn, limit))
				require.NoError(t, err)
				require.Len(t, got, 100)
			})
		})
	}
}

// Cancelling ctx while workers run long runs of cheap calls over an
// endless source stops the stage promptly: it yields ctx's cause after at
// most a window of values past the one whose call cancelled, reads no
// more than that window, and no call starts once its context has ended
// (at most one per worker was starting at that moment).
func TestPoolCancelMidRun(t *testing.T) {
	cause := errors.New("enough")
	for _, limit := range []int{1, 3, 8} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			for range 20 {
				ctx, cancel := context.WithCancelCause(context.Background())
				var pulled, late atomic.Int64
				fn := func(ctx context.Context, v int) (int, error) {
					if ctx.Err() != nil {
						late.Add(1)
					}
					if v == 3000 {
						cancel(cause)
					}
					return v, nil
				}
				var err error
				n := 0
				bounded(t, "Map", nil, func() {
					for _, e := range flow.Map(ctx, forever(&pulled), fn, limit) {
						if e != nil {
							err = e
							break
						}
						n++
					}
				})
				cancel(nil)
				require.ErrorIs(t, err, cause)
				require.LessOrEqual(t, n, 3000+2*limit, "values yielded")
				require.LessOrEqual(t, late.Load(), int64(limit), "calls started after the cancellation")
				require.LessOrEqual(t, pulled.Load(), int64(3000+1+2*limit), "values read")
			}
		})
	}
}
