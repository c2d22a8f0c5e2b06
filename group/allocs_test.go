package group_test

import (
	"context"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestGoAllocations guards the allocation budget of a task: Go of a
// function that captures nothing allocates at most two objects (the task,
// and what starting its goroutine costs), Async likewise.
func TestGoAllocations(t *testing.T) {
	testkit.Bubble(t, testGoAllocations) // a hang fails at once
}

func testGoAllocations(t *testing.T) {
	g := group.New(context.Background())
	ran := make(chan struct{}, 1)
	fn := func(context.Context) error { ran <- struct{}{}; return nil } // made once
	afn := func(context.Context) (int, error) { ran <- struct{}{}; return 1, nil }
	for _, tt := range []struct {
		name  string
		spawn func()
	}{
		{"Go", func() { g.Go(fn) }},
		{"Async", func() { group.Async(g, afn) }},
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

// TestAFinishedTaskDoesNotKeepItsFunction: a Task kept after it finished
// (for its Err, say) no longer holds the function it ran, nor what that
// function captured.
func TestAFinishedTaskDoesNotKeepItsFunction(t *testing.T) {
	g := group.New(context.Background())
	collected := make(chan struct{})
	task := goHolding(g, collected)
	require.NoError(t, g.Wait())
	require.NoError(t, task.Err())
	for range 3 {
		runtime.GC() // cleanups run after the cycle that finds the object dead
	}
	select {
	case <-collected:
	case <-time.After(10 * time.Second):
		t.Fatal("the buffer captured by the task's function was not collected")
	}
	runtime.KeepAlive(task)
}

// goHolding starts a task whose function alone holds a buffer, and closes
// collected when the buffer is collected.
func goHolding(g *group.Group, collected chan struct{}) *group.Task {
	buf := make([]byte, 1<<16)
	runtime.AddCleanup(&buf[0], func(c chan struct{}) { close(c) }, collected)
	return g.Go(func(context.Context) error {
		buf[0] = 1
		return nil
	})
}
