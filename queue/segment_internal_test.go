package queue

import (
	"context"
	"testing"
	"testing/synctest"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// newSmall returns a queue of the given capacity whose segments have at
// most size slots, so that tests reach segment boundaries with few items.
func newSmall[T any](capacity, size int) *Queue[T] {
	q := New[T](capacity)
	q.segSize = size
	if capacity > 0 {
		q.segSize = min(size, capacity)
	}
	return q
}

// segments returns the number of segments in use and spare.
func segments[T any](q *Queue[T]) (used, spare int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for s := q.head.Load(); s != nil; s = s.next {
		used++
	}
	for s := q.spare; s != nil; s = s.next {
		spare++
	}
	return used, spare
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func putAll(t *testing.T, q *Queue[int], vs []int) {
	t.Helper()
	for _, v := range vs {
		require.NoError(t, q.TryPut(v))
	}
}

func getN(t *testing.T, q *Queue[int], n int) []int {
	t.Helper()
	var out []int
	for range n {
		v, err := q.TryGet()
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func TestSegments(t *testing.T) {
	t.Run("keep FIFO order across segments", func(t *testing.T) {
		q := newSmall[int](0, 4)
		putAll(t, q, seq(0, 50))
		used, _ := segments(q)
		require.Equal(t, 13, used)
		require.Equal(t, seq(0, 20), getN(t, q, 20))
		putAll(t, q, seq(50, 100))
		require.Equal(t, 80, q.Len())
		require.Equal(t, seq(20, 100), q.Drain())
	})

	t.Run("a queue that is often empty stays in one segment", func(t *testing.T) {
		q := newSmall[int](0, 4)
		for i := range 10 * 4 {
			require.NoError(t, q.TryPut(i))
			require.Equal(t, []int{i}, getN(t, q, 1))
		}
		used, spare := segments(q)
		require.Equal(t, 1, used)
		require.Equal(t, 0, spare)
	})

	t.Run("an unbounded queue keeps at most maxSpare segments", func(t *testing.T) {
		q := newSmall[int](0, 4)
		putAll(t, q, seq(0, 20*4))
		require.Equal(t, seq(0, 20*4), getN(t, q, 20*4))
		used, spare := segments(q)
		require.Equal(t, 1, used)
		require.Equal(t, maxSpare, spare)
	})

	t.Run("segments are reused for ever", func(t *testing.T) {
		for _, capacity := range []int{0, 6 * 4} {
			q := newSmall[int](capacity, 4)
			cycle := func() {
				for i := range 6 * 4 {
					if err := q.TryPut(i); err != nil {
						t.Fatal(err)
					}
				}
				for i := range 6 * 4 {
					if v, err := q.TryGet(); v != i || err != nil {
						t.Fatalf("got %d, %v; want %d", v, err, i)
					}
				}
			}
			cycle() // the segments are made once
			require.Zero(t, testing.AllocsPerRun(100, cycle), "capacity %d", capacity)
		}
	})

	t.Run("a small bounded queue has a small segment, spread", func(t *testing.T) {
		q := New[int](3)
		require.NoError(t, q.TryPut(1))
		s := q.tail.Load()
		require.Equal(t, uint64(3), s.size)
		require.Len(t, s.slots, 3*cacheLine/int(unsafe.Sizeof(slot[int]{})))
		for p := range uint64(3) {
			sl, _ := s.at(p)
			i := (uintptr(unsafe.Pointer(sl)) - uintptr(unsafe.Pointer(&s.slots[0]))) / cacheLine
			require.Equal(t, uintptr(p), i, "position %d has a cache line of its own", p)
		}
		require.NoError(t, q.TryPut(2))
		require.NoError(t, q.TryPut(3))
		require.Equal(t, []int{1, 2, 3}, q.Drain())

		u := New[int](0)
		require.NoError(t, u.TryPut(1))
		require.Len(t, u.tail.Load().slots, segmentSize[int](0), "an unbounded queue's segments are dense")
	})

	t.Run("a bounded queue of several segments holds exactly its capacity", func(t *testing.T) {
		q := newSmall[int](10, 4)
		next, want := 0, []int(nil)
		fill := func() {
			for {
				err := q.Put(cancelledCtx(), next) // a done ctx must not add
				require.ErrorIs(t, err, context.Canceled)
				if err := q.TryPut(next); err != nil {
					require.ErrorIs(t, err, ErrFull)
					break
				}
				want = append(want, next)
				next++
			}
			require.Equal(t, 10, q.Len())
			require.True(t, q.Full())
		}
		for k := range 12 {
			fill()
			// Take k%7+1 items, from the front, and fill again: the
			// free room moves through the segments.
			require.Equal(t, want[:k%7+1], getN(t, q, k%7+1))
			want = want[k%7+1:]
		}
		fill()
		require.Equal(t, want, q.Drain())
	})

	t.Run("Drain takes everything and leaves one segment", func(t *testing.T) {
		q := newSmall[int](0, 4)
		putAll(t, q, seq(0, 4*4+1))
		getN(t, q, 5)
		require.Equal(t, seq(5, 4*4+1), q.Drain())
		used, _ := segments(q)
		require.Equal(t, 1, used)
		require.Nil(t, q.Drain())
		require.Zero(t, q.Len())
		putAll(t, q, seq(0, 9))
		require.Equal(t, seq(0, 9), q.Drain())
	})

	t.Run("taking an item clears its slot", func(t *testing.T) {
		q := newSmall[*int](0, 4)
		for range 3 {
			require.NoError(t, q.TryPut(new(int)))
		}
		_, err := q.TryGet() // the lock-free way
		require.NoError(t, err)
		require.Len(t, q.Drain(), 2) // under the mutex
		for i := range q.head.Load().slots {
			require.Nil(t, q.head.Load().slots[i].v, "slot %d", i)
		}
	})
}

func cancelledCtx() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// claimPut claims the tail's next position as tryPut does, without writing
// its item: a put caught between its CAS and its store. The func it returns
// finishes the put as tryPut does.
func claimPut[T any](t *testing.T, q *Queue[T]) (publish func(T)) {
	t.Helper()
	s := q.tail.Load()
	e := s.enq.Load()
	require.Zero(t, e&gate, "the tail is open")
	require.True(t, s.enq.CompareAndSwap(e, e+1))
	return func(v T) {
		sl, free := s.at(e)
		s.publish(sl, free, v)
	}
}

// A call that finds a claimed position whose item is not written yet waits
// for it, on the segment's kick: the put sees the gate the call set and
// wakes it. In a bubble, so that a wake-up that never comes fails the test
// as a deadlock.
func TestWaitForClaimedItem(t *testing.T) {
	calls := map[string]func(q *Queue[int]) ([]int, error){
		"TryGet": func(q *Queue[int]) ([]int, error) {
			v, err := q.TryGet()
			return []int{v}, err
		},
		"Get": func(q *Queue[int]) ([]int, error) {
			v, err := q.Get(context.Background())
			return []int{v}, err
		},
		"Drain": func(q *Queue[int]) ([]int, error) { return q.Drain(), nil },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				q := newSmall[int](0, 4)
				require.NoError(t, q.TryPut(1))
				require.Equal(t, []int{1}, getN(t, q, 1))
				publish := claimPut(t, q)
				require.Equal(t, 1, q.Len(), "a claimed position counts")

				type result struct {
					vs  []int
					err error
				}
				done := make(chan result, 1)
				go func() {
					vs, err := call(q)
					done <- result{vs, err}
				}()
				synctest.Wait()
				select {
				case r := <-done:
					t.Fatalf("%s returned %v before the item was written", name, r)
				default:
				}
				require.NotZero(t, q.tail.Load().enq.Load()&gate, "the waiting call gated the puts")
				publish(7)
				require.Equal(t, result{[]int{7}, nil}, <-done)
				require.Zero(t, q.Len())
			})
		})
	}
}

// A retired segment can become spare while a get that claimed one of its
// slots is still emptying it. The queue must not reuse it until the first
// slot it would write is free: else the late get would empty the slot again,
// losing the new item, or return it a second time.
func TestSpareWithSlotInUseIsNotReused(t *testing.T) {
	q := newSmall[int](0, 2)
	putAll(t, q, []int{0, 1, 2}) // 0 and 1 in segment a, 2 in the next
	a := q.head.Load()
	// A get claims position 0 of a and is delayed before it frees the slot.
	require.True(t, a.deq.CompareAndSwap(0, 1))
	require.Equal(t, []int{1, 2}, getN(t, q, 2)) // a is retired and spare now
	used, spare := segments(q)
	require.Equal(t, 1, used)
	require.Equal(t, 1, spare)

	putAll(t, q, []int{3, 4}) // fills the tail
	require.NoError(t, q.TryPut(5))
	require.NotSame(t, a, q.tail.Load(), "a spare whose next slot is in use was reused")
	require.Same(t, a, q.spare)

	// The late get finishes as tryGet would; now a can be reused.
	sl, free := a.at(0)
	sl.v = 0
	sl.seq.Store(free + 2*a.size)
	putAll(t, q, []int{6, 7}) // 6 fills the tail, 7 needs a new segment
	require.Same(t, a, q.tail.Load())
	require.Equal(t, seq(3, 8), q.Drain())
}

// Len, Full and String gate the tail's enq to count exactly (see
// lenLocked); they must open it again, or every later put would take the
// mutex.
func TestCountingLeavesTheFastPathOpen(t *testing.T) {
	q := newSmall[int](8, 4)
	putAll(t, q, []int{1, 2})
	for name, count := range map[string]func(){
		"Len":    func() { require.Equal(t, 2, q.Len()) },
		"Full":   func() { require.False(t, q.Full()) },
		"String": func() { require.Equal(t, "queue(len=2, cap=8, open)", q.String()) },
	} {
		count()
		require.Zero(t, q.tail.Load().enq.Load()&gate, "%s left the tail gated", name)
		require.Zero(t, q.head.Load().deq.Load()&gate, "%s left the head gated", name)
	}
}
