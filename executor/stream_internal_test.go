package executor

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// A stream's default window is twice MaxWorkers, as long as that fits in
// an int: MaxWorkers up to math.MaxInt/2 doubles, above it does not.
func TestStreamDefaultWindowIsTwiceMaxWorkersWhereItFits(t *testing.T) {
	for _, tt := range []struct{ max, window int }{
		{4, 8},
		{math.MaxInt / 2, math.MaxInt / 2 * 2},
		{math.MaxInt/2 + 1, math.MaxInt/2 + 1},
	} {
		require.Equal(t, tt.window, streamOptions(&Executor{max: tt.max}, "Map", nil).window, "MaxWorkers %d", tt.max)
	}
}
