package queue_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

// TestPutGetDoNotAllocate guards the steady state: once a queue has its
// chunks and waiters, moving an item through Put and Get allocates
// nothing, bounded or not, with a context that can end or not.
func TestPutGetDoNotAllocate(t *testing.T) {
	cancellable, stop := context.WithCancel(context.Background())
	defer stop()
	ctxs := map[string]context.Context{"background": context.Background(), "cancellable": cancellable}
	for _, capacity := range []int{0, 1, 1024} {
		for name, ctx := range ctxs {
			q := queue.New[int](capacity)
			n := capacity
			if n == 0 {
				n = 3 * 128 // past one chunk
			}
			cycle := func() {
				// One item at a time, then a full queue emptied, so that
				// chunks are both kept and recycled.
				for i := range 300 {
					require.NoError(t, q.Put(ctx, i))
					_, err := q.Get(ctx)
					require.NoError(t, err)
				}
				for i := range n {
					require.NoError(t, q.Put(ctx, i))
				}
				for range n {
					_, err := q.Get(ctx)
					require.NoError(t, err)
				}
			}
			cycle() // the chunks are made once
			require.Zero(t, testing.AllocsPerRun(20, cycle), "capacity %d, %s ctx", capacity, name)
		}
	}
}

// These tests race a Put and a Get at the moment one of them switches to
// waiting, where a lost wake-up or a lost or doubled item would show, and
// run many producers and consumers at once; run them with -race. A
// blocking call's context has a deadline only to bound the test: it must
// never be reached.

// bounded returns a context that ends after a minute, far beyond any
// correct run, so that a lost wake-up fails the test instead of hanging
// it.
func bounded(t *testing.T) context.Context {
	ctx, stop := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(stop)
	return ctx
}

func TestEndsMeet(t *testing.T) {
	const rounds = 2000

	t.Run("a Get parking on an empty queue gets a racing Put's item", func(t *testing.T) {
		ctx := bounded(t)
		for i := range rounds {
			var q queue.Queue[int]
			got := goGet(q.Get, ctx)
			require.NoError(t, q.Put(ctx, i))
			require.Equal(t, result{i, nil}, <-got)
			require.Zero(t, q.Len())
		}
	})

	t.Run("a Put parking on a full queue is let in by a racing Get", func(t *testing.T) {
		ctx := bounded(t)
		for i := range rounds {
			q := queue.New[int](1)
			require.NoError(t, q.Put(ctx, -1))
			put := goPut(q, ctx, i)
			v, err := q.Get(ctx)
			require.NoError(t, err)
			require.Equal(t, -1, v)
			require.NoError(t, <-put)
			require.Equal(t, []int{i}, q.Drain())
		}
	})

	t.Run("a Get cancelled as a Put arrives neither loses nor doubles the item", func(t *testing.T) {
		bg := context.Background()
		for i := range rounds {
			var q queue.Queue[int]
			ctx, stop := context.WithCancelCause(bg)
			got := goGet(q.Get, ctx)
			var wg sync.WaitGroup
			wg.Go(func() { stop(errCause) })
			require.NoError(t, q.Put(bg, i))
			wg.Wait()
			r := <-got
			if r.err != nil {
				// The getter gave up first: the item is still queued.
				require.ErrorIs(t, r.err, errCause)
				require.Equal(t, []int{i}, q.Drain())
			} else {
				require.Equal(t, i, r.v)
				require.Zero(t, q.Len())
			}
		}
	})

	t.Run("many producers and consumers move every item exactly once", func(t *testing.T) {
		ctx := bounded(t)
		for _, capacity := range []int{0, 1, 8} {
			const producers, consumers, each = 4, 4, 5000
			q := queue.New[int](capacity)
			var prod, cons sync.WaitGroup
			seen := make([][]int, consumers)
			for p := range producers {
				prod.Go(func() {
					for j := range each {
						if err := q.Put(ctx, p*each+j); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			for c := range consumers {
				cons.Go(func() {
					last := make([]int, producers) // FIFO per producer
					for p := range last {
						last[p] = -1
					}
					for {
						v, err := q.Get(ctx)
						if err != nil {
							if err != queue.ErrClosed {
								t.Error(err)
							}
							return
						}
						p, j := v/each, v%each
						if j <= last[p] {
							t.Errorf("item %d of producer %d after item %d", j, p, last[p])
						}
						last[p] = j
						seen[c] = append(seen[c], v)
					}
				})
			}
			prod.Wait()
			q.Close()
			cons.Wait()
			count := make([]int, producers*each)
			for _, vs := range seen {
				for _, v := range vs {
					count[v]++
				}
			}
			for v, n := range count {
				require.Equal(t, 1, n, "capacity %d: item %d received %d times", capacity, v, n)
			}
		}
	})
}
