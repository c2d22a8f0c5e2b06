package executor

import (
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

func tasks(n int) []*group.Task {
	ts := make([]*group.Task, n)
	for i := range ts {
		ts[i] = new(group.Task)
	}
	return ts
}

func contents(r *ring) []*group.Task {
	var out []*group.Task
	r.each(func(t *group.Task) { out = append(out, t) })
	return out
}

// filter keeps the survivors in order, wherever the ring's head is.
func TestRingFilterKeepsOrderAfterTheHeadMoved(t *testing.T) {
	var r ring
	ts := tasks(10)
	for _, x := range ts {
		r.push(x)
	}
	for range 3 {
		r.pop()
	}
	drop := map[*group.Task]bool{ts[4]: true, ts[7]: true}
	require.Equal(t, 2, r.filter(func(x *group.Task) bool { return !drop[x] }))
	require.Equal(t, []*group.Task{ts[3], ts[5], ts[6], ts[8], ts[9]}, contents(&r))
	require.Same(t, ts[3], r.pop())
	require.Equal(t, 4, r.filter(func(*group.Task) bool { return false }))
	require.Zero(t, r.len())
	r.push(ts[0])
	require.Same(t, ts[0], r.pop())
}

// An emptied ring lets a buffer larger than shrinkAbove go, and keeps one
// up to that size for the next burst.
func TestRingLetsALargeBufferGoWhenEmptied(t *testing.T) {
	for _, tt := range []struct {
		n    int
		keep bool
	}{{16, true}, {shrinkAbove, true}, {shrinkAbove + 1, false}} {
		var r ring
		for _, x := range tasks(tt.n) {
			r.push(x)
		}
		for r.len() > 0 {
			r.pop()
		}
		if tt.keep {
			require.NotNil(t, r.buf, "%d jobs", tt.n)
		} else {
			require.Nil(t, r.buf, "%d jobs", tt.n)
		}
	}
}
