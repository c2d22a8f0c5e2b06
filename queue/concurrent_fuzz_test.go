package queue_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

// FuzzQueueConcurrent drives one Queue from several goroutines, each with
// its own run of operations decoded from the input — blocking and
// non-blocking puts and gets, a get whose context is already done, and
// Close — interleaved as the scheduler pleases, and checks that no item is
// lost or duplicated: every item a put accepted is received by exactly one
// get or returned by the final Drain, and each producer's items reach any
// one consumer in the order they were put. Blocking operations give up
// after a second of the synctest bubble's fake time, so a run that would
// wait for ever ends at once.
func FuzzQueueConcurrent(f *testing.F) {
	f.Add([]byte{0, 2, 0, 1, 0, 1, 2, 3})
	f.Add([]byte{1, 3, 2, 2, 2, 3, 3, 3, 0, 0, 0})
	f.Add([]byte{2, 4, 0, 4, 1, 5, 2, 6, 3, 7, 6, 6})
	f.Add([]byte{3, 2, 2, 2, 2, 2, 7, 3, 3, 3, 3, 3})
	f.Add([]byte{0, 4, 0, 0, 0, 0, 1, 1, 1, 1, 6, 3, 3, 3})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 {
			return
		}
		capacity, workers := int(in[0]%4), 2+int(in[1]%3)
		ops := make([][]byte, workers)
		for i, op := range in[2:] {
			ops[i%workers] = append(ops[i%workers], op)
		}
		synctest.Test(t, func(t *testing.T) {
			q := queue.New[int](capacity)
			var mu sync.Mutex
			var accepted []int
			received := make([][]int, workers)
			var unexpected []error
			check := func(err error, allowed ...error) {
				for _, a := range allowed {
					if errors.Is(err, a) {
						return
					}
				}
				mu.Lock()
				unexpected = append(unexpected, err)
				mu.Unlock()
			}
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					seq := 0
					for _, op := range ops[w] {
						ctx, cancel := context.WithTimeout(context.Background(), time.Second)
						switch op % 8 {
						case 0, 4: // Put, TryPut
							seq++
							v := w*1_000_000 + seq
							var err error
							if op%8 == 0 {
								err = q.Put(ctx, v)
							} else {
								err = q.TryPut(v)
							}
							if err == nil {
								mu.Lock()
								accepted = append(accepted, v)
								mu.Unlock()
							} else {
								check(err, queue.ErrClosed, queue.ErrFull, context.DeadlineExceeded)
							}
						case 1, 5, 7: // Get, TryGet, Get with a done context
							var v int
							var err error
							switch op % 8 {
							case 1:
								v, err = q.Get(ctx)
							case 5:
								v, err = q.TryGet()
							default:
								cancel()
								v, err = q.Get(ctx)
							}
							if err == nil {
								received[w] = append(received[w], v)
							} else {
								check(err, queue.ErrClosed, queue.ErrEmpty, context.DeadlineExceeded, context.Canceled)
							}
						case 2, 6: // a pause lets the others run
							time.Sleep(time.Millisecond)
						case 3:
							q.Close()
						}
						cancel()
					}
				})
			}
			wg.Wait()
			q.Close()
			rest := q.Drain()

			require.Empty(t, unexpected, "errors no operation may return")
			var got []int
			for _, r := range received {
				got = append(got, r...)
				// FIFO: a consumer gets each producer's items in order.
				last := map[int]int{}
				for _, v := range r {
					p := v / 1_000_000
					require.Greater(t, v, last[p], "producer %d's items out of order: %v", p, r)
					last[p] = v
				}
			}
			got = append(got, rest...)
			slices.Sort(got)
			slices.Sort(accepted)
			require.Equal(t, accepted, got, "every accepted item received exactly once or drained")
		})
	})
}
