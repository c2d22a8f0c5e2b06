package flow_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/stretchr/testify/require"
)

// TestCollectKeepsEveryValueInOrder checks Collect at the lengths where it
// changes how it stores values (one growing slice up to 1024 values, then
// chunks doubling up to 65,536), and past them: every value, in order, and
// a nil slice for an empty Seq.
func TestCollectKeepsEveryValueInOrder(t *testing.T) {
	for _, n := range []int{0, 1, 1023, 1024, 1025, 3072, 3073, 65536 + 1, 300_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			got, err := flow.Collect(upTo(n))
			require.NoError(t, err)
			require.Len(t, got, n)
			if n == 0 {
				require.Nil(t, got)
			}
			for i, v := range got {
				if v != i {
					t.Fatalf("value %d is %d", i, v)
				}
			}
		})
	}
}

// TestCollectReturnsTheValuesBeforeAnError checks that a failure returns
// the values before it, in order, whichever chunk it falls in, and stops
// the Seq there.
func TestCollectReturnsTheValuesBeforeAnError(t *testing.T) {
	boom := errors.New("boom")
	for _, at := range []int{0, 5, 1024, 5000} {
		t.Run(strconv.Itoa(at), func(t *testing.T) {
			asked := 0
			seq := func(yield func(int, error) bool) {
				for i := 0; ; i++ {
					asked++
					if i == at {
						if !yield(0, boom) {
							return
						}
						continue
					}
					if !yield(i, nil) {
						return
					}
				}
			}
			got, err := flow.Collect(seq)
			require.ErrorIs(t, err, boom)
			require.Len(t, got, at)
			for i, v := range got {
				if v != i {
					t.Fatalf("value %d is %d", i, v)
				}
			}
			require.Equal(t, at+1, asked)
		})
	}
}
