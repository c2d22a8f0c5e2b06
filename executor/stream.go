package executor

import (
	"context"
	"errors"
	"math"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/streamctl"
)

func init() {
	streamctl.InTime = option{"InTime", []string{"Map"}, func(o *options) { o.inTime = true }}
}

// Window, an option of [Map], [MapUnordered] and [MapBatches], bounds how
// many items are in flight at once: submitted and not yet yielded,
// finished or not. It bounds the results held in memory. The default is
// twice the executor's MaxWorkers, so that one slow item does not idle
// every worker while later results wait behind it.
//
// Window panics if n is not positive.
func Window(n int) Option {
	if n <= 0 {
		panic("executor: Window must be positive")
	}
	return option{"Window", []string{"Map", "MapUnordered", "MapBatches"}, func(o *options) { o.window = n }}
}

// streamOptions returns the options of a stream of fn on ex.
func streamOptions(ex *Executor, fn string, opts []Option) options {
	o := options{window: ex.max}
	if o.window <= math.MaxInt/2 {
		o.window *= 2
	}
	apply(fn, &o, opts)
	return o
}

// stream holds what Map and MapUnordered share: how they yield results and
// how they end when the executor closes under them.
type stream[Out any] struct {
	ex      *Executor
	yield   func(Out, error) bool
	cut     bool // items were skipped or never submitted: the executor closed
	yielded bool // an error has been yielded
}

// deliver yields one finished item and reports whether to go on. A job
// cancelled because the executor closed is not yielded: finish reports the
// executor's cause once for all of them.
func (s *stream[Out]) deliver(v Out, err error, state group.TaskState) bool {
	if err != nil {
		if state == group.Canceled && isClosed(s.ex.closing) {
			s.cut = true
			return true
		}
		s.yielded = true
	}
	return s.yield(v, err)
}

// fail yields err (the caller's context ended, or a submission failed) and
// ends the stream.
func (s *stream[Out]) fail(err error) {
	var zero Out
	s.yield(zero, err)
}

// finish yields the executor's cause when items were cut short and no
// error has told the caller so yet.
func (s *stream[Out]) finish() {
	if !s.cut || s.yielded {
		return
	}
	cause := s.ex.g.Cause()
	if cause == nil {
		cause = ErrClosed
	}
	s.fail(cause)
}

// cancelAndWait cancels tasks and waits until each has finished, so that a
// stream left early leaves nothing running.
func cancelAndWait(tasks []*group.Task) {
	for _, t := range tasks {
		if t != nil {
			t.Cancel()
		}
	}
	for _, t := range tasks {
		if t != nil {
			<-t.Done()
		}
	}
}

// submitFailed handles an error from submitting an item: a closed executor
// cuts the stream short (finish reports it); anything else (ctx's cause,
// ErrDeadlock) is yielded at once. It reports whether to drain what is in
// flight.
func (s *stream[Out]) submitFailed(ctx context.Context, err error) bool {
	if errors.Is(err, ErrClosed) && ctx.Err() == nil {
		s.cut = true
		return true
	}
	s.fail(err)
	return false
}
