package flow_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/stretchr/testify/assert"
)

// TestDropWhileKeepsWhateverPredSays guards against a bug where a pred error on a
// value after the cut still fails DropWhile, although the doc says the
// values after the first false verdict "are kept whatever pred says": a
// call on such a value that started before the cut was known runs on, is
// not cancelled, and its error ends the stream.
func TestDropWhileKeepsWhateverPredSays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pred := func(ctx context.Context, i int) (bool, error) {
			switch i {
			case 0:
				time.Sleep(time.Second)
				return false, nil // the cut: 0 and everything after it is kept
			case 1:
				time.Sleep(2 * time.Second)
				return false, errBoom
			}
			return true, nil
		}
		vs, err := flow.Collect(flow.DropWhile(context.Background(), upTo(4), pred, 0))
		assert.NoError(t, err)
		assert.Equal(t, []int{0, 1, 2, 3}, vs)
	})
}
