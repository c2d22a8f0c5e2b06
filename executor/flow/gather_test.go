package flow_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGatherLimitedMisalignsResults guards against a bug where Gather (and Repeat)
// with a binding limit returns values that are not a prefix of fns: a call
// cancelled by the fail-fast close is skipped by executor.Map (stream.deliver
// drops it), but the finished calls after it are still appended, so out[0]
// is the value of fns[1]. The doc promises "the results of the functions
// before the failing one that had finished, in order, up to the first gap",
// and the unlimited path does that.
func TestGatherLimitedMisalignsResults(t *testing.T) {
	for _, limit := range []int{0, 2} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				blocked := func(ctx context.Context) (int, error) {
					<-ctx.Done()
					return -1, ctx.Err()
				}
				ok := func(context.Context) (int, error) { return 42, nil }
				failing := func(context.Context) (int, error) {
					time.Sleep(time.Second)
					return 0, errBoom
				}
				vs, err := flow.Gather(context.Background(), limit, blocked, ok, failing)
				require.ErrorIs(t, err, errBoom)
				assert.Empty(t, vs, "fns[0] never succeeded: there is a gap at 0")

				vs, err = flow.Repeat(context.Background(), 3, func(ctx context.Context, i int) (int, error) {
					return []func(context.Context) (int, error){blocked, ok, failing}[i](ctx)
				}, limit)
				require.ErrorIs(t, err, errBoom)
				assert.Empty(t, vs, "Repeat: call 0 never succeeded")
			})
		})
	}
}
