package bench_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/group"
)

// closeSizes are the numbers of blocked tasks that BenchmarkCloseScale
// closes per op, one row of its curve each.
var closeSizes = []int{1_000, 10_000, 100_000, 1_000_000}

// blockedTasks is how many blocked tasks BenchmarkBlockedMemory measures.
const blockedTasks = 10_000

// A blocker starts n tasks that block on their context and returns once
// every one of them holds its Done channel. The release it returns cancels
// them and returns once every one has returned.
type blocker func(b *testing.B, n int) (release func())

// blockers are the implementations the benchmarks of this file compare,
// the baseline first.
var blockers = []struct {
	impl  string
	block blocker
}{{"go-waitgroup", blockBare}, {"nursery-go", blockGroup}}

// blockBare is the baseline: goroutines blocked on one context's Done
// channel, released by cancel and joined by a WaitGroup.
func blockBare(_ *testing.B, n int) (release func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var started, wg sync.WaitGroup
	started.Add(n)
	wg.Add(n)
	task := func() {
		done := ctx.Done()
		started.Done()
		<-done
		wg.Done()
	}
	for range n {
		go task()
	}
	started.Wait()
	return func() {
		cancel()
		wg.Wait()
	}
}

// blockGroup is ours: tasks started with Group.Go, blocked on their own
// context, released and joined by Group.Close.
func blockGroup(b *testing.B, n int) (release func()) {
	var g group.Group
	var started sync.WaitGroup
	started.Add(n)
	task := func(ctx context.Context) error {
		// Asking for Done makes the task's context, so it is made
		// before the release begins, as in the baseline.
		done := ctx.Done()
		started.Done()
		<-done
		return ctx.Err()
	}
	for range n {
		g.Go(task)
	}
	started.Wait()
	return func() {
		if err := g.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// warmed is the most goroutines that warmUp has had the runtime make.
var warmed int

// warmUp has the runtime make n goroutines, unless it has before. The
// runtime keeps a goroutine's record for reuse once it has made it, so
// without this the first implementation to reach a size would pay for the
// others' records too.
func warmUp(n int) {
	if n > warmed {
		blockBare(nil, n)()
		warmed = n
	}
}

func BenchmarkCloseScale(b *testing.B) {
	for _, n := range closeSizes {
		for _, timed := range []struct {
			name      string
			closeOnly bool
		}{{"spawn+close", false}, {"close", true}} {
			for _, bl := range blockers {
				b.Run(fmt.Sprintf("n=%d/timed=%s/impl=%s", n, timed.name, bl.impl), func(b *testing.B) {
					closeBench(b, n, timed.closeOnly, bl.block)
				})
			}
		}
	}
}

// closeBench starts n blocked tasks and releases them, b.N times, timing
// only the release if closeOnly is set, and reports the time per task.
func closeBench(b *testing.B, n int, closeOnly bool, block blocker) {
	b.ReportAllocs()
	warmUp(n)
	b.ResetTimer()
	for range b.N {
		if closeOnly {
			b.StopTimer()
		}
		release := block(b, n)
		if closeOnly {
			b.StartTimer()
		}
		release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/task")
}

func BenchmarkBlockedMemory(b *testing.B) {
	for _, bl := range blockers {
		b.Run("impl="+bl.impl, func(b *testing.B) {
			memoryBench(b, blockedTasks, bl.block)
		})
	}
}

// memoryBench reports, as B/task, how much the heap and the stacks in use
// grow from before n tasks start to when all of them block, each read
// after a collection, so that only what the blocked tasks keep alive
// counts. Its time, ns/task, is the start and the release; the
// collections and readings are not timed.
func memoryBench(b *testing.B, n int, block blocker) {
	b.ReportAllocs()
	// At each collection the runtime sets the stack size of the
	// goroutines started next to the average stack in use then. Between
	// rounds only the testing package's goroutines would be left, with
	// deep stacks, and the tasks would start with 4 KiB stacks instead of
	// the 2 KiB they get in a program of mostly small goroutines: parked
	// goroutines, a tenth as many as the tasks, keep the average down.
	// They stay for every round, so that their stacks are never freed
	// among the tasks'. (A round of tasks kept blocked through the next
	// round would make the average the tasks' own, but freeing its stacks
	// among the next round's leaves stack spans half used, and the
	// readings drift by up to a third.)
	park := make(chan struct{})
	var parked sync.WaitGroup
	for range n / 10 {
		parked.Go(func() { <-park })
	}
	defer func() {
		close(park)
		parked.Wait()
	}()
	// n goroutine records beside the parked ones; see warmUp.
	block(b, n)()
	var before, after runtime.MemStats
	var grown int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		release := block(b, n)
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.StartTimer()
		release()
		grown += int64(after.HeapInuse+after.StackInuse) - int64(before.HeapInuse+before.StackInuse)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/task")
	b.ReportMetric(float64(grown)/float64(n*b.N), "B/task")
}
