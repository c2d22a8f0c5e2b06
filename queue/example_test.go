package queue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nursery-go/nursery/queue"
)

// A producer puts jobs into a bounded queue and closes it when done; a
// consumer gets until the queue is closed and drained.
func Example() {
	ctx := context.Background()
	q := queue.New[string](2)

	var wg sync.WaitGroup
	wg.Go(func() {
		defer q.Close() // tells the consumer there is nothing more
		for _, job := range []string{"wash", "dry", "fold"} {
			if err := q.Put(ctx, job); err != nil { // blocks while full
				fmt.Println("put:", err)
				return
			}
		}
	})

	for {
		job, err := q.Get(ctx)
		if errors.Is(err, queue.ErrClosed) {
			break // closed and every job received
		}
		fmt.Println(job)
	}
	wg.Wait()
	// Output:
	// wash
	// dry
	// fold
}

// Range over a queue until it is closed and drained. The error is non-nil
// only if ctx ends first.
func ExampleQueue_All() {
	q := queue.New[int](0)
	for i := 1; i <= 3; i++ {
		_ = q.TryPut(i * 10) // never full: the queue is unbounded
	}
	q.Close()

	for v, err := range q.All(context.Background()) {
		if err != nil {
			fmt.Println("stopped early:", err)
			break
		}
		fmt.Println(v)
	}
	// Output:
	// 10
	// 20
	// 30
}

// TryPut and TryGet never block; they report a full, empty or closed queue
// with an error.
func ExampleQueue_TryPut() {
	q := queue.New[int](1)
	fmt.Println(q.TryPut(1))
	fmt.Println(q.TryPut(2))
	v, err := q.TryGet()
	fmt.Println(v, err)
	_, err = q.TryGet()
	fmt.Println(err)
	q.Close()
	fmt.Println(q.TryPut(3))
	// Output:
	// <nil>
	// queue: full
	// 1 <nil>
	// queue: empty
	// queue: closed
}

// GetUntilEmpty suits a consumer that only needs the latest value, such as
// the newest configuration.
func ExampleQueue_GetUntilEmpty() {
	var updates queue.Queue[string] // the zero value is an unbounded queue
	_ = updates.TryPut("config v1")
	_ = updates.TryPut("config v2")
	_ = updates.TryPut("config v3")

	latest, err := updates.GetUntilEmpty(context.Background())
	fmt.Println(latest, err, updates.Len())
	// Output:
	// config v3 <nil> 0
}

// TryGetUntilEmpty is the form that never blocks: a loop that polls for the
// latest value between other work takes it if there is one.
func ExampleQueue_TryGetUntilEmpty() {
	var updates queue.Queue[string]
	_, err := updates.TryGetUntilEmpty()
	fmt.Println(err)

	_ = updates.TryPut("config v1")
	_ = updates.TryPut("config v2")
	latest, err := updates.TryGetUntilEmpty()
	fmt.Println(latest, err, updates.Len())
	// Output:
	// queue: empty
	// config v2 <nil> 0
}

// First takes items until one matches and leaves the rest in the queue.
func ExampleQueue_First() {
	q := queue.New[int](0)
	for i := 1; i <= 6; i++ {
		_ = q.TryPut(i)
	}
	q.Close()

	even := func(v int) bool { return v%2 == 0 }
	v, err := q.First(context.Background(), even)
	fmt.Println(v, err)                              // 1 was discarded
	fmt.Println(q.First(context.Background(), even)) // 3 was discarded
	fmt.Println("left:", q.Drain())
	// Output:
	// 2 <nil>
	// 4 <nil>
	// left: [5 6]
}

// At shutdown, Close refuses new items and Drain returns what no consumer
// received, so that it can be saved or retried instead of lost.
func ExampleQueue_Drain() {
	q := queue.New[string](10)
	_ = q.TryPut("order-1")
	_ = q.TryPut("order-2")

	q.Close()
	fmt.Println(q.TryPut("order-3"))
	fmt.Println("left:", q.Drain())
	fmt.Println(q)
	// Output:
	// queue: closed
	// left: [order-1 order-2]
	// queue(len=0, cap=10, closed)
}
