package queue_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

// These tests run in synctest bubbles: synctest.Wait returns once every
// other goroutine is durably blocked, so "still blocked" is a fact, not a
// guess, and a deadlock fails the test instead of hanging it.

type result struct {
	v   int
	err error
}

// goGet calls get in a new goroutine; the result arrives on the channel.
func goGet(get func(context.Context) (int, error), ctx context.Context) <-chan result {
	ch := make(chan result, 1) // one result, so the send never blocks
	go func() {
		v, err := get(ctx)
		ch <- result{v, err}
	}()
	return ch
}

// goPut calls q.Put(ctx, v) in a new goroutine; its error arrives on the
// channel.
func goPut(q *queue.Queue[int], ctx context.Context, v int) <-chan error {
	ch := make(chan error, 1) // one result, so the send never blocks
	go func() { ch <- q.Put(ctx, v) }()
	return ch
}

// requireBlocked fails if ch has a value. Call it after synctest.Wait.
func requireBlocked[V any](t *testing.T, ch <-chan V) {
	t.Helper()
	select {
	case v := <-ch:
		require.Failf(t, "call returned while it should block", "got %v", v)
	default:
	}
}

func TestBlocking(t *testing.T) {
	bg := context.Background()

	t.Run("Put blocks while full and unblocks on Get", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 1, []int{1}, false)
			put := goPut(q, bg, 2)
			synctest.Wait()
			requireBlocked(t, put)
			v, err := q.Get(bg)
			require.NoError(t, err)
			require.Equal(t, 1, v)
			require.NoError(t, <-put)
			require.Equal(t, []int{2}, q.Drain())
		})
	})

	t.Run("Get blocks while empty and takes a handed-off item", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := queue.New[int](1)
			get := goGet(q.Get, bg)
			synctest.Wait()
			requireBlocked(t, get)
			require.NoError(t, q.TryPut(5))
			require.Equal(t, 0, q.Len(), "the item went straight to the getter")
			require.Equal(t, result{5, nil}, <-get)
		})
	})

	t.Run("getters are served first come first served", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var q queue.Queue[int]
			var gets []<-chan result
			for range 5 {
				gets = append(gets, goGet(q.Get, bg))
				synctest.Wait() // fixes the order in which they wait
			}
			for i := range 5 {
				require.NoError(t, q.Put(bg, i))
			}
			for i, get := range gets {
				require.Equal(t, result{i, nil}, <-get)
			}
		})
	})

	t.Run("putters are served first come first served", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 1, []int{-1}, false)
			var puts []<-chan error
			for i := range 5 {
				puts = append(puts, goPut(q, bg, i))
				synctest.Wait() // fixes the order in which they wait
			}
			for want := -1; want < 5; want++ {
				v, err := q.Get(bg)
				require.NoError(t, err)
				require.Equal(t, want, v)
			}
			for _, put := range puts {
				require.NoError(t, <-put)
			}
		})
	})

	t.Run("GetUntilEmpty waits, then takes everything", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := queue.New[int](10)
			get := goGet(q.GetUntilEmpty, bg)
			synctest.Wait()
			requireBlocked(t, get)
			for i := 1; i <= 3; i++ { // 1 is handed off; 2 and 3 are buffered
				require.NoError(t, q.TryPut(i))
			}
			// The woken getter takes what is there when it runs, which may
			// be before 2 or 3 is put: it returns the last item it took, and
			// the rest stays queued in order.
			res := <-get
			require.NoError(t, res.err)
			require.Equal(t, 3-res.v, q.Len())
			for want := res.v + 1; want <= 3; want++ {
				v, err := q.TryGet()
				require.NoError(t, err)
				require.Equal(t, want, v)
			}
		})
	})

	t.Run("GetUntilEmpty takes the items of blocked putters", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 1, []int{1}, false)
			put2 := goPut(q, bg, 2)
			synctest.Wait()
			put3 := goPut(q, bg, 3)
			synctest.Wait()
			v, err := q.GetUntilEmpty(bg)
			require.NoError(t, err)
			require.Equal(t, 3, v)
			require.NoError(t, <-put2)
			require.NoError(t, <-put3)
			require.Equal(t, 0, q.Len())
		})
	})

	t.Run("TryGetUntilEmpty takes the items of blocked putters", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 1, []int{1}, false)
			put2 := goPut(q, bg, 2)
			synctest.Wait()
			put3 := goPut(q, bg, 3)
			synctest.Wait()
			v, err := q.TryGetUntilEmpty()
			require.NoError(t, err)
			require.Equal(t, 3, v)
			require.NoError(t, <-put2)
			require.NoError(t, <-put3)
			require.Equal(t, 0, q.Len())
		})
	})

	t.Run("Drain on an open queue takes the items of blocked putters", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 1, []int{1}, false)
			put := goPut(q, bg, 2)
			synctest.Wait()
			require.Equal(t, []int{1, 2}, q.Drain())
			require.NoError(t, <-put)
			require.False(t, q.IsClosed())
		})
	})
}

func TestClose_wakesWaiters(t *testing.T) {
	bg := context.Background()

	t.Run("getters fail with ErrClosed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var q queue.Queue[int]
			var gets []<-chan result
			for range 3 {
				gets = append(gets, goGet(q.Get, bg))
			}
			synctest.Wait()
			q.Close()
			for _, get := range gets {
				r := <-get
				require.ErrorIs(t, r.err, queue.ErrClosed)
			}
		})
	})

	t.Run("putters fail with ErrClosed and their items are not added", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := filled(t, 1, []int{1}, false)
			var puts []<-chan error
			for i := range 3 {
				puts = append(puts, goPut(q, bg, 10+i))
			}
			synctest.Wait()
			q.Close()
			for _, put := range puts {
				require.ErrorIs(t, <-put, queue.ErrClosed)
			}
			require.Equal(t, []int{1}, q.Drain())
		})
	})
}
