package executor_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
)

// Submit blocks while every worker is busy, so a producer never gets more
// than MaxWorkers jobs ahead of them, however many it has.
func ExampleExecutor_Submit() {
	g := group.New(context.Background())
	defer g.Close()
	ex := executor.New(g, executor.MaxWorkers(4))
	var sum atomic.Int64
	for i := range 1000 {
		if _, err := ex.Submit(context.Background(), func(context.Context) error {
			sum.Add(int64(i))
			return nil
		}); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := ex.Wait(); err != nil {
		fmt.Println(err)
	}
	fmt.Println(sum.Load(), ex.Stats().Succeeded)
	// Output: 499500 1000
}

// Async returns a typed future; Exec submits and waits for the result.
func ExampleAsync() {
	g := group.New(context.Background())
	defer g.Close()
	ex := executor.New(g, executor.MaxWorkers(2))
	square := func(n int) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { return n * n, nil }
	}
	f, err := executor.Async(context.Background(), ex, square(7))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := executor.Exec(context.Background(), ex, square(8))
	fmt.Println(v, err)
	fmt.Println(f.Result())
	// Output:
	// 64 <nil>
	// 49 <nil>
}

// Map yields results in the order of its input, however the jobs finish.
func ExampleMap() {
	g := group.New(context.Background())
	defer g.Close()
	ex := executor.New(g, executor.MaxWorkers(3))
	delays := []int{30, 10, 20}
	wait := func(ctx context.Context, ms int) (string, error) {
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return fmt.Sprintf("%dms", ms), nil
	}
	for v, err := range executor.Map(context.Background(), ex, slices.Values(delays), wait) {
		fmt.Println(v, err)
	}
	// Output:
	// 30ms <nil>
	// 10ms <nil>
	// 20ms <nil>
}

// flow.Collect gathers Map's results into a slice, in input order; at the
// first error it stops, and Map cancels and waits for the items in flight.
func ExampleMap_collect() {
	g := group.New(context.Background())
	defer g.Close()
	ex := executor.New(g, executor.MaxWorkers(4))
	double := func(_ context.Context, n int) (int, error) { return 2 * n, nil }
	out, err := flow.Collect(executor.Map(context.Background(), ex, slices.Values([]int{1, 2, 3, 4, 5}), double))
	fmt.Println(out, err)
	// Output: [2 4 6 8 10] <nil>
}

// MapBatches yields results in batches as they complete. A batch closes
// when poll has passed since the stream began to wait, or when the last
// item is in; here every item completes well within the poll, so the input
// comes back as one batch, in the order the items completed.
func ExampleMapBatches() {
	g := group.New(context.Background())
	defer g.Close()
	ex := executor.New(g, executor.MaxWorkers(2))
	double := func(_ context.Context, n int) (int, error) { return 2 * n, nil }
	for batch, err := range executor.MapBatches(context.Background(), ex, slices.Values([]int{1, 2, 3, 4, 5}), double, time.Minute) {
		slices.Sort(batch)
		fmt.Println(batch, err)
	}
	// Output: [2 4 6 8 10] <nil>
}

// Cancel cancels chosen jobs, running or waiting, and counts those that
// accepted it; with SuppressErrors the executor goes on.
func ExampleExecutor_Cancel() {
	g := group.New(context.Background())
	defer g.Close()
	ex := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors())
	started := make(chan struct{})
	block := func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}
	running, _ := ex.Submit(context.Background(), block)
	waiting, _ := ex.Enqueue(func(context.Context) error { return nil })
	<-started
	n, err := ex.Cancel(context.Background(), running, waiting)
	fmt.Println(n, err, running.State(), waiting.State())
	fmt.Println(ex.Wait())
	// Output:
	// 2 <nil> canceled canceled
	// <nil>
}
