package call

import "github.com/nursery-go/nursery/internal/optkit"

// An Option configures [Retry], [Interval] or [Throttle]. Each option
// belongs to one of them, named in its doc; giving it to another panics.
type Option interface {
	applyCall(fn string, o *options)
}

// options holds every function's settings; each reads its own.
type options struct {
	attempts int     // Retry
	backoff  Backoff // Retry
	runs     int     // Interval; 0: no limit
	limit    int     // Throttle: real calls per frame
	refuse   bool    // Throttle: calls past the limit get ErrThrottled
}

// option is an Option of the function fn, named name in messages.
type option struct {
	name, fn string
	set      func(*options)
}

func (o option) applyCall(fn string, opts *options) {
	optkit.Check("call", o.name, []string{o.fn}, fn)
	o.set(opts)
}

// apply applies opts, given to fn, to o.
func apply(fn string, o *options, opts []Option) {
	for _, opt := range opts {
		if opt == nil {
			panic("call: nil Option given to " + fn)
		}
		opt.applyCall(fn, o)
	}
}

// Attempts sets how many times [Retry] calls its function at most, the
// first call included. The default is 5.
//
// Attempts panics if n < 1.
func Attempts(n int) Option {
	if n < 1 {
		panic("call: Attempts must be at least 1")
	}
	return option{"Attempts", "Retry", func(o *options) { o.attempts = n }}
}

// WithBackoff sets how long [Retry] waits between attempts. The default is
// the zero [Backoff]: 100ms, doubling, at most 10s, with jitter.
//
// WithBackoff panics if b has a negative delay, a Max below its Base, or a
// Multiplier that is not zero, not finite or below 1.
func WithBackoff(b Backoff) Option {
	b.check("call")
	return option{"WithBackoff", "Retry", func(o *options) { o.backoff = b }}
}

// Runs makes the body made by [Interval] return nil after fn's n-th run
// instead of running until its ctx ends.
//
// Runs panics if n is not positive.
func Runs(n int) Option {
	if n <= 0 {
		panic("call: Runs must be positive")
	}
	return option{"Runs", "Interval", func(o *options) { o.runs = n }}
}

// PerFrame lets n calls of fn run in each frame of [Throttle] instead of
// one. The first n calls of a frame run fn, concurrently if they come at
// once; later ones get the result of the latest of them to have returned,
// or wait for the first to return.
//
// PerFrame panics if n is not positive.
func PerFrame(n int) Option {
	if n <= 0 {
		panic("call: PerFrame must be positive")
	}
	return option{"PerFrame", "Throttle", func(o *options) { o.limit = n }}
}

// FailThrottled makes a call of a [Throttle]d function past the frame's
// limit return [ErrThrottled] at once, instead of the last result. A
// caller that wants a value of its own there substitutes it when
// errors.Is(err, ErrThrottled).
func FailThrottled() Option {
	return option{"FailThrottled", "Throttle", func(o *options) { o.refuse = true }}
}
