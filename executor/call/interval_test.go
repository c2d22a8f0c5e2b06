package call_test

import (
	"context"
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
	require.PanicsWithValue(t, "call: nil IntervalOption", func() { call.Interval(time.Second, fn, nil) })
}
