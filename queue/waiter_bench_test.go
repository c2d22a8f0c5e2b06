package queue_test

import (
	"context"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/queue"
)

// BenchmarkBlockedHandoff moves b.N items from one producer to one consumer
// through a queue of capacity 1, so that nearly every Put or Get blocks and
// goes through a waiter: it measures what reusing waiters (maxFree in
// waiter.go) saves. ns/op is per item.
func BenchmarkBlockedHandoff(b *testing.B) {
	b.ReportAllocs()
	ctx, cancel := context.WithCancel(context.Background()) // a ctx that can end: the select path
	defer cancel()
	q := queue.New[int](1)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			if _, err := q.Get(ctx); err != nil {
				return
			}
		}
	})
	for i := range b.N {
		if err := q.Put(ctx, i); err != nil {
			b.Fatal(err)
		}
	}
	q.Close()
	wg.Wait()
}
