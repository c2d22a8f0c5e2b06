package call_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/stretchr/testify/require"
)

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

func TestDeferRunsAfterTheDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		begin := time.Now()
		var ranAt time.Duration
		err := call.Defer(time.Second, func(context.Context) error {
			ranAt = time.Since(begin)
			return nil
		})(t.Context())
		require.NoError(t, err)
		require.Equal(t, time.Second, ranAt)
	})
}

func TestDeferCancelledDoesNotRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errGone := errors.New("gone")
		ctx, stop := context.WithCancelCause(t.Context())
		defer stop(nil)
		ran := false
		body := call.Defer(time.Second, func(context.Context) error { ran = true; return nil })
		begin := time.Now()
		done := make(chan error, 1)
		go func() { done <- body(ctx) }()
		time.Sleep(300 * time.Millisecond)
		stop(errGone)
		require.ErrorIs(t, <-done, errGone)
		require.Equal(t, sec(0.3), time.Since(begin))
		require.False(t, ran)
		// Already done: returns at once.
		require.ErrorIs(t, body(ctx), errGone)
		require.Equal(t, sec(0.3), time.Since(begin))
	})
}

// intervalRuns runs Interval(1s, fn) until 4.5s, where fn takes
// durations[i] on run i, and returns when each run started.
func intervalRuns(t *testing.T, durations ...time.Duration) []time.Duration {
	t.Helper()
	var at []time.Duration
	synctest.Test(t, func(t *testing.T) {
		errEnd := errors.New("end")
		ctx, stop := context.WithCancelCause(t.Context())
		defer stop(nil)
		begin := time.Now()
		body := call.Interval(time.Second, func(context.Context) error {
			i := len(at)
			at = append(at, time.Since(begin))
			if i < len(durations) {
				time.Sleep(durations[i])
			}
			return nil
		})
		done := make(chan error, 1)
		go func() { done <- body(ctx) }()
		time.Sleep(sec(4.5))
		stop(errEnd)
		require.ErrorIs(t, <-done, errEnd)
	})
	return at
}

func TestIntervalRunsEveryPeriod(t *testing.T) {
	tests := []struct {
		name      string
		durations []time.Duration
		want      []time.Duration
	}{
		{"fast", nil, []time.Duration{sec(1), sec(2), sec(3), sec(4)}},
		{"exactly one period", []time.Duration{sec(1), sec(1), sec(1)}, []time.Duration{sec(1), sec(2), sec(3), sec(4)}},
		{"slow run skips missed ticks", []time.Duration{sec(1.5)}, []time.Duration{sec(1), sec(3), sec(4)}},
		{"very slow run", []time.Duration{sec(2.2)}, []time.Duration{sec(1), sec(4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, intervalRuns(t, tt.durations...))
		})
	}
}

func TestIntervalStopsOnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errBad := errors.New("bad")
		n := 0
		begin := time.Now()
		err := call.Interval(time.Second, func(context.Context) error {
			if n++; n == 3 {
				return errBad
			}
			return nil
		})(t.Context())
		require.ErrorIs(t, err, errBad)
		require.Equal(t, sec(3), time.Since(begin))
	})
}

// flaky fails its first n calls with errFlaky and records when each call
// happened.
type flaky struct {
	n     int
	begin time.Time
	at    []time.Duration
}

var errFlaky = errors.New("flaky")

func (f *flaky) call(context.Context) (int, error) {
	f.at = append(f.at, time.Since(f.begin))
	if len(f.at) <= f.n {
		return 0, errFlaky
	}
	return len(f.at), nil
}

func TestRetryBacksOffExponentially(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 10, begin: time.Now()}
		_, err := call.Retry(t.Context(), f.call, call.NoJitter(), call.Attempts(5),
			call.BaseDelay(100*time.Millisecond), call.MaxDelay(300*time.Millisecond))
		require.ErrorIs(t, err, errFlaky)
		require.Equal(t, []time.Duration{0, sec(0.1), sec(0.3), sec(0.6), sec(0.9)}, f.at)
	})
}

func TestRetrySucceeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 2, begin: time.Now()}
		v, err := call.Retry(t.Context(), f.call, call.NoJitter(), call.Multiplier(3))
		require.NoError(t, err)
		require.Equal(t, 3, v)
		require.Equal(t, []time.Duration{0, sec(0.1), sec(0.4)}, f.at)
	})
}

func TestRetryFullJitterIsReproducible(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 10, begin: time.Now()}
		_, err := call.Retry(t.Context(), f.call, call.Attempts(4),
			call.JitterSource(rand.New(rand.NewPCG(1, 2))))
		require.ErrorIs(t, err, errFlaky)
		// The same draws, from the same seed, over 100ms, 200ms, 400ms.
		r := rand.New(rand.NewPCG(1, 2))
		want := []time.Duration{0}
		for _, d := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
			j := time.Duration(r.Int64N(int64(d) + 1))
			require.LessOrEqual(t, j, d)
			want = append(want, want[len(want)-1]+j)
		}
		require.Equal(t, want, f.at)
	})
}

func TestRetryPermanentStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errNo := errors.New("no")
		calls := 0
		_, err := call.Retry(t.Context(), func(context.Context) (int, error) {
			calls++
			return 0, call.Permanent(errNo)
		})
		require.Equal(t, errNo, err)
		require.Equal(t, 1, calls)
		require.NoError(t, call.Permanent(nil))
	})
}

func TestRetryCtxEndsDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errGone := errors.New("gone")
		ctx, stop := context.WithCancelCause(t.Context())
		defer stop(nil)
		f := &flaky{n: 10, begin: time.Now()}
		done := make(chan error, 1)
		go func() {
			_, err := call.Retry(ctx, f.call, call.NoJitter(), call.Attempts(100))
			done <- err
		}()
		time.Sleep(sec(0.2))
		stop(errGone)
		err := <-done
		require.ErrorIs(t, err, errGone)
		require.ErrorIs(t, err, errFlaky)
		require.Equal(t, []time.Duration{0, sec(0.1)}, f.at)
		require.Equal(t, sec(0.2), time.Since(f.begin))
	})
}

func TestRetryDoneCtxDoesNotCall(t *testing.T) {
	errGone := errors.New("gone")
	ctx, stop := context.WithCancelCause(t.Context())
	stop(errGone)
	f := &flaky{begin: time.Now()}
	_, err := call.Retry(ctx, f.call)
	require.Equal(t, errGone, err)
	require.Empty(t, f.at)
}

func TestCallToolsPanicOnMisuse(t *testing.T) {
	nop := func(context.Context) error { return nil }
	tests := []struct {
		name string
		give func()
	}{
		{"Throttle nil", func() { call.Throttle[int](nil, time.Second) }},
		{"Throttle zero frame", func() { call.Throttle(func(context.Context) (int, error) { return 0, nil }, 0) }},
		{"Defer nil", func() { call.Defer(time.Second, nil) }},
		{"Interval zero", func() { call.Interval(0, nop) }},
		{"Attempts 0", func() { call.Attempts(0) }},
		{"BaseDelay negative", func() { call.BaseDelay(-1) }},
		{"MaxDelay negative", func() { call.MaxDelay(-1) }},
		{"Multiplier below 1", func() { call.Multiplier(0.5) }},
		{"JitterSource nil", func() { call.JitterSource(nil) }},
		{"Retry nil", func() { _, _ = call.Retry[int](context.Background(), nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.Panics(t, tt.give) })
	}
}
