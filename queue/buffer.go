package queue

// chunkSize is the number of items in one chunk of a buffer, or the
// capacity if that is smaller.
const chunkSize = 128

// maxSpare bounds the spare chunks an unbounded buffer keeps, so that a
// burst does not pin its memory forever while small swings in length cost
// no allocation.
const maxSpare = 8

// A buffer holds a queue's items in FIFO order, in a linked list of
// fixed-size chunks: pushes fill the tail chunk, pops empty the head chunk.
//
// Chunks rather than one growing circular slice: a slice must be copied
// whole when it grows, which with a large backlog means copying megabytes
// while the queue's mutex is held, stalling every putter and getter (it was
// 14% of CPU in BenchmarkPutGet's unbounded case). A chunk is never copied.
//
// Emptied chunks are kept for reuse: all of them in a bounded buffer, whose
// chunks never exceed its capacity plus one chunk; up to maxSpare in an
// unbounded one. Memory is allocated as items arrive, so New(1 << 20) costs
// nothing up front.
//
// The zero value is an empty unbounded buffer.
type buffer[T any] struct {
	head, tail *chunk[T] // pop from head, push to tail; nil until first push
	hi, ti     int       // next index to pop in head, to push in tail
	n          int       // number of items
	limit      int       // capacity; 0 means unbounded
	spare      *chunk[T] // emptied chunks to reuse, linked by next
	nspare     int
}

type chunk[T any] struct {
	items []T
	next  *chunk[T]
}

// push appends v. The caller has checked that the buffer is not full.
func (b *buffer[T]) push(v T) {
	if b.tail == nil || b.ti == len(b.tail.items) {
		c := b.newChunk()
		if b.tail == nil {
			b.head, b.hi = c, 0
		} else {
			b.tail.next = c
		}
		b.tail, b.ti = c, 0
	}
	b.tail.items[b.ti] = v
	b.ti++
	b.n++
}

// pop removes and returns the oldest item. The caller has checked b.n > 0.
func (b *buffer[T]) pop() T {
	var zero T
	c := b.head
	v := c.items[b.hi]
	c.items[b.hi] = zero // do not keep the item reachable
	b.hi++
	b.n--
	switch {
	case b.n == 0:
		// Empty, so c is the tail: start over at its beginning, so that a
		// queue that is often empty stays in one chunk.
		b.hi, b.ti = 0, 0
	case b.hi == len(c.items):
		b.head, b.hi = c.next, 0
		c.next = nil
		b.recycle(c)
	}
	return v
}

// take removes and returns all items in FIFO order, or nil if there are
// none, and releases every chunk.
func (b *buffer[T]) take() []T {
	if b.n == 0 {
		return nil
	}
	out := make([]T, 0, b.n)
	for c, i := b.head, b.hi; len(out) < b.n; c, i = c.next, 0 {
		end := len(c.items)
		if c == b.tail {
			end = b.ti
		}
		out = append(out, c.items[i:end]...)
	}
	*b = buffer[T]{limit: b.limit}
	return out
}

func (b *buffer[T]) newChunk() *chunk[T] {
	if c := b.spare; c != nil {
		b.spare, c.next = c.next, nil
		b.nspare--
		return c
	}
	size := chunkSize
	if b.limit > 0 {
		size = min(size, b.limit)
	}
	return &chunk[T]{items: make([]T, size)}
}

// recycle keeps c, whose items are all zero, for reuse, or drops it.
func (b *buffer[T]) recycle(c *chunk[T]) {
	if b.limit == 0 && b.nspare >= maxSpare {
		return
	}
	c.next = b.spare
	b.spare = c
	b.nspare++
}
