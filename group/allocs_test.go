package group_test

import (
	"context"
	"testing"
	"unsafe"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestGoAllocations guards the allocation budget of a task: Go of a
// function that captures nothing allocates at most two objects (the task,
// and what starting its goroutine costs), Async likewise, and a group made
// with Trace while no trace is recorded no more.
func TestGoAllocations(t *testing.T) {
	testkit.Bubble(t, testGoAllocations) // a hang fails at once
}

func testGoAllocations(t *testing.T) {
	g := group.New(context.Background())
	traced := group.New(context.Background(), group.Trace())
	ran := make(chan struct{}, 1)
	fn := func(context.Context) error { ran <- struct{}{}; return nil } // made once
	afn := func(context.Context) (int, error) { ran <- struct{}{}; return 1, nil }
	for _, tt := range []struct {
		name  string
		spawn func()
	}{
		{"Go", func() { g.Go(fn) }},
		{"Async", func() { group.Async(g, afn) }},
		{"Go traced", func() { traced.Go(fn) }},
	} {
		run := func() {
			tt.spawn()
			<-ran // (Task.Done would make a channel: an allocation of the test's)
		}
		run()
		allocs := testing.AllocsPerRun(1000, run)
		t.Logf("%s: %.2f allocations per task", tt.name, allocs)
		require.LessOrEqual(t, allocs, 2.0, tt.name)
	}
	require.NoError(t, g.Wait())
	require.NoError(t, traced.Wait())
}

// TestDoneOfAFinishedTaskAllocatesNothing guards the lazy Done channel: a
// task asked for it only after it finished (a Future's Result, an ordered
// stream's check of its oldest item) shares one closed channel instead of
// making its own.
func TestDoneOfAFinishedTaskAllocatesNothing(t *testing.T) {
	const runs = 100
	g := group.New(context.Background())
	futs := make([]*group.Future[int], runs+1) // AllocsPerRun calls once more, to warm up
	for i := range futs {
		futs[i] = group.Async(g, func(context.Context) (int, error) { return i, nil })
	}
	require.NoError(t, g.Wait())
	next := 0
	allocs := testing.AllocsPerRun(runs, func() {
		f := futs[next]
		<-f.Done()
		if v, err := f.Result(); v != next || err != nil {
			panic("wrong result")
		}
		next++
	})
	require.Zero(t, allocs)
}

// TestTaskSize guards the size of a Task, the one record every task
// allocates: 112 bytes, a size class of the allocator. What only some tasks
// use lives outside it (see the Task's fields).
func TestTaskSize(t *testing.T) {
	require.LessOrEqual(t, unsafe.Sizeof(group.Task{}), uintptr(112))
}
