package call_test

import (
	"context"
	"errors"
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
	require.PanicsWithValue(t, "call: nil Option given to Throttle", func() { call.Throttle(fn, time.Second, nil) })
}

// counted returns a throttled function body that takes 100ms and returns
// how many times it has run.
func counted(calls *atomic.Int32) func(ctx context.Context) (int32, error) {
	return func(ctx context.Context) (int32, error) {
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return 0, context.Cause(ctx)
		}
		return calls.Add(1), nil
	}
}

func TestThrottleReturnsTheLastResultWithinTheFrame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		th := call.Throttle(counted(&calls), time.Second)
		begin := time.Now()
		for _, tt := range []struct {
			at   time.Duration
			want int32
		}{
			{0, 1}, {sec(0.5), 1}, {sec(0.99), 1}, {sec(1), 2}, {sec(1.5), 2}, {sec(2.5), 3},
		} {
			time.Sleep(tt.at - time.Since(begin))
			v, err := th(t.Context())
			require.NoError(t, err)
			require.Equal(t, tt.want, v, "call at %v", tt.at)
		}
		require.Equal(t, int32(3), calls.Load())
	})
}

func TestThrottleKeepsErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errDown := errors.New("down")
		var calls atomic.Int32
		th := call.Throttle(func(context.Context) (int, error) {
			calls.Add(1)
			return 0, errDown
		}, time.Second)
		_, err := th(t.Context())
		require.ErrorIs(t, err, errDown)
		_, err = th(t.Context())
		require.ErrorIs(t, err, errDown)
		require.Equal(t, int32(1), calls.Load())
	})
}

func TestThrottleCallersDuringARunShareIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		th := call.Throttle(counted(&calls), time.Second)
		got := make([]int32, 3)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i], _ = th(t.Context()) })
			synctest.Wait()
		}
		wg.Wait()
		require.Equal(t, []int32{1, 1, 1}, got)
		require.Equal(t, int32(1), calls.Load())
	})
}

func TestThrottleRunnerCancelledHandsOverToAWaiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		th := call.Throttle(counted(&calls), time.Second)
		errGone := errors.New("gone")
		ctx, stop := context.WithCancelCause(t.Context())
		defer stop(nil)
		var (
			wg               sync.WaitGroup
			runnerErr        error
			waiterV          int32
			waiterErr        error
			runnerEnd, begin = time.Duration(0), time.Now()
		)
		wg.Go(func() { _, runnerErr = th(ctx); runnerEnd = time.Since(begin) })
		synctest.Wait()
		wg.Go(func() { waiterV, waiterErr = th(t.Context()) })
		time.Sleep(50 * time.Millisecond)
		stop(errGone)
		wg.Wait()
		require.ErrorIs(t, runnerErr, errGone)
		require.Equal(t, sec(0.05), runnerEnd)
		require.NoError(t, waiterErr)
		require.Equal(t, int32(1), waiterV)
		require.Equal(t, sec(0.15), time.Since(begin))
	})
}

func TestThrottleWaiterCancelledLeavesTheRunAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		th := call.Throttle(counted(&calls), time.Second)
		errGone := errors.New("gone")
		ctx, stop := context.WithCancelCause(t.Context())
		defer stop(nil)
		var (
			wg                   sync.WaitGroup
			runnerV              int32
			runnerErr, waiterErr error
		)
		wg.Go(func() { runnerV, runnerErr = th(t.Context()) })
		synctest.Wait()
		wg.Go(func() { _, waiterErr = th(ctx) })
		synctest.Wait()
		stop(errGone)
		wg.Wait()
		require.ErrorIs(t, waiterErr, errGone)
		require.NoError(t, runnerErr)
		require.Equal(t, int32(1), runnerV)
	})
}

func TestThrottlePanicKeepsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		th := call.Throttle(func(context.Context) (int32, error) {
			if calls.Add(1) == 1 {
				panic("first")
			}
			return calls.Load(), nil
		}, time.Second)
		require.PanicsWithValue(t, "first", func() { _, _ = th(t.Context()) })
		v, err := th(t.Context())
		require.NoError(t, err)
		require.Equal(t, int32(2), v)
	})
}
