package queue_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

func TestCancel(t *testing.T) {
	bg := context.Background()

	t.Run("Get returns the cause at its deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var q queue.Queue[int]
			ctx, stop := context.WithTimeoutCause(bg, time.Second, errCause)
			defer stop()
			start := time.Now()
			_, err := q.Get(ctx)
			require.ErrorIs(t, err, errCause)
			require.Equal(t, time.Second, time.Since(start))
		})
	})

	t.Run("Put returns the cause at its deadline and adds nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 1, []int{1}, false)
			ctx, stop := context.WithTimeoutCause(bg, time.Second, errCause)
			defer stop()
			start := time.Now()
			require.ErrorIs(t, q.Put(ctx, 2), errCause)
			require.Equal(t, time.Second, time.Since(start))
			require.Equal(t, []int{1}, q.Drain())
		})
	})

	t.Run("a cancelled getter leaves its place to the next", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var q queue.Queue[int]
			ctx, stop := context.WithCancelCause(bg)
			get1 := goGet(q.Get, bg)
			synctest.Wait()
			get2 := goGet(q.Get, ctx)
			synctest.Wait()
			get3 := goGet(q.Get, bg)
			synctest.Wait()
			stop(errCause)
			r := <-get2
			require.ErrorIs(t, r.err, errCause)
			require.NoError(t, q.TryPut(1))
			require.NoError(t, q.TryPut(2))
			require.Equal(t, result{1, nil}, <-get1)
			require.Equal(t, result{2, nil}, <-get3)
		})
	})

	t.Run("a cancelled putter leaves its place to the next", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 1, []int{0}, false)
			ctx, stop := context.WithCancelCause(bg)
			put1 := goPut(q, ctx, 1)
			synctest.Wait()
			put2 := goPut(q, bg, 2)
			synctest.Wait()
			stop(errCause)
			require.ErrorIs(t, <-put1, errCause)
			require.Equal(t, []int{0, 2}, q.Drain())
			require.NoError(t, <-put2)
		})
	})

	// The hand-off and the cancellation happen before the waiter runs, so
	// its select sees both ready and picks one at random: whichever it
	// picks, the result must be the same. Repeat to cover both picks.
	t.Run("a getter served as its ctx ends keeps the item", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for i := range 50 {
				var q queue.Queue[int]
				ctx, stop := context.WithCancelCause(bg)
				get := goGet(q.Get, ctx)
				synctest.Wait()
				require.NoError(t, q.TryPut(i))
				stop(errCause)
				require.Equal(t, result{i, nil}, <-get)
				require.Equal(t, 0, q.Len())
			}
		})
	})

	t.Run("a putter served as its ctx ends succeeds", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for i := range 50 {
				q := filled(t, 1, []int{-1}, false)
				ctx, stop := context.WithCancelCause(bg)
				put := goPut(q, ctx, i)
				synctest.Wait()
				v, err := q.TryGet()
				require.NoError(t, err)
				require.Equal(t, -1, v)
				stop(errCause)
				require.NoError(t, <-put)
				require.Equal(t, []int{i}, q.Drain())
			}
		})
	})

	t.Run("a putter closed as its ctx ends fails with ErrClosed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for range 50 {
				q := filled(t, 1, []int{-1}, false)
				ctx, stop := context.WithCancelCause(bg)
				put := goPut(q, ctx, 1)
				synctest.Wait()
				q.Close()
				stop(errCause)
				require.ErrorIs(t, <-put, queue.ErrClosed)
				require.Equal(t, []int{-1}, q.Drain())
			}
		})
	})

	t.Run("All yields the cause when ctx ends", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 0, []int{1, 2}, false)
			ctx, stop := context.WithTimeoutCause(bg, time.Minute, errCause)
			defer stop()
			var got []int
			var last error
			for v, err := range q.All(ctx) {
				if err != nil {
					last = err
					continue
				}
				got = append(got, v)
			}
			require.Equal(t, []int{1, 2}, got)
			require.ErrorIs(t, last, errCause)
		})
	})
}

// workflow runs producers and consumers through a small queue until it is
// closed and checks that every item arrived once.
func workflow(t *testing.T) {
	ctx := context.Background()
	q := queue.New[int](2)
	const producers, perProducer = 3, 20
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range producers {
			for i := range perProducer {
				assert.NoError(t, q.Put(ctx, p*perProducer+i))
				time.Sleep(time.Millisecond) // advances the bubble's fake clock
			}
		}
	}()
	sums := make(chan int, 2) // one per consumer, so the sends never block
	for range 2 {
		go func() {
			sum := 0
			for v, err := range q.All(ctx) {
				assert.NoError(t, err)
				sum += v
			}
			sums <- sum
		}()
	}
	<-done
	q.Close()
	n := producers * perProducer
	require.Equal(t, n*(n-1)/2, <-sums+<-sums)
}

func TestSynctest_twiceInOneProcess(t *testing.T) {
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, workflow)
		})
	}
}
