package queue

import (
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// How items move without the mutex.
//
// A queue keeps its items in a list of segments, from q.head, where gets
// take, to q.tail, where puts add. A segment is a fixed array of slots used
// as a ring, as in Dmitry Vyukov's bounded multi-producer multi-consumer
// queue. Every item has a position in its segment, a count that only grows;
// position p lives in slot p mod size. A slot's seq says whose turn it is
// (see slot). A put claims the segment's next position with a CAS on enq,
// writes its item into the slot and publishes it by storing seq; a get
// claims the next position with a CAS on deq once that slot is published,
// takes the item and frees the slot for position p+size. Puts touch enq and
// gets deq, each on a cache line of its own, so that with nobody waiting a
// Put and a Get cost one CAS each and never meet on a lock.
//
// What the ring cannot decide alone (hand-off to a waiting getter, the
// oldest waiting putter taking the slot a get frees, Close, Drain, a new
// segment) is done under Queue.mu, with the fast path closed where it
// matters: the top bit of enq or deq, the gate, makes every CAS on that word
// fail, so that calls come to the mutex instead. Gates are set and cleared
// only by the mutex holder (setGatesLocked, at each unlock), and these hold
// whenever the mutex is free:
//
//   - The items are, in order, those of head's positions from deq to enq,
//     then those of each later segment, up to the tail's enq. A segment
//     other than the tail is retired: its enq is gated for good, so its
//     last position is fixed. A segment other than the head has its deq
//     gated. off maps a segment's positions to the queue's, so that the
//     queue holds tail's enq + tail.off - (head's deq + head.off) items.
//   - Tail's enq is open only if the queue is open, nobody waits, and a
//     full tail cannot take a bounded queue past its capacity. So while
//     getters wait, every put comes to the mutex and hands its item to the
//     oldest getter; and the queue never holds more than its capacity.
//   - Head's deq is open only if no putter waits, so that while putters
//     wait every get comes to the mutex and moves the oldest one's item in.
//   - Getters wait only while the queue is empty (every claimed position
//     taken), putters only while it is full.
//
// Once the mutex holder has gated both ends, no call can claim a position,
// and the count of items is exact. Calls that claimed one before the gate
// may still be finishing: a put that has not published its item, or a get
// that has not yet freed its slot. The mutex holder never writes into a
// slot that is not free (a put then starts a new segment instead). To take
// an item not yet published, it marks the slot, turning seq from free to
// free|watched with a CAS, and waits on kick; the put publishes with a
// Swap, and if it finds the mark it sends a token on kick. Both change the
// one word, so one of them is second: either the mark fails because the
// item is there, or the put sees the mark. The put has no lock to take and
// nothing to wait for before it publishes, so the wait is short.
//
// Positions never go back, not even in a reused segment, so a CAS with a
// value read before a gate was set or a segment retired or reused fails (no
// ABA), and a stale pointer to a segment does no harm: its ends are gated
// unless it is head or tail again, in which case the call is right to use
// it.

// gate is the bit of enq or deq that closes that end to the fast path.
const gate = 1 << 63

// watched is the bit of a slot's seq by which the mutex holder, waiting in
// take, asks the put that claimed the slot to wake it when it publishes.
const watched = 1 << 63

const (
	// segmentBytes is the size of a segment's slots that segmentSize aims
	// at: 1024 slots of an 8-byte item.
	segmentBytes = 16 << 10
	minSegment   = 16
	maxSegment   = 1024
)

// maxSpare bounds the retired segments a queue keeps for reuse, so that a
// burst does not pin its memory forever while swings in length cost no
// allocation.
const maxSpare = 8

// A slot holds one item. With p a position of the slot and base = p - p mod
// size (size: the segment's number of positions), its seq is 2*base when
// the slot is free for the put of position p, 2*base+1 when it holds that
// put's item, and 2*base|watched while the mutex holder waits for that put
// (see take). A zero slot is free for the first position of its index, so
// a new segment needs no setting up.
type slot[T any] struct {
	seq atomic.Uint64
	v   T
}

// A segment is a ring of slots; see the comment at the top of this file.
type segment[T any] struct {
	slots []slot[T]     // size << shift: position r mod size is slots[r<<shift]
	size  uint64        // number of positions
	mask  uint64        // size-1 if size is a power of two
	pow2  bool          // whether it is; if not, index by %
	shift uint8         // log2 of the stride between used slots (see spread)
	kick  chan struct{} // the queue's, buffer 1: see the top of this file

	// Guarded by Queue.mu:
	next *segment[T] // the segment after this one
	off  uint64      // what to add to a position of s to get the queue's

	_   [64]byte
	enq atomic.Uint64 // gate | next position to put
	_   [56]byte
	deq atomic.Uint64 // gate | next position to get
	_   [56]byte
}

// segmentSize returns the number of slots of a segment of a queue of the
// given capacity (0: unbounded): about segmentBytes, and no more than the
// capacity.
func segmentSize[T any](capacity int) int {
	n := segmentBytes / int(unsafe.Sizeof(slot[T]{}))
	n = min(max(n, minSegment), maxSegment)
	if capacity > 0 {
		n = min(n, capacity)
	}
	return n
}

// cacheLine is the size of a cache line on common hardware.
const cacheLine = 64

// newSegment returns an empty segment of size positions, both ends gated at
// position 0. If spread, each position's slot has a cache line to itself, or
// as nearly as the slot's size allows.
//
// Spreading is for a queue whose items all fit in one segment: its puts and
// gets work on neighbouring positions whenever it is nearly empty or nearly
// full, and slots sharing a cache line then bounce between the cores at
// every call. Spreading cut BenchmarkPutGet's 4p4c bounded case from 198 to
// 44 ns an item in the regime where cache-line transfers are slowest here
// (5 interleaved runs, 2026-12-04), for 64 bytes a slot instead of 16 with
// an int. An unbounded queue keeps dense segments: with a backlog its puts
// and gets are segments apart, and the memory grows with the backlog.
func newSegment[T any](size int, spread bool, kick chan struct{}) *segment[T] {
	stride := 1
	if spread {
		for stride*2*int(unsafe.Sizeof(slot[T]{})) <= cacheLine {
			stride *= 2
		}
	}
	s := &segment[T]{slots: make([]slot[T], size*stride), size: uint64(size), kick: kick}
	s.shift = uint8(bits.TrailingZeros(uint(stride)))
	if size&(size-1) == 0 {
		s.pow2, s.mask = true, uint64(size-1)
	}
	s.enq.Store(gate)
	s.deq.Store(gate)
	return s
}

// at returns the slot of position p and the seq that means it is free for
// p; the seq of p's published item is one more.
func (s *segment[T]) at(p uint64) (*slot[T], uint64) {
	r := p & s.mask
	if !s.pow2 {
		r = p % s.size
	}
	return &s.slots[r<<s.shift], 2 * (p - r)
}

// tryPut adds v at the next position and reports true, unless enq is gated
// or the next slot is not free: the segment is full, or the get of the
// slot's previous position has not finished.
func (s *segment[T]) tryPut(v T) bool {
	for {
		e := s.enq.Load()
		if e&gate != 0 {
			return false
		}
		sl, free := s.at(e)
		seq := sl.seq.Load()
		if seq == free {
			if s.enq.CompareAndSwap(e, e+1) {
				s.publish(sl, free, v)
				return true
			}
		} else if seq < free {
			return false
		}
		// Another put took position e: try the next one.
	}
}

// publish writes v into sl, which the caller has claimed for the position
// whose free seq is free, and wakes the mutex holder if it waits for it.
func (s *segment[T]) publish(sl *slot[T], free uint64, v T) {
	sl.v = v
	if sl.seq.Swap(free+1) != free {
		s.wake() // take marked the slot: it is waiting
	}
}

// wake tells the mutex holder, who may be waiting in take, that an item
// was published.
func (s *segment[T]) wake() {
	select {
	case s.kick <- struct{}{}:
	default: // a token is there already
	}
}

// tryGet takes the item at the next position and reports true, unless deq
// is gated or that item is not published: the segment is empty, or the put
// of that position has not finished.
func (s *segment[T]) tryGet() (T, bool) {
	var zero T
	for {
		d := s.deq.Load()
		if d&gate != 0 {
			return zero, false
		}
		sl, free := s.at(d)
		seq := sl.seq.Load()
		if seq == free+1 {
			if s.deq.CompareAndSwap(d, d+1) {
				v := sl.v
				sl.v = zero // do not keep the item reachable
				sl.seq.Store(free + 2*s.size)
				return v, true
			}
		} else if seq < free+1 {
			return zero, false
		}
		// Another get took position d: try the next one.
	}
}

// The methods below are for the mutex holder.

// pos returns the position in w, enq or deq, without the gate.
func pos(w *atomic.Uint64) uint64 { return w.Load() &^ gate }

// qpos returns the position in w, enq or deq of s, as the queue counts it.
func (s *segment[T]) qpos(w *atomic.Uint64) uint64 { return pos(w) + s.off }

// free reports whether the slot of position p is free for it.
func (s *segment[T]) free(p uint64) bool {
	sl, free := s.at(p)
	return sl.seq.Load() == free
}

// put writes v at position e, the next one, whose slot is free. enq is
// gated.
func (s *segment[T]) put(e uint64, v T) {
	sl, free := s.at(e)
	sl.v = v
	sl.seq.Store(free + 1)
	s.enq.Store(gate | (e + 1))
}

// take removes and returns the item at position d, the next one, waiting
// for its put to publish it. deq is gated, and so is enq, so that no put
// looks at the slot while it is marked: a put of the slot's next position
// would take the marked seq for another put's and try again until the
// mark goes.
func (s *segment[T]) take(d uint64) T {
	sl, free := s.at(d)
	// If the item is not published yet, mark the slot: the put will find
	// the mark and wake us. If it is, the mark fails and the loop below
	// does not wait.
	sl.seq.CompareAndSwap(free, free|watched)
	for sl.seq.Load() != free+1 {
		<-s.kick
	}
	v := sl.v
	var zero T
	sl.v = zero
	sl.seq.Store(free + 2*s.size)
	s.deq.Store(gate | (d + 1))
	return v
}

// setGate gates w, or opens it.
func setGate(w *atomic.Uint64, gated bool) {
	switch old := w.Load(); {
	case gated && old&gate == 0:
		w.Or(gate)
	case !gated && old&gate != 0:
		w.And(^uint64(gate))
	}
}
