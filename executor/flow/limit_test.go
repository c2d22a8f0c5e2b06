package flow_test

import (
	"context"
	"math"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/assert"
)

// TestHugeLimitOverflows guards against a bug where a limit above math.MaxInt/2 makes
// run compute window = 2*limit, which overflows to a negative number, and
// the stage panics with "executor: Window must be positive" when ranged —
// a valid limit (larger than any input: "no limit" in practice) is treated
// as bad input, with another package's message, at range time.
func TestHugeLimitOverflows(t *testing.T) {
	id := func(_ context.Context, i int) (int, error) { return i, nil }
	for _, limit := range []int{math.MaxInt/2 + 1, math.MaxInt} {
		p := testkit.Catch(func() {
			vs, err := flow.Collect(flow.Map(context.Background(), upTo(3), id, limit))
			assert.NoError(t, err)
			assert.Equal(t, []int{0, 1, 2}, vs)
		})
		assert.Nil(t, p, "limit %d", limit)
		p = testkit.Catch(func() {
			assert.NoError(t, flow.Each(context.Background(), upTo(3), func(context.Context, int) error { return nil }, limit))
		})
		assert.Nil(t, p, "Each, limit %d", limit)
	}
}
