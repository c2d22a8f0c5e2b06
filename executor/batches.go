package executor

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// MapBatches is [MapUnordered] that yields results in batches, as they
// complete. A batch opens when the stream starts to wait for a result, or
// when a result is in, whichever comes first; it is yielded when poll has
// passed since it opened, or sooner when the last item has been delivered.
// So the time the loop body takes does not count, nor does a slow seq before
// any result is in.
//
// A failed item closes its batch at once: the pair is the results
// collected so far with the item's error, and the stream goes on with a
// new batch if the loop does. When poll passes and no item has completed,
// the stream yields an error matching [context.DeadlineExceeded] and
// ends; the items in flight are cancelled and waited for. Leaving the
// range, ctx ending and the executor closing are handled as in [Map].
//
// Every batch is a new slice that the loop may keep. MapBatches panics if
// ex, seq or fn is nil, or if poll is not positive.
func MapBatches[In, Out any](ctx context.Context, ex *Executor, seq iter.Seq[In], fn func(ctx context.Context, v In) (Out, error), poll time.Duration, opts ...Option) iter.Seq2[[]Out, error] {
	mustContext(ctx, "MapBatches")
	if ex == nil || seq == nil || fn == nil {
		panic("executor: MapBatches with nil executor, sequence or function")
	}
	if poll <= 0 {
		panic("executor: MapBatches poll must be positive")
	}
	window := streamOptions(ex, "MapBatches", opts).window
	return func(yield func([]Out, error) bool) {
		b := &batcher[Out]{yield: yield, poll: poll}
		u := newUnordered(ctx, ex, fn, window, b.add)
		u.batch = b
		defer b.stop()
		u.run(seq)
	}
}

// batcher collects an unordered stream's results into batches. Its clock
// is armed when the stream starts to wait with no batch open, or when a
// result opens one, and disarmed when a batch is yielded.
type batcher[Out any] struct {
	yield func([]Out, error) bool
	poll  time.Duration
	timer *time.Timer // created on first use, reused after
	armed bool
	items []Out
}

func (b *batcher[Out]) arm() {
	if b.timer == nil {
		b.timer = time.NewTimer(b.poll)
	} else {
		b.timer.Reset(b.poll)
	}
	b.armed = true
}

// waiting returns the channel that ends the current batch, starting its
// clock if no batch is open.
func (b *batcher[Out]) waiting() <-chan time.Time {
	if !b.armed {
		b.arm()
	}
	return b.timer.C
}

// add is the unordered stream's yield.
func (b *batcher[Out]) add(v Out, err error) bool {
	if err != nil {
		return b.flush(err)
	}
	if !b.armed {
		b.arm()
	}
	b.items = append(b.items, v)
	return true
}

// tick handles the batch's clock running out, and reports whether to go
// on.
func (b *batcher[Out]) tick() bool {
	b.armed = false
	if len(b.items) == 0 {
		b.yield(nil, fmt.Errorf("executor: MapBatches: no result within %v: %w", b.poll, context.DeadlineExceeded))
		return false
	}
	return b.flush(nil)
}

// flush yields the open batch with err.
func (b *batcher[Out]) flush(err error) bool {
	items := b.items
	b.items = nil
	b.stop()
	return b.yield(items, err)
}

// end yields what is left once every item has been delivered.
func (b *batcher[Out]) end() {
	if len(b.items) > 0 {
		b.flush(nil)
	}
}

func (b *batcher[Out]) stop() {
	if b.armed {
		b.timer.Stop()
		b.armed = false
	}
}
