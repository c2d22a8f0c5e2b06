package call

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// A Backoff says how long to wait before each new attempt of something
// that keeps failing: [Retry] between the calls of its function, and
// resource.Supervise between the runs of a job. Its zero value is the
// default: 100ms before the first retry, doubling each time, at most 10s,
// with jitter.
//
// Before retry n (from 0) the nominal delay is Base × Multiplier^n, capped
// at Max. With jitter (unless NoJitter) the delay is drawn uniformly from
// the upper half of that, [d/2, d]: callers that failed together spread
// out, and none retries sooner than half its nominal delay, so the wait
// still grows while the failures go on.
//
// A Backoff is a plain value: copy it freely. It is safe for concurrent
// use unless Rand is set.
type Backoff struct {
	// Base is the nominal delay before the first retry. Zero means 100ms.
	// For back-to-back attempts, set Base and Max to one nanosecond.
	Base time.Duration
	// Max caps the nominal delay. Zero means 10s, or Base if Base is
	// larger.
	Max time.Duration
	// Multiplier is the factor by which the delay grows after each retry.
	// Zero means 2; 1 keeps the delay constant.
	Multiplier float64
	// NoJitter makes the delay the exact nominal one.
	NoJitter bool
	// Rand, when set, is the source of the jitter instead of math/rand/v2's
	// global one, for reproducible delays in tests. A [rand.Rand] is not
	// safe for concurrent use: it must not be shared by callers that run
	// at the same time.
	Rand *rand.Rand
}

// check panics, naming who, if b cannot be used.
func (b Backoff) check(who string) {
	if b.Base < 0 || b.Max < 0 {
		panic(fmt.Sprintf("%s: Backoff with a negative delay", who))
	}
	if b.Max != 0 && b.Max < b.Base {
		panic(fmt.Sprintf("%s: Backoff with Max below Base", who))
	}
	if b.Multiplier != 0 && (!(b.Multiplier >= 1) || math.IsInf(b.Multiplier, 1)) {
		panic(fmt.Sprintf("%s: Backoff Multiplier must be finite and at least 1", who))
	}
}

// Delay returns the wait before retry n (from 0), jitter included.
//
// Delay panics if b has a negative delay, a Max below its Base, or a
// Multiplier that is not zero, not finite or below 1.
func (b Backoff) Delay(n int) time.Duration {
	b.check("call")
	base, hi, mult := b.Base, b.Max, b.Multiplier
	if base == 0 {
		base = 100 * time.Millisecond
	}
	if hi == 0 {
		hi = max(10*time.Second, base)
	}
	if mult == 0 {
		mult = 2
	}
	// In float64, so that a large n saturates at hi instead of
	// overflowing.
	d := hi
	if f := float64(base) * math.Pow(mult, float64(max(n, 0))); f < float64(hi) {
		d = time.Duration(f)
	}
	if b.NoJitter || d <= 1 {
		return d
	}
	half := d / 2
	if b.Rand != nil {
		return half + time.Duration(b.Rand.Int64N(int64(d-half)+1))
	}
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}
