package call_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/stretchr/testify/require"
)

// PerFrame(3): the first three calls of a frame run fn, the rest of the
// frame gets the latest result, and the next frame runs fn again.
func TestThrottlePerFrameRunsNCallsAFrame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		th := call.Throttle(counted(&calls), time.Second, call.PerFrame(3))
		var got []int32
		for range 5 {
			v, err := th(t.Context())
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Equal(t, []int32{1, 2, 3, 3, 3}, got)
		time.Sleep(time.Second)
		v, err := th(t.Context())
		require.NoError(t, err)
		require.Equal(t, int32(4), v, "a new frame runs fn again")
	})
}

// Calls that come at once within the limit run concurrently; those past it
// wait for the first run to return and share its result.
func TestThrottlePerFrameConcurrentCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var running, most, calls atomic.Int32
		fn := func(context.Context) (int32, error) {
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(100 * time.Millisecond)
			running.Add(-1)
			return calls.Add(1), nil
		}
		th := call.Throttle(fn, time.Second, call.PerFrame(2))
		var wg sync.WaitGroup
		results := make([]int32, 6)
		for i := range results {
			wg.Go(func() {
				v, err := th(t.Context())
				if err == nil {
					results[i] = v
				}
			})
		}
		wg.Wait()
		require.Equal(t, int32(2), most.Load(), "runs at once")
		require.Equal(t, int32(2), calls.Load())
		for i, v := range results {
			require.Contains(t, []int32{1, 2}, v, "call %d", i)
		}
	})
}

// FailThrottled: a call past the limit gets ErrThrottled at once, even
// while the frame's run is still going.
func TestThrottleFailThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		th := call.Throttle(counted(&calls), time.Second, call.FailThrottled())
		first := make(chan int32, 1)
		go func() {
			v, _ := th(context.Background())
			first <- v
		}()
		synctest.Wait() // the first call runs fn
		_, err := th(t.Context())
		require.ErrorIs(t, err, call.ErrThrottled, "a call during the frame's run")
		require.Equal(t, int32(1), <-first)
		_, err = th(t.Context())
		require.ErrorIs(t, err, call.ErrThrottled, "a call after the run, within the frame")
		time.Sleep(time.Second)
		v, err := th(t.Context())
		require.NoError(t, err)
		require.Equal(t, int32(2), v)
	})
}

func TestThrottleOptionsPanicOnBadInput(t *testing.T) {
	require.PanicsWithValue(t, "call: PerFrame must be positive", func() { call.PerFrame(0) })
	fn := func(context.Context) (int, error) { return 0, nil }
	require.PanicsWithValue(t, "call: nil ThrottleOption", func() { call.Throttle(fn, time.Second, nil) })
}
