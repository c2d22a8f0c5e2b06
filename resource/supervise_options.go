package resource

import (
	"math/rand/v2"
	"time"
)

// A SuperviseOption configures [Supervise].
type SuperviseOption interface {
	applySupervise(*superviseOptions)
}

type superviseOptions struct {
	base, max time.Duration
	jitter    bool
	rand      *rand.Rand // nil: math/rand/v2's global source
	limit     int
	window    time.Duration
	delay     time.Duration
	onRestart func(Restart)
}

// The defaults: restarts after 100ms, 200ms, ... at most 10s apart, and at
// most 10 restarts a minute (a job failing at once every time reaches the
// limit after about 31s of backoff).
func defaultSuperviseOptions() superviseOptions {
	return superviseOptions{
		base: 100 * time.Millisecond, max: 10 * time.Second, jitter: true,
		limit: 10, window: time.Minute,
	}
}

// backoff returns the wait before the restart that follows k restarts
// within the window.
func (o *superviseOptions) backoff(k int) time.Duration {
	d := o.base
	for range k {
		if d >= o.max/2 {
			d = o.max
			break
		}
		d *= 2
	}
	d = min(d, o.max)
	if !o.jitter || d <= 1 {
		return d
	}
	// Equal jitter: uniform in [d/2, d], so that jobs that failed together
	// spread out but none restarts sooner than half its backoff.
	half := d / 2
	if o.rand != nil {
		return half + time.Duration(o.rand.Int64N(int64(d-half)+1))
	}
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

type superviseOptionFunc func(*superviseOptions)

func (f superviseOptionFunc) applySupervise(o *superviseOptions) { f(o) }

// Backoff sets the backoff before the first restart within the intensity
// window (base) and the most it grows to (max), both before jitter. The
// defaults are 100ms and 10s.
//
// Backoff panics if base is negative or max is less than base.
func Backoff(base, max time.Duration) SuperviseOption {
	if base < 0 || max < base {
		panic("resource: Backoff needs 0 <= base <= max")
	}
	return superviseOptionFunc(func(o *superviseOptions) { o.base, o.max = base, max })
}

// NoJitter makes the supervisor wait the exact backoff instead of a
// random duration in its upper half.
func NoJitter() SuperviseOption {
	return superviseOptionFunc(func(o *superviseOptions) { o.jitter = false })
}

// JitterSource makes the supervisor draw its jitter from r instead of
// math/rand/v2's global source, for reproducible backoffs. r is used only
// by the supervisor's own goroutine, but must not be shared with other
// goroutines.
//
// JitterSource panics if r is nil.
func JitterSource(r *rand.Rand) SuperviseOption {
	if r == nil {
		panic("resource: JitterSource with nil source")
	}
	return superviseOptionFunc(func(o *superviseOptions) { o.rand = r })
}

// Intensity sets the restart intensity: at most limit restarts within any
// window of the given length (Erlang/OTP's MaxR and MaxT). When a run ends
// and limit restarts have been decided within the last window, the
// supervisor escalates instead of restarting. A limit of 0 escalates the
// first time the job ends. The default is 10 restarts a minute.
//
// Intensity panics if limit is negative or window is not positive.
func Intensity(limit int, window time.Duration) SuperviseOption {
	if limit < 0 || window <= 0 {
		panic("resource: Intensity needs limit >= 0 and a positive window")
	}
	return superviseOptionFunc(func(o *superviseOptions) { o.limit, o.window = limit, window })
}

// Delay makes the supervisor wait d before the first run (paco's defer
// for a supervised job). If the group starts closing meanwhile, the job
// never runs.
//
// Delay panics if d is negative.
func Delay(d time.Duration) SuperviseOption {
	if d < 0 {
		panic("resource: Delay must not be negative")
	}
	return superviseOptionFunc(func(o *superviseOptions) { o.delay = d })
}

// OnRestart sets a hook called, in the supervisor's goroutine, each time a
// run ends and is to be restarted, before the backoff. It must not block
// for long: the restart waits for it.
//
// OnRestart panics if fn is nil.
func OnRestart(fn func(Restart)) SuperviseOption {
	if fn == nil {
		panic("resource: OnRestart with nil function")
	}
	return superviseOptionFunc(func(o *superviseOptions) { o.onRestart = fn })
}
