package flow_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimesReadyResultLosesToDoneCtx guards against a bug where a call past the n-th
// that arrives after the n-th run has finished returns its ctx's cause
// about half the time instead of the result: Times selects between done
// and ctx.Done() at random. The doc says only a call that arrives while
// the n-th still runs waits and may give up.
func TestTimesReadyResultLosesToDoneCtx(t *testing.T) {
	once := flow.Times(1, func(context.Context) (int, error) { return 7, nil })
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
	strict := flow.Times(2, fn, flow.FailExhausted())
	for want := range int64(2) {
		v, err := strict(context.Background())
		require.NoError(t, err)
		require.Equal(t, want+1, v)
	}
	for range 3 {
		_, err := strict(context.Background())
		require.ErrorIs(t, err, flow.ErrExhausted)
	}
	require.Equal(t, int64(2), runs.Load())

	runs.Store(0)
	lenient := flow.Times(1, fn)
	for range 3 {
		v, err := lenient(context.Background())
		require.NoError(t, err)
		require.Equal(t, int64(1), v, "paco's once: the first result again")
	}
	require.PanicsWithValue(t, "flow: nil TimesOption", func() { flow.Times(1, fn, nil) })
}
