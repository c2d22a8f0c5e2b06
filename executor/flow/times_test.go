package flow_test

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/stretchr/testify/assert"
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
