package executor

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// A runner of an ordered Map with nothing pending spins a little before it
// exits, and goes on at once when an item is pending.
func TestMapRunnerSpin(t *testing.T) {
	g := group.New(context.Background())
	ex := New(g, MaxWorkers(1))
	m := &mapShared[int, int]{ex: ex}
	require.False(t, m.spin(), "nothing pending: the runner exits")
	m.npending.Store(1)
	require.True(t, m.spin(), "an item is pending: the runner takes it")
	require.NoError(t, ex.Wait())
	require.NoError(t, g.Close())
}
