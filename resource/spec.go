package resource

import (
	"math"
	"time"

	"github.com/nursery-go/nursery/executor/call"
)

// A Spec configures a [Supervisor]. Its zero value is the default: restarts
// after 100ms, 200ms, 400ms, … at most 10s apart, with jitter, and an
// escalation when a job that cannot run at all ends for the sixth time
// (a threshold of 5 on a restart count that halves every 30s of running).
//
// The supervisor keeps a restart count that decays while the job runs:
// each time a run ends, the count is halved for every Decay the run
// lasted, then grows by one. When it goes above Threshold the supervisor
// escalates instead of restarting; otherwise it waits Backoff's delay for
// retry n, where n is the count rounded to a whole number, less one. So a
// job that keeps failing at once backs off further and further and then
// escalates, however long the backoffs (they do not count as running);
// one that fails only after working for a while restarts after a short
// backoff and never escalates.
type Spec struct {
	// Backoff is the wait before each restart; its zero value is
	// call.Backoff's default.
	Backoff call.Backoff
	// Threshold is the restart count above which the supervisor
	// escalates. Zero means 5. A Threshold below 1 escalates the first
	// time the job ends.
	Threshold float64
	// Decay is the half-life of the restart count, in time the job has
	// run. Zero means 30s.
	Decay time.Duration
	// Delay is a wait before the first run. If the group starts closing
	// meanwhile, the job never runs.
	Delay time.Duration
	// OnRestart, if set, is called in the supervisor's goroutine each time
	// a run ends and is to be restarted, before the backoff. It must not
	// block for long: the restart waits for it.
	OnRestart func(Restart)
}

// withDefaults returns sp with its zero fields set, and panics if a field
// is out of range.
func (sp Spec) withDefaults() Spec {
	sp.Backoff.Delay(0) // panics on a bad Backoff
	if sp.Threshold < 0 || math.IsNaN(sp.Threshold) || math.IsInf(sp.Threshold, 0) {
		panic("resource: Spec.Threshold must be finite and not negative")
	}
	if sp.Decay < 0 || sp.Delay < 0 {
		panic("resource: Spec.Decay and Spec.Delay must not be negative")
	}
	if sp.Threshold == 0 {
		sp.Threshold = 5
	}
	if sp.Decay == 0 {
		sp.Decay = 30 * time.Second
	}
	return sp
}

// decayed returns count after the job has run for d.
func (sp *Spec) decayed(count float64, d time.Duration) float64 {
	if count == 0 || d <= 0 {
		return count
	}
	return count * math.Exp2(-float64(d)/float64(sp.Decay))
}
