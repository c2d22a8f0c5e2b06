package resource

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// A Supervisor runs one job as a task of a group and restarts it when it
// ends, with exponential backoff and jitter, until the job returns
// [ErrStop], the group starts closing, the supervisor is cancelled, or the
// job ends more often than the restart intensity allows, which escalates
// to the group as an [*IntensityError]. Start one with [Supervise]; a
// periodic job is a Supervise of an [call.Interval].
//
// A Supervisor is made only by Supervise; its methods are safe
// for concurrent use. A Supervisor must not be copied. The zero value is
// not a supervisor: its methods panic with a message that says so.
type Supervisor struct {
	g    *group.Group
	sub  *group.Group // runs the job, one task per run
	name string
	job  func(ctx context.Context) error
	spec Spec // with its defaults set
	task *group.Task

	mu    sync.Mutex // guards stats and count
	stats Stats      // what Stats returns
	count float64    // the restart count, as of the start of the current run (see Spec)
}

// Stats counts what a [Supervisor] has done so far.
type Stats struct {
	// Starts counts the runs of the job, the first one included.
	Starts int64 `json:"starts"`
	// Failures counts runs that ended with an error or a panic (a run
	// that returned nil is restarted but has not failed).
	Failures int64 `json:"failures"`
	// Panics counts, among Failures, the runs that panicked.
	Panics int64 `json:"panics"`
	// Restarts counts the restarts decided: Starts-1, plus one while a
	// backoff is under way.
	Restarts int64 `json:"restarts"`
	// Backoff is the sum of the backoffs decided before restarts.
	Backoff time.Duration `json:"backoff"`
}

// A Restart tells the Spec.OnRestart hook that a job ended and will be
// restarted after a backoff.
type Restart struct {
	// Job is the supervised job's name.
	Job string
	// Err is why the run ended: its error, a [*group.PanicError], or nil
	// when the job returned nil.
	Err error
	// Restart counts the restarts of the job so far, this one included.
	Restart int64
	// Delay is the backoff before the job starts again.
	Delay time.Duration
}

// An IntensityError is the failure a [Supervisor] escalates to its group
// when the job ended more often than its [Spec] allows: its decaying
// restart count went above Threshold. It wraps the error of the last run, so errors.Is
// and errors.As see it; when that is a [*group.PanicError], the group
// treats the escalation as that panic, as it would an unsupervised task's
// (raised again by Wait unless the group was made with
// [group.PanicsAsErrors]).
type IntensityError struct {
	// Job is the supervised job's name.
	Job string
	// Threshold and Decay are the Spec's (defaults set) that the restart
	// count exceeded.
	Threshold float64
	Decay     time.Duration
	// Err is the error of the last run; nil if it returned nil.
	Err error
}

// Error names the job and the intensity that was exceeded.
func (e *IntensityError) Error() string {
	last := "returned nil"
	if e.Err != nil {
		last = e.Err.Error()
	}
	return fmt.Sprintf("resource: job %q restarted more often than its threshold of %g (halving every %v): %s", e.Job, e.Threshold, e.Decay, last)
}

// Unwrap returns the error of the last run.
func (e *IntensityError) Unwrap() error { return e.Err }

// Supervise starts job as a supervised task of g and returns its
// Supervisor. It does not block. name names the supervisor's task in g,
// the subgroup that runs the job, and errors.
//
// The job is restarted whenever a run ends while g is open: when it
// returns an error, panics, or returns nil (a background job is meant to
// run as long as its group, as an Erlang/OTP permanent child). It stops
// for good, and the supervisor's task succeeds, when it returns an error
// matching [ErrStop].
//
// spec says how long the supervisor waits before each restart and when it
// gives up; its zero value has sensible defaults (see [Spec]). The wait
// grows while the job keeps ending and falls back to the base once it has
// run for a while. When the job ends too often the supervisor does not
// restart it but returns an [*IntensityError], an ordinary failure of its
// task in g: a fail-fast group closes. Spec.OnRestart and
// [Supervisor.Stats] see every restart and backoff, and so does g's
// observer ([group.Observe]), as a [group.TaskRestarted] event for the supervisor's
// task.
//
// Each run is a task of a subgroup of g made with [group.PanicsAsErrors]
// and a [group.OnError] handler, so that a panic is recovered (and
// reported to g's panic hook) and restarted like an error. When g leaves
// Open, gracefully or not, the supervisor cancels the run and returns
// without restarting it: a job stops when its group starts closing, even
// during a graceful [group.Group.Shutdown], which would otherwise wait for
// a job that never ends. The supervisor then stops without error. If that
// last run failed (whether just before the group closed or in answer to
// its cancellation: the two cannot be told apart), the failure is counted
// in Stats but not reported to g: the supervisor absorbs its job's
// failures, and a closing group only means there is no restart. A panic
// has been reported to g's panic hook all the same.
//
// On a group that is not open, Supervise starts nothing; the supervisor's
// Err is [ErrClosed].
//
// Supervise panics if g or job is nil, or a field of spec is out of range.
func Supervise(g *group.Group, name string, job func(ctx context.Context) error, spec Spec) *Supervisor {
	if g == nil || job == nil {
		panic("resource: Supervise with nil group or job")
	}
	s := &Supervisor{g: g, name: name, job: job, spec: spec.withDefaults()}
	// The handler drops failures because the supervisor reads each run's
	// outcome from its task; without it the subgroup would fail fast.
	s.sub = g.Subgroup(group.Name(name), group.PanicsAsErrors(), group.OnError(func(error) {}))
	s.task = g.Go(s.loop, group.Name(name))
	if s.task.State() == group.Refused {
		_ = s.sub.Close()
	}
	return s
}

// Done returns a channel that is closed when the supervisor has stopped.
func (s *Supervisor) Done() <-chan struct{} {
	s.mustBeMade("Supervisor.Done")
	return s.task.Done()
}

// Err returns nil while the supervisor runs and after it stopped without
// failing (the job returned [ErrStop], or the group closed); its
// [*IntensityError] after it escalated; the cause of its cancellation
// after [Supervisor.Cancel]; or [ErrClosed] if the group refused it.
func (s *Supervisor) Err() error {
	s.mustBeMade("Supervisor.Err")
	return s.task.Err()
}

// Cancel stops the supervisor: the current run is cancelled and not
// restarted. It does not wait; see [Supervisor.Done].
func (s *Supervisor) Cancel() {
	s.mustBeMade("Supervisor.Cancel")
	s.task.Cancel()
}

// Stats returns the supervisor's counts so far.
func (s *Supervisor) Stats() Stats {
	s.mustBeMade("Supervisor.Stats")
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// mustBeMade panics if s is a zero Supervisor, which runs nothing and
// would never be done.
func (s *Supervisor) mustBeMade(method string) {
	// s.g, not s.task: the loop calls methods before Supervise has stored
	// its task.
	if s.g == nil {
		panic("resource: " + method + " on a zero Supervisor; start one with Supervise")
	}
}

// loop is the supervisor's task.
func (s *Supervisor) loop(ctx context.Context) error {
	// The subgroup has no task left when loop returns; closing it is what
	// lets g count it as done. Failures went to the handler: nil.
	defer s.sub.Close()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	// sleep waits d and reports whether the job may still start.
	sleep := func(d time.Duration) bool {
		if timer == nil {
			timer = time.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		select {
		case <-timer.C:
			return s.g.State() == group.Open && ctx.Err() == nil
		case <-s.g.Closing():
		case <-ctx.Done():
		}
		return false
	}
	if s.spec.Delay > 0 && !sleep(s.spec.Delay) {
		return s.stopped(ctx)
	}
	for {
		s.mu.Lock()
		s.stats.Starts++
		s.mu.Unlock()
		started := time.Now()
		run := s.sub.Go(s.job, group.Name("run"))
		select {
		case <-run.Done():
		case <-s.g.Closing():
		case <-ctx.Done():
		}
		if s.g.State() != group.Open || ctx.Err() != nil {
			// Stop, whether or not the run had ended by itself: a job
			// that ends while its group closes is not restarted.
			run.Cancel()
			<-run.Done()
			if run.State() == group.Failed {
				s.mu.Lock()
				s.countFailureLocked(run.Err())
				s.mu.Unlock()
			}
			return s.stopped(ctx)
		}
		err := run.Err()
		if errors.Is(err, ErrStop) {
			return nil
		}
		delay, esc := s.restart(started, time.Now(), err)
		if esc != nil {
			return esc
		}
		if s.spec.OnRestart != nil {
			s.spec.OnRestart(Restart{Job: s.name, Err: err, Restart: s.Stats().Restarts, Delay: delay})
		}
		if groupctl.Observed(s.g) {
			groupctl.Emit(s.g, group.Event{Kind: group.TaskRestarted, Task: taskOf(ctx), Err: err, Duration: delay, Attempt: int(s.Stats().Restarts)})
		}
		if !sleep(delay) {
			return s.stopped(ctx)
		}
	}
}

// stopped is what the supervisor returns when it stops because its group
// closes or it was cancelled: nil if the group is closing, else the cause
// of the supervisor's cancellation.
func (s *Supervisor) stopped(ctx context.Context) error {
	// The group leaves Open before it cancels its tasks' contexts, so
	// checking the state first gives one answer however the two raced.
	if s.g.State() != group.Open || ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}

// restart accounts for a run that started at started and ended with err
// at now, and returns the backoff before the next run, or the escalation
// when the restart count goes above the threshold.
func (s *Supervisor) restart(started, now time.Time, err error) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.countFailureLocked(err)
	s.count = s.spec.decayed(s.count, now.Sub(started)) + 1
	if s.count > s.spec.Threshold {
		return 0, &IntensityError{Job: s.name, Threshold: s.spec.Threshold, Decay: s.spec.Decay, Err: err}
	}
	d := s.spec.Backoff.Delay(int(math.Round(s.count)) - 1)
	s.stats.Restarts++
	s.stats.Backoff += d
	return d, nil
}

// countFailureLocked counts a run that ended with err, if it failed.
func (s *Supervisor) countFailureLocked(err error) {
	if err == nil {
		return
	}
	s.stats.Failures++
	if _, ok := errors.AsType[*group.PanicError](err); ok {
		s.stats.Panics++
	}
}

// taskOf returns the task whose context ctx is, or nil.
func taskOf(ctx context.Context) *group.Task {
	t, _ := groupctl.TaskOf(ctx).(*group.Task)
	return t
}
