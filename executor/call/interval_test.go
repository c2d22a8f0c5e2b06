package call_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/stretchr/testify/require"
)

// Runs(3): the body runs fn at d, 2d and 3d, then returns nil; each call of
// the body counts its own runs.
func TestIntervalRunsStopsAfterN(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var at []time.Duration
		begin := time.Now()
		body := call.Interval(time.Second, func(context.Context) error {
			at = append(at, time.Since(begin))
			return nil
		}, call.Runs(3))
		require.NoError(t, body(t.Context()))
		require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, at)
		at = nil
		begin = time.Now()
		require.NoError(t, body(t.Context()), "a second call counts afresh")
		require.Len(t, at, 3)
	})
}

func TestIntervalOptionsPanicOnBadInput(t *testing.T) {
	require.PanicsWithValue(t, "call: Runs must be positive", func() { call.Runs(0) })
	fn := func(context.Context) error { return nil }
	require.PanicsWithValue(t, "call: nil Option given to Interval", func() { call.Interval(time.Second, fn, nil) })
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
