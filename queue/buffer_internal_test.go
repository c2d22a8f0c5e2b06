package queue

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// popAll pops every item.
func popAll(b *buffer[int]) []int {
	var out []int
	for b.n > 0 {
		out = append(out, b.pop())
	}
	return out
}

// chunks returns the number of chunks in use and spare.
func chunks(b *buffer[int]) (used, spare int) {
	for c := b.head; c != nil; c = c.next {
		used++
	}
	for c := b.spare; c != nil; c = c.next {
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

func TestBuffer(t *testing.T) {
	t.Run("keeps FIFO order across chunks", func(t *testing.T) {
		var b buffer[int]
		require.Nil(t, b.head, "nothing allocated before the first push")
		for i := range 3 * chunkSize {
			b.push(i)
		}
		require.Equal(t, seq(0, chunkSize/2), popN(&b, chunkSize/2))
		for i := 3 * chunkSize; i < 5*chunkSize; i++ {
			b.push(i)
		}
		require.Equal(t, seq(chunkSize/2, 5*chunkSize), popAll(&b))
	})

	t.Run("an emptied buffer starts over in its chunk", func(t *testing.T) {
		var b buffer[int]
		for i := range 10 * chunkSize {
			b.push(i)
			require.Equal(t, i, b.pop())
		}
		used, spare := chunks(&b)
		require.Equal(t, 1, used)
		require.Equal(t, 0, spare)
	})

	t.Run("an unbounded buffer keeps at most maxSpare chunks", func(t *testing.T) {
		var b buffer[int]
		for i := range 20 * chunkSize {
			b.push(i)
		}
		require.Equal(t, seq(0, 20*chunkSize), popAll(&b))
		used, spare := chunks(&b)
		require.Equal(t, 1, used)
		require.Equal(t, maxSpare, spare)
	})

	t.Run("a bounded buffer reuses its chunks", func(t *testing.T) {
		b := buffer[int]{limit: 3 * chunkSize}
		for round := range 5 {
			// Start each round at a different offset in the chunk.
			for i := range b.limit - round {
				b.push(round*1000 + i)
			}
			popN(&b, 1)
			b.push(-1)
			require.Equal(t, b.limit-round, len(popAll(&b)))
		}
		used, spare := chunks(&b)
		require.LessOrEqual(t, used+spare, 4)
		allocs := testing.AllocsPerRun(10, func() {
			for i := range b.limit {
				b.push(i)
			}
			for range 7 {
				b.pop()
			}
			for i := range 7 {
				b.push(i)
			}
			for b.n > 0 {
				b.pop()
			}
		})
		require.Zero(t, allocs)
	})

	t.Run("an unbounded buffer reuses its spare chunks for ever", func(t *testing.T) {
		var b buffer[int]
		cycle := func() {
			for i := range 3 * chunkSize {
				b.push(i)
			}
			for b.n > 0 {
				b.pop()
			}
		}
		cycle() // the chunks are made once
		// Many cycles: the spare count must stay true, or the buffer
		// stops keeping spares and allocates again.
		require.Zero(t, testing.AllocsPerRun(100, cycle))
	})

	t.Run("a small bounded buffer has small chunks", func(t *testing.T) {
		b := buffer[int]{limit: 3}
		b.push(1)
		require.Len(t, b.head.items, 3)
	})

	t.Run("take returns everything and releases the chunks", func(t *testing.T) {
		b := buffer[int]{limit: 8}
		for i := range 8 {
			b.push(i)
		}
		b.pop()
		b.push(8)
		require.Equal(t, seq(1, 9), b.take())
		require.Equal(t, buffer[int]{limit: 8}, b)
		require.Nil(t, b.take())

		var u buffer[int]
		for i := range 3*chunkSize + 5 {
			u.push(i)
		}
		popN(&u, chunkSize+1)
		require.Equal(t, seq(chunkSize+1, 3*chunkSize+5), u.take())
	})

	t.Run("pop clears the slot", func(t *testing.T) {
		var b buffer[*int]
		b.push(new(int))
		b.push(new(int))
		b.pop()
		require.Nil(t, b.head.items[0])
	})
}

func popN(b *buffer[int], n int) []int {
	var out []int
	for range n {
		out = append(out, b.pop())
	}
	return out
}

func TestFreeListIsBounded(t *testing.T) {
	var q Queue[int]
	var ws []*waiter[int]
	q.mu.Lock()
	for range 2 * maxFree {
		ws = append(ws, q.newWaiterLocked())
	}
	for _, w := range ws {
		q.releaseLocked(w)
	}
	q.mu.Unlock()
	require.Equal(t, maxFree, q.nfree)
	n := 0
	for w := q.free; w != nil; w = w.next {
		n++
	}
	require.Equal(t, maxFree, n)
}

func TestWaitersAreReused(t *testing.T) {
	// A blocked Get that is cancelled and one that is served both give
	// their waiter back, with an empty ready channel. In a bubble, so that
	// a wait that never ends fails at once as a deadlock.
	synctest.Test(t, func(t *testing.T) {
		var q Queue[int]
		ctx, stop := context.WithCancel(context.Background())
		stop()
		q.mu.Lock()
		w := q.newWaiterLocked()
		q.getters.pushBack(w)
		q.mu.Unlock()
		_, s := q.wait(ctx, w, &q.getters)
		q.mu.Unlock()
		require.Equal(t, waiting, s)
		require.Same(t, w, q.free)
		require.True(t, q.getters.empty())

		q.mu.Lock()
		w2 := q.newWaiterLocked()
		require.Same(t, w, w2)
		q.getters.pushBack(w2)
		require.NoError(t, q.tryPutLocked(7))
		q.mu.Unlock()
		v, s := q.wait(ctx, w2, &q.getters)
		q.mu.Unlock()
		require.Equal(t, served, s)
		require.Equal(t, 7, v)
		require.Same(t, w, q.free)
		require.Empty(t, w.ready)
		require.Equal(t, waiting, w.state)
	})
}
