package executor_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// A million submissions through a thousand workers run in flat memory and
// with a bounded number of goroutines: the executor holds O(workers), never
// O(jobs).
func TestMemoryStaysFlat(t *testing.T) {
	jobs, workers := 1_000_000, 1000
	if raceEnabled {
		jobs = 200_000 // the race detector makes each job ~10x slower
	}
	if testing.Short() {
		t.Skip("pushes a million jobs")
	}
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(workers))
	baseGoroutines := runtime.NumGoroutine()
	job := func(context.Context) error {
		runtime.Gosched() // let jobs overlap, so that workers are busy
		return nil
	}
	var ms runtime.MemStats
	sample := func() (heap uint64, goroutines int) {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse, runtime.NumGoroutine()
	}
	var firstHeap, maxHeap uint64
	maxGoroutines := 0
	const every = 50_000
	for i := range jobs {
		_, err := ex.Submit(context.Background(), job)
		require.NoError(t, err)
		if (i+1)%every == 0 {
			heap, gs := sample()
			if firstHeap == 0 {
				firstHeap = heap
			}
			maxHeap, maxGoroutines = max(maxHeap, heap), max(maxGoroutines, gs)
		}
	}
	require.NoError(t, ex.Wait())
	require.NoError(t, g.Close())
	require.LessOrEqual(t, maxGoroutines, baseGoroutines+workers+10, "goroutines: the workers and a few")
	// The first sample already holds every worker: later samples may not
	// grow beyond noise (a few MiB of runtime and allocator slack).
	require.Less(t, maxHeap, firstHeap+8<<20, "heap in use grew from %d to %d bytes", firstHeap, maxHeap)
	t.Logf("%d jobs: heap in use first %d KiB, max %d KiB; max goroutines %d", jobs, firstHeap>>10, maxHeap>>10, maxGoroutines)
}
