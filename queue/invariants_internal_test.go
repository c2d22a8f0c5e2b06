package queue

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// checkInvariants checks, on a queue where no call is running, the
// invariants listed at the top of segment.go, and that the queue holds no
// more than its capacity.
func checkInvariants[T any](t *testing.T, q *Queue[T], msg string) {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	gated := func(w interface{ Load() uint64 }) bool { return w.Load()&gate != 0 }
	h, tl := q.head.Load(), q.tail.Load()
	if tl == nil {
		require.Nil(t, h, msg)
		require.True(t, q.putters.empty(), msg)
		return
	}
	for s := h; ; s = s.next {
		require.NotNil(t, s, "%s: the tail is not after the head", msg)
		if s != tl {
			require.True(t, gated(&s.enq), "%s: a retired segment's enq is open", msg)
			require.Equal(t, s.qpos(&s.enq), s.next.qpos(&s.next.deq), "%s: positions not contiguous", msg)
		}
		if s != h {
			require.True(t, gated(&s.deq), "%s: deq open on a segment other than the head", msg)
		}
		if s == tl {
			break
		}
	}
	n := 0
	for s := q.spare; s != nil; s = s.next {
		require.True(t, gated(&s.enq) && gated(&s.deq), "%s: a spare segment is open", msg)
		n++
	}
	require.Equal(t, q.nspare, n, msg)
	require.LessOrEqual(t, n, maxSpare, msg)

	items := int(tl.qpos(&tl.enq) - h.qpos(&h.deq)) // not lenLocked, which gates enq
	if q.capacity > 0 {
		require.LessOrEqual(t, items, q.capacity, "%s: more items than the capacity", msg)
	}
	if !q.getters.empty() {
		require.Zero(t, items, "%s: a getter waits on a queue with items", msg)
	}
	if !q.putters.empty() {
		require.Equal(t, q.capacity, items, "%s: a putter waits on a queue with room", msg)
	}
	// The tail's enq must be gated when the queue is closed, someone waits,
	// or a full tail could exceed the capacity. Gets that free room do not
	// reopen it; the next put that comes to the mutex does. So it must be
	// open otherwise only where no get can free room: with one segment.
	room := q.capacity == 0 || int(tl.qpos(&tl.deq)-h.qpos(&h.deq))+int(tl.size) <= q.capacity
	open := !q.isClosed && q.getters.empty() && q.putters.empty() && room
	if !open || h == tl {
		require.Equal(t, !open, gated(&tl.enq), "%s: the tail's enq (closed %v, getters %v, putters %v, room %v)",
			msg, q.isClosed, !q.getters.empty(), !q.putters.empty(), room)
	}
	require.Equal(t, !q.putters.empty(), gated(&h.deq), "%s: the head's deq", msg)
}

// TestInvariants runs random operations, blocking ones included, on queues
// with small segments, and checks the invariants whenever every goroutine
// is idle or blocked, then that every item put was received exactly once or
// drained.
func TestInvariants(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range 200 {
		capacity := []int{0, 0, 1, 2, 3, 5, 10}[rng.IntN(7)]
		size := []int{1, 2, 3, 4}[rng.IntN(4)]
		ops := make([]int, 60)
		for i := range ops {
			ops[i] = rng.IntN(100)
		}
		synctest.Test(t, func(t *testing.T) {
			invariantsRound(t, round, capacity, size, ops)
		})
		if t.Failed() {
			t.Fatalf("round %d: capacity %d, segments of %d, ops %v", round, capacity, size, ops)
		}
	}
}

func invariantsRound(t *testing.T, round, capacity, size int, ops []int) {
	q := newSmall[int](capacity, size)
	var (
		mu       sync.Mutex
		accepted []int
		received []int
		cancels  []context.CancelFunc
		wg       sync.WaitGroup
		next     int
		trace    []string
	)
	accept := func(v int) { mu.Lock(); accepted = append(accepted, v); mu.Unlock() }
	receive := func(vs ...int) { mu.Lock(); received = append(received, vs...); mu.Unlock() }
	for _, op := range ops {
		switch {
		case op < 25:
			next++
			if err := q.TryPut(next); err == nil {
				accept(next)
			}
		case op < 45:
			if v, err := q.TryGet(); err == nil {
				receive(v)
			}
		case op < 60: // a Put that may block; its ctx may be cancelled later
			next++
			v := next
			ctx, cancel := context.WithCancel(context.Background())
			cancels = append(cancels, cancel)
			wg.Go(func() {
				if err := q.Put(ctx, v); err == nil {
					accept(v)
				}
			})
		case op < 75: // a Get that may block
			ctx, cancel := context.WithCancel(context.Background())
			cancels = append(cancels, cancel)
			wg.Go(func() {
				if v, err := q.Get(ctx); err == nil {
					receive(v)
				}
			})
		case op < 85: // end a blocked call
			if len(cancels) > 0 {
				k := op % len(cancels)
				cancels[k]()
				cancels = slices.Delete(cancels, k, k+1)
			}
		case op < 97:
			receive(q.Drain()...)
		default:
			q.Close()
		}
		synctest.Wait()
		trace = append(trace, fmt.Sprintf("%d:%s", op, q))
		checkInvariants(t, q, fmt.Sprintf("round %d (capacity %d, segments of %d), after ops %v", round, capacity, size, trace))
	}
	q.Close()
	wg.Wait()
	receive(q.Drain()...)
	for _, cancel := range cancels {
		cancel()
	}
	slices.Sort(accepted)
	slices.Sort(received)
	require.Equal(t, accepted, received)
}
