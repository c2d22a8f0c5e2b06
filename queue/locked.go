package queue

// The slow path: the queue's items as the mutex holder sees them. See the
// top of segment.go for the invariants these methods keep.

// unlock sets the gates for the state the holder leaves, and unlocks.
func (q *Queue[T]) unlock() {
	q.setGatesLocked()
	q.mu.Unlock()
}

// setGatesLocked opens each end of the fast path that the invariants allow,
// and gates it otherwise.
func (q *Queue[T]) setGatesLocked() {
	t := q.tail.Load()
	if t == nil {
		return
	}
	h := q.head.Load()
	open := !q.isClosed && q.getters.empty() && q.putters.empty()
	if open && q.capacity > 0 {
		// The items before the tail plus a full tail must fit. (With one
		// segment, the first term is 0 and the segment holds at most the
		// capacity.)
		open = int(t.qpos(&t.deq)-h.qpos(&h.deq))+int(t.size) <= q.capacity
	}
	setGate(&t.enq, !open)
	setGate(&h.deq, !q.putters.empty())
}

// gateTailLocked closes the fast path to puts.
func (q *Queue[T]) gateTailLocked() {
	if t := q.tail.Load(); t != nil {
		setGate(&t.enq, true)
	}
}

// gateLocked closes the fast path to puts and gets.
func (q *Queue[T]) gateLocked() {
	if t := q.tail.Load(); t != nil {
		setGate(&t.enq, true)
		setGate(&q.head.Load().deq, true)
	}
}

// lenLocked returns the number of items: positions claimed by puts and not
// by gets. It gates the tail's enq first (the caller's unlock opens it
// again), so that no put can add while the two ends are read: the count is
// the length the queue had when deq was read. Read with enq open, a get
// and a put between the two reads could make it a length the queue never
// had, even one above the capacity.
func (q *Queue[T]) lenLocked() int {
	t := q.tail.Load()
	if t == nil {
		return 0
	}
	setGate(&t.enq, true)
	h := q.head.Load()
	return int(t.qpos(&t.enq) - h.qpos(&h.deq))
}

func (q *Queue[T]) fullLocked() bool {
	return q.capacity > 0 && q.lenLocked() >= q.capacity
}

// pushLocked adds v at the back. The caller has checked that the queue is
// not full.
func (q *Queue[T]) pushLocked(v T) {
	t := q.tail.Load()
	if t == nil {
		t = q.newSegmentLocked()
		q.head.Store(t)
		q.tail.Store(t)
	}
	setGate(&t.enq, true)
	e := pos(&t.enq)
	if !t.free(e) {
		// The tail is full, or the get of the slot's previous position has
		// not finished: start a new tail after it. The old one is retired;
		// its enq stays gated.
		n := q.newSegmentLocked()
		n.off = t.qpos(&t.enq) - pos(&n.enq)
		t.next = n
		q.tail.Store(n)
		t, e = n, pos(&n.enq)
	}
	t.put(e, v)
}

// popLocked removes and returns the item at the front, or reports that
// there is none.
func (q *Queue[T]) popLocked() (T, bool) {
	for {
		h := q.head.Load()
		if h == nil {
			break
		}
		if v, ok := h.tryGet(); ok {
			return v, true
		}
		// deq first: enq only grows, so equal values mean that h was
		// empty when deq was read.
		if pos(&h.deq) == pos(&h.enq) {
			if h == q.tail.Load() {
				break // empty
			}
			// Every position of the retired head is taken: move on to the
			// next segment. Gating deq first makes every get still holding
			// h fail; none can have claimed a position since the check,
			// as h has no item left.
			setGate(&h.deq, true)
			q.head.Store(h.next)
			h.next = nil
			q.recycleLocked(h)
			continue
		}
		// h has an item, published or not: take it with both ends of h
		// gated (see take), unless gets took the rest before the gate.
		setGate(&h.deq, true)
		setGate(&h.enq, true)
		if d := pos(&h.deq); d != pos(&h.enq) {
			return h.take(d), true
		}
	}
	var zero T
	return zero, false
}

// takeLocked removes and returns every item, oldest first, or nil if there
// is none.
func (q *Queue[T]) takeLocked() []T {
	q.gateLocked()
	n := q.lenLocked()
	if n == 0 {
		return nil
	}
	out := make([]T, 0, n)
	for {
		v, ok := q.popLocked()
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// newSegmentLocked returns an empty segment with both ends gated, reusing a
// spare one if it can. The caller sets its off.
//
// A spare needs no resetting: its positions go on from where they stopped,
// and each slot is free for its next one, or soon will be, as a get that
// claimed a slot before the segment retired may still be emptying it. The
// caller writes the first slot without looking, so a spare whose first slot
// is not free yet stays spare for now. A put that finds a later slot not
// free takes the segment for full and starts a new one: correct, and rare.
func (q *Queue[T]) newSegmentLocked() *segment[T] {
	if s := q.spare; s != nil && s.free(pos(&s.enq)) {
		q.spare, s.next = s.next, nil
		q.nspare--
		return s
	}
	if q.kick == nil {
		q.kick = make(chan struct{}, 1)
	}
	size := q.segSize
	if size == 0 {
		size = segmentSize[T](q.capacity)
	}
	spread := q.capacity > 0 && q.capacity <= maxSegment
	return newSegment[T](size, spread, q.kick)
}

// recycleLocked keeps s, a retired segment that the head has left, for
// reuse, or drops it.
func (q *Queue[T]) recycleLocked(s *segment[T]) {
	if q.nspare >= maxSpare {
		return
	}
	s.next = q.spare
	q.spare = s
	q.nspare++
}
