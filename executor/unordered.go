package executor

import (
	"context"
	"iter"
	"time"

	"github.com/nursery-go/nursery/group"
)

// MapUnordered is [Map] that yields results as they complete instead of in
// the order of seq. With at most [Window] items in flight, it submits the
// next item as soon as any result has been yielded, so one slow item never
// holds back the others. Leaving the range, ctx ending and the executor
// closing are handled as in Map.
//
// MapUnordered panics if ex, seq or fn is nil.
func MapUnordered[In, Out any](ctx context.Context, ex *Executor, seq iter.Seq[In], fn func(ctx context.Context, v In) (Out, error), opts ...Option) iter.Seq2[Out, error] {
	mustContext(ctx, "MapUnordered")
	if ex == nil || seq == nil || fn == nil {
		panic("executor: MapUnordered with nil executor, sequence or function")
	}
	window := streamOptions(ex, "MapUnordered", opts).window
	return func(yield func(Out, error) bool) {
		u := newUnordered[Out](ctx, ex, window, yield)
		runUnordered(u, seq, fn)
	}
}

// runUnordered submits the items of seq and delivers their results through
// u until seq ends and every item is delivered, or delivery stops.
func runUnordered[In, Out any](u *unordered[Out], seq iter.Seq[In], fn func(ctx context.Context, v In) (Out, error)) {
	defer u.cancel()
	ex, ctx, window := u.ex, u.ctx, len(u.slots)
	// Room is made before an item is taken, as in Map.
	for v := range seq {
		w, _, err := ex.acquire(ctx, true, nil, nil)
		if err == nil {
			i := u.take()
			t := makeJob(ex, w, func() *group.Task {
				return ex.g.Go(func(ctx context.Context) error {
					out, err := fn(ctx, v)
					// Never blocks: the buffer holds a result per slot.
					u.results <- result[Out]{i, out, err}
					return err
				}, ex.hold)
			})
			u.slots[i].t = t
			if err = ex.dispatch(w, t); err == nil {
				// Yield what is ready, and make room for the next item.
				for u.n == window || len(u.results) > 0 {
					if !u.recv() {
						return
					}
				}
				if !u.polled() {
					return
				}
				continue
			}
			u.give(i)
		}
		if !u.submitFailed(ctx, err) {
			return
		}
		break
	}
	for u.n > 0 {
		if !u.recv() {
			return
		}
	}
	u.finish()
	if u.batch != nil {
		u.batch.end()
	}
}

type result[Out any] struct {
	slot int
	v    Out
	err  error
}

// unordered tracks the items in flight in slots, linked in the order they
// were submitted so that the oldest is always at hand, and recycled
// through a free list.
type unordered[Out any] struct {
	stream[Out]
	ctx     context.Context
	results chan result[Out] // buffer: one per slot, and a slot sends at most once
	slots   []slot
	free    []int
	head    int // oldest slot in flight, or -1
	tail    int // newest slot in flight, or -1
	n       int
	batch   *batcher[Out] // nil unless MapBatches
}

type slot struct {
	t          *group.Task
	prev, next int
}

func newUnordered[Out any](ctx context.Context, ex *Executor, window int, yield func(Out, error) bool) *unordered[Out] {
	u := &unordered[Out]{
		stream:  stream[Out]{ex: ex, yield: yield},
		ctx:     ctx,
		results: make(chan result[Out], window),
		slots:   make([]slot, window),
		free:    make([]int, window),
		head:    -1,
		tail:    -1,
	}
	for i := range u.free {
		u.free[i] = window - 1 - i
	}
	return u
}

// take links a free slot in as the newest.
func (u *unordered[Out]) take() int {
	i := u.free[len(u.free)-1]
	u.free = u.free[:len(u.free)-1]
	u.slots[i] = slot{prev: u.tail, next: -1}
	if u.tail >= 0 {
		u.slots[u.tail].next = i
	} else {
		u.head = i
	}
	u.tail = i
	u.n++
	return i
}

// give unlinks slot i and frees it.
func (u *unordered[Out]) give(i int) {
	s := u.slots[i]
	if s.prev >= 0 {
		u.slots[s.prev].next = s.next
	} else {
		u.head = s.next
	}
	if s.next >= 0 {
		u.slots[s.next].prev = s.prev
	} else {
		u.tail = s.prev
	}
	u.slots[i] = slot{}
	u.free = append(u.free, i)
	u.n--
}

// recv waits for one item to finish, yields it, and reports whether to go
// on.
func (u *unordered[Out]) recv() bool {
	for {
		if u.ctx.Err() != nil { // an ended ctx wins over a ready result
			u.fail(context.Cause(u.ctx))
			return false
		}
		select {
		case r := <-u.results:
			return u.got(r)
		default:
		}
		oldest := u.slots[u.head].t
		var tick <-chan time.Time
		if u.batch != nil {
			tick = u.batch.waiting()
		}
		select {
		case <-tick:
			if !u.batch.tick() {
				return false
			}
		case r := <-u.results:
			return u.got(r)
		case <-oldest.Done():
			// A job that ran sent its result before it finished, so an
			// empty buffer now means the oldest never ran (cancelled while
			// it waited); otherwise take what is there and look again.
			select {
			case r := <-u.results:
				return u.got(r)
			default:
			}
			var zero Out
			err := oldest.Err()
			u.give(u.head)
			return u.deliver(zero, err, oldest.State())
		case <-u.ctx.Done():
			u.fail(context.Cause(u.ctx))
			return false
		}
	}
}

// polled delivers a batch whose poll time has passed while items were
// being submitted, and reports whether to go on.
func (u *unordered[Out]) polled() bool {
	if u.batch == nil || !u.batch.armed {
		return true
	}
	select {
	case <-u.batch.timer.C:
		return u.batch.tick()
	default:
		return true
	}
}

func (u *unordered[Out]) got(r result[Out]) bool {
	t := u.slots[r.slot].t
	u.give(r.slot)
	<-t.Done() // it has sent: its state is final in a moment
	return u.deliver(r.v, r.err, t.State())
}

// cancel cancels the items still in flight and waits for them.
func (u *unordered[Out]) cancel() {
	tasks := make([]*group.Task, 0, u.n)
	for i := u.head; i >= 0; i = u.slots[i].next {
		tasks = append(tasks, u.slots[i].t)
	}
	cancelAndWait(tasks)
}
