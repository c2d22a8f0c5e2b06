package executor

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The idle list takes workers from both ends and out of the middle in O(1),
// skipping the entries left behind by the latter.
func TestIdleListSkipsWorkersTakenOutOfTheMiddle(t *testing.T) {
	var l idleList
	ws := make([]*worker, 5)
	for i := range ws {
		ws[i] = &worker{pos: i}
		l.push(ws[i])
	}
	require.Equal(t, 5, l.len())
	l.remove(ws[1])
	l.remove(ws[4])
	require.Equal(t, 3, l.len())
	require.False(t, ws[4].idle)
	require.Same(t, ws[3], l.popNewest(), "the stale newest entry is skipped")
	require.Same(t, ws[0], l.oldest())
	require.Same(t, ws[0], l.popOldest())
	require.Same(t, ws[2], l.oldest(), "the stale entry of ws[1] is skipped")

	// A worker parked again gets a new entry; its old one is stale.
	l.push(ws[0])
	require.Equal(t, 2, l.len())
	require.Same(t, ws[0], l.popNewest())
	require.Same(t, ws[2], l.popNewest())
	require.Nil(t, l.popNewest())
	require.Nil(t, l.oldest())
	require.Zero(t, l.len())

	// Emptied by removals, the list lets go of its entries.
	l.push(ws[1])
	l.remove(ws[1])
	require.Empty(t, l.ws)
}
