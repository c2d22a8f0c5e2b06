package call_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimesReadyResultLosesToDoneCtx guards against a bug where a call past the n-th
// that arrives after the n-th run has finished returns its ctx's cause
// about half the time instead of the result: Times selects between done
// and ctx.Done() at random. The doc says only a call that arrives while
// the n-th still runs waits and may give up.
func TestTimesReadyResultLosesToDoneCtx(t *testing.T) {
	once := call.Times(1, func(context.Context) (int, error) { return 7, nil })
	_, _ = once(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lost := 0
	for range 200 {
		if _, err := once(ctx); err != nil {
			lost++
		}
	}
	assert.Zero(t, lost, "calls after the last run returned ctx's cause instead of its result")
}

// FailExhausted: the calls past the n-th get ErrExhausted, and fn never
// runs for them; without it they get the n-th run's result.
func TestTimesFailExhausted(t *testing.T) {
	var runs atomic.Int64
	fn := func(context.Context) (int64, error) { return runs.Add(1), nil }
	strict := call.Times(2, fn, call.FailExhausted())
	for want := range int64(2) {
		v, err := strict(context.Background())
		require.NoError(t, err)
		require.Equal(t, want+1, v)
	}
	for range 3 {
		_, err := strict(context.Background())
		require.ErrorIs(t, err, call.ErrExhausted)
	}
	require.Equal(t, int64(2), runs.Load())

	runs.Store(0)
	lenient := call.Times(1, fn)
	for range 3 {
		v, err := lenient(context.Background())
		require.NoError(t, err)
		require.Equal(t, int64(1), v, "paco's once: the first result again")
	}
	require.PanicsWithValue(t, "call: nil Option given to Times", func() { call.Times(1, fn, nil) })
}

func TestTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		fn := call.Times(2, func(ctx context.Context) (int64, error) {
			c := calls.Add(1)
			time.Sleep(time.Second)
			return c, nil
		})
		results := make([]int64, 6)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				v, err := fn(context.Background())
				assert.NoError(t, err)
				results[i] = v
			})
		}
		wg.Wait()
		require.Equal(t, int64(2), calls.Load())
		// Two calls ran fn (in either order); the four later callers share
		// the result of the second call.
		slices.Sort(results)
		require.True(t, slices.Equal(results, []int64{1, 2, 2, 2, 2, 2}) || slices.Equal(results, []int64{1, 1, 1, 1, 1, 2}), "%v", results)

		// A waiter whose ctx ends leaves with its cause.
		slow := call.Times(1, func(ctx context.Context) (int, error) { time.Sleep(time.Hour); return 1, nil })
		go func() { _, _ = slow(context.Background()) }()
		synctest.Wait()
		ctx, cancel := context.WithTimeoutCause(context.Background(), time.Second, errTimesUp)
		defer cancel()
		_, err := slow(ctx)
		require.ErrorIs(t, err, errTimesUp)
		time.Sleep(time.Hour) // let the first call end inside the bubble

		// A panicking last run: its caller panics, later callers are told.
		bad := call.Times(1, func(context.Context) (int, error) { panic("no") })
		require.Equal(t, "no", testkit.Catch(func() { _, _ = bad(context.Background()) }))
		_, err = bad(context.Background())
		require.ErrorIs(t, err, call.ErrPanicked)
	})
}

var errTimesUp = errors.New("times up")
