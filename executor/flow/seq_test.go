package flow_test

import (
	"context"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/stretchr/testify/assert"
)

// TestConcurrentRanges pins that one stage (DropWhile keeps state)
// may be ranged twice and from two goroutines at once.
func TestConcurrentRanges(t *testing.T) {
	pred := func(_ context.Context, i int) (bool, error) { return i < 5, nil }
	seq := flow.DropWhile(context.Background(), upTo(20), pred, 3)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			vs, err := flow.Collect(seq)
			assert.NoError(t, err)
			assert.Len(t, vs, 15)
		})
	}
	wg.Wait()
}
