package executor

import "github.com/nursery-go/nursery/group"

// ring is a FIFO of held jobs: the backlog. It grows by doubling and never
// shrinks below its high-water mark until it is empty, when it lets a large
// buffer go. The zero value is an empty ring.
//
// A channel would need its size fixed up front, and an unbounded backlog is
// the default; a linked list would cost an allocation per job.
type ring struct {
	buf  []*group.Task
	head int // index of the oldest job
	n    int // number of jobs
}

// shrinkAbove is the capacity above which an emptied ring frees its buffer,
// so that a burst of Enqueue does not pin its memory forever.
const shrinkAbove = 1024

func (r *ring) len() int { return r.n }

func (r *ring) push(t *group.Task) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)%len(r.buf)] = t
	r.n++
}

// pop removes and returns the oldest job; the ring must not be empty.
func (r *ring) pop() *group.Task {
	t := r.buf[r.head]
	r.buf[r.head] = nil // let the finished job be collected
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	if r.n == 0 {
		r.head = 0
		if len(r.buf) > shrinkAbove {
			r.buf = nil
		}
	}
	return t
}

// each calls f for every job, oldest first.
func (r *ring) each(f func(*group.Task)) {
	for i := range r.n {
		f(r.buf[(r.head+i)%len(r.buf)])
	}
}

// filter keeps the jobs for which keep reports true, in order, and returns
// how many it dropped.
func (r *ring) filter(keep func(*group.Task) bool) int {
	n := 0
	for i := range r.n {
		t := r.buf[(r.head+i)%len(r.buf)]
		if keep(t) {
			r.buf[(r.head+n)%len(r.buf)] = t
			n++
		}
	}
	for i := n; i < r.n; i++ {
		r.buf[(r.head+i)%len(r.buf)] = nil
	}
	dropped := r.n - n
	r.n = n
	if n == 0 {
		r.head = 0
	}
	return dropped
}

func (r *ring) grow() {
	buf := make([]*group.Task, max(16, 2*len(r.buf)))
	for i := range r.n {
		buf[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf, r.head = buf, 0
}
