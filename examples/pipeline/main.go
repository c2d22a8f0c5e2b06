// Pipeline pushes items from one producer through a bounded queue to
// several consumers, all tasks of one group, closes the queue when the producer is done, and prints
// a summary once every consumer has drained it.
//
// Run it with:
//
//	go run ./examples/pipeline
//
// The queue's capacity bounds how far the producer runs ahead of the
// consumers (back-pressure); Close tells the consumers that no more items
// will come; and Drain at the end proves that nothing was left behind.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/queue"
)

const (
	items     = 1000
	consumers = 4
	capacity  = 16
)

func main() {
	if err := run(context.Background(), os.Stdout, items, consumers); err != nil {
		fmt.Fprintln(os.Stderr, "pipeline:", err)
		os.Exit(1)
	}
}

// run produces n items, consumes them with c consumers, and writes a
// summary line to w. It returns when every goroutine it started has
// returned.
func run(ctx context.Context, w io.Writer, n, c int) error {
	q := queue.New[int](capacity)
	g := group.New(ctx, group.Name("pipeline"))

	g.Go(func(ctx context.Context) error {
		// Close even if Put fails, so that the consumers stop.
		defer q.Close()
		for i := 1; i <= n; i++ {
			if err := q.Put(ctx, i); err != nil { // blocks while the queue is full
				return fmt.Errorf("put %d: %w", i, err)
			}
		}
		return nil
	}, group.Name("producer"))

	counts := make([]int, c) // counts[i] and sums[i] belong to consumer i
	sums := make([]int, c)
	for i := range c {
		g.Go(func(ctx context.Context) error {
			// The loop ends when the queue is closed and drained; err is
			// set only if ctx ends first.
			for v, err := range q.All(ctx) {
				if err != nil {
					return err
				}
				counts[i]++
				sums[i] += v
			}
			return nil
		}, group.Name(fmt.Sprintf("consumer-%d", i)))
	}
	// Wait returns once every task has returned, with every failure.
	if err := g.Wait(); err != nil {
		return err
	}
	if left := q.Drain(); len(left) > 0 {
		return fmt.Errorf("%d items left in the queue", len(left))
	}
	consumed, sum := 0, 0
	for i := range c {
		consumed += counts[i]
		sum += sums[i]
	}
	noun := "consumers"
	if c == 1 {
		noun = "consumer"
	}
	_, err := fmt.Fprintf(w, "produced %d items, consumed %d by %d %s, sum=%d\n", n, consumed, c, noun, sum)
	return err
}
