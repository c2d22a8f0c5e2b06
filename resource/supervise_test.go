package resource_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

// starts records when a job was started, relative to the bubble's start.
type starts struct {
	mu    sync.Mutex
	t0    time.Time
	times []time.Duration
}

func newStarts() *starts { return &starts{t0: time.Now()} }

func (s *starts) add() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.times = append(s.times, time.Since(s.t0))
	return len(s.times)
}

func (s *starts) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.times...)
}

var errFlaky = errors.New("flaky")

func ms(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestSupervise_exponentialBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		sv := resource.Supervise(g, "job", func(context.Context) error {
			st.add()
			return errFlaky
		}, resource.Spec{Backoff: call.Backoff{Base: 100 * time.Millisecond, Max: time.Second, NoJitter: true}, Threshold: 100, Decay: time.Hour})
		time.Sleep(5 * time.Second)
		synctest.Wait()
		// 100, 200, 400, 800, then capped at 1s.
		require.Equal(t, ms(0, 100, 300, 700, 1500, 2500, 3500, 4500), st.get())
		require.NoError(t, g.Close())
		require.NoError(t, sv.Err(), "stopping with the group is not a failure")
		stats := sv.Stats()
		require.Equal(t, resource.Stats{Starts: 8, Failures: 8, Restarts: 8, Backoff: 5500 * time.Millisecond}, stats,
			"the 8th run failed at 4.5s and its 1s backoff was under way when the group closed")
	})
}

func TestSupervise_aBurstOfFailuresEscalates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		sv := resource.Supervise(g, "job", func(context.Context) error {
			st.add()
			return errFlaky
		}, resource.Spec{Backoff: call.Backoff{Base: 100 * time.Millisecond, Max: time.Second, NoJitter: true}, Threshold: 3, Decay: 10 * time.Second})
		<-sv.Done()
		// The count after each failure: 1, 2, 3, then 4 at 700ms, above
		// the threshold of 3: escalate.
		require.Equal(t, ms(0, 100, 300, 700), st.get())
		require.Equal(t, 700*time.Millisecond, time.Since(st.t0))
		var ie *resource.IntensityError
		require.ErrorAs(t, sv.Err(), &ie)
		require.Equal(t, resource.IntensityError{Job: "job", Threshold: 3, Decay: 10 * time.Second, Err: errFlaky}, *ie)
		require.ErrorIs(t, sv.Err(), errFlaky)
		require.Equal(t, `resource: job "job" restarted more often than its threshold of 3 (halving every 10s): flaky`, ie.Error())
		// An ordinary failure of g: the fail-fast group closes with it.
		err := g.Wait()
		require.ErrorAs(t, err, &ie)
		require.Contains(t, err.Error(), "task job: ")
	})
}

func TestSupervise_countDecays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		// Runs last 1s and the count halves every 500ms of running: it is
		// down to 0.25 when the next failure adds one, never goes above
		// 1.34 < 1.5, and the backoff stays at its base.
		sv := resource.Supervise(g, "job", func(ctx context.Context) error {
			st.add()
			return sleepThenFail(ctx, time.Second)
		}, resource.Spec{Backoff: call.Backoff{Base: 100 * time.Millisecond, Max: time.Second, NoJitter: true}, Threshold: 1.5, Decay: 500 * time.Millisecond})
		time.Sleep(5 * time.Second)
		synctest.Wait()
		require.Equal(t, ms(0, 1100, 2200, 3300, 4400), st.get())
		require.NoError(t, g.Close())
		require.NoError(t, sv.Err())
	})
}

// sleepThenFail fails after d, or returns ctx's error if it ends first.
func sleepThenFail(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return errFlaky
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestSupervise_failuresFasterThanTheDecayEscalate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		// Same as above but the count halves every 2s of running: it is
		// still 0.71 when the second run fails, and 1.71 > 1.5.
		sv := resource.Supervise(g, "job", func(ctx context.Context) error {
			st.add()
			return sleepThenFail(ctx, time.Second)
		}, resource.Spec{Backoff: call.Backoff{Base: 100 * time.Millisecond, Max: time.Second, NoJitter: true}, Threshold: 1.5, Decay: 2 * time.Second})
		select {
		case <-sv.Done():
		case <-time.After(time.Minute): // bubble time: a supervisor that never escalates fails here
			require.FailNow(t, "no escalation", "starts: %v", st.get())
		}
		require.Equal(t, ms(0, 1100), st.get())
		require.Equal(t, 2100*time.Millisecond, time.Since(st.t0))
		require.Error(t, g.Wait())
	})
}

func TestSupervise_panicsAreRestarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var reported []*group.PanicError
		g := group.New(context.Background(), group.OnPanic(func(pe *group.PanicError) { reported = append(reported, pe) }))
		var restarts []resource.Restart
		n := 0
		sv := resource.Supervise(g, "job", func(context.Context) error {
			n++
			if n < 3 {
				panic(fmt.Sprintf("panic %d", n))
			}
			return resource.ErrStop
		}, resource.Spec{Backoff: call.Backoff{NoJitter: true}, OnRestart: func(r resource.Restart) { restarts = append(restarts, r) }})
		<-sv.Done()
		require.NoError(t, sv.Err())
		require.Len(t, reported, 2, "each panic reaches the group's panic hook")
		require.Len(t, restarts, 2)
		for i, r := range restarts {
			var pe *group.PanicError
			require.ErrorAs(t, r.Err, &pe)
			require.Equal(t, fmt.Sprintf("panic %d", i+1), pe.Value)
			require.Equal(t, int64(i+1), r.Restart)
			require.Equal(t, "job", r.Job)
		}
		require.Equal(t, resource.Stats{Starts: 3, Failures: 2, Panics: 2, Restarts: 2, Backoff: 300 * time.Millisecond}, sv.Stats())
		require.NoError(t, g.Close())
	})
}

func TestSupervise_escalatedPanicIsTheGroupsPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background(), group.PanicsAsErrors(), quiet())
		sv := resource.Supervise(g, "job", func(context.Context) error { panic("always") },
			resource.Spec{Threshold: 0.5})
		<-sv.Done()
		var pe *group.PanicError
		require.ErrorAs(t, g.Wait(), &pe)
		require.Equal(t, "always", pe.Value)
	})
}

func TestSupervise_errStopStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		defer g.Close()
		sv := resource.Supervise(g, "job", func(context.Context) error {
			return fmt.Errorf("no more work: %w", resource.ErrStop)
		}, resource.Spec{})

		<-sv.Done()
		require.NoError(t, sv.Err())
		require.Equal(t, resource.Stats{Starts: 1}, sv.Stats())
		require.Equal(t, group.Open, g.State())
	})
}

func TestSupervise_nilReturnIsRestarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		sv := resource.Supervise(g, "job", func(context.Context) error {
			st.add()
			return nil
		}, resource.Spec{Backoff: call.Backoff{Base: time.Second, Max: time.Second, NoJitter: true}, Threshold: 2, Decay: time.Hour})
		<-sv.Done()
		require.Equal(t, ms(0, 1000, 2000), st.get())
		var ie *resource.IntensityError
		require.ErrorAs(t, sv.Err(), &ie)
		require.NoError(t, ie.Err)
		require.Contains(t, ie.Error(), "returned nil")
		require.Equal(t, resource.Stats{Starts: 3, Restarts: 2, Backoff: 2 * time.Second}, sv.Stats())
		require.Error(t, g.Wait())
	})
}

func TestSupervise_gracefulShutdownStopsTheJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		var cause error
		running := make(chan struct{})
		sv := resource.Supervise(g, "job", func(ctx context.Context) error {
			close(running)
			<-ctx.Done()
			cause = context.Cause(ctx)
			return cause
		}, resource.Spec{})

		<-running
		start := time.Now()
		// Shutdown cancels nothing until its deadline, which never comes.
		require.NoError(t, g.Shutdown(context.Background()))
		require.Equal(t, start, time.Now())
		require.ErrorIs(t, cause, group.ErrCanceled)
		require.NoError(t, sv.Err())
		require.Equal(t, int64(1), sv.Stats().Starts)
	})
}

func TestSupervise_closingDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		sv := resource.Supervise(g, "job", func(context.Context) error {
			st.add()
			return errFlaky
		}, resource.Spec{Backoff: call.Backoff{Base: time.Hour, Max: time.Hour, NoJitter: true}})
		synctest.Wait()
		require.NoError(t, g.Shutdown(context.Background()))
		require.Len(t, st.get(), 1)
		require.NoError(t, sv.Err())
		require.Equal(t, st.t0, time.Now())
	})
}

func TestSupervise_failureWhileClosingIsCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		running := make(chan struct{})
		sv := resource.Supervise(g, "job", func(ctx context.Context) error {
			close(running)
			<-ctx.Done()
			return errors.New("flush failed")
		}, resource.Spec{})

		<-running
		require.NoError(t, g.Close())
		require.NoError(t, sv.Err())
		require.Equal(t, resource.Stats{Starts: 1, Failures: 1}, sv.Stats())
	})
}

func TestSupervise_cancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		running := make(chan struct{})
		sv := resource.Supervise(g, "job", func(ctx context.Context) error {
			close(running)
			<-ctx.Done()
			return ctx.Err()
		}, resource.Spec{})

		<-running
		sv.Cancel()
		<-sv.Done()
		require.ErrorIs(t, sv.Err(), group.ErrCanceled)
		require.Equal(t, group.Open, g.State(), "cancelling a supervisor is not a failure")
		require.NoError(t, g.Close())
	})
}

func TestSupervise_jitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		var delays []time.Duration
		sv := resource.Supervise(g, "job", func(context.Context) error {
			st.add()
			return errFlaky
		}, resource.Spec{
			Backoff:   call.Backoff{Base: time.Second, Max: 8 * time.Second, Rand: rand.New(rand.NewPCG(1, 2))},
			Threshold: 6, Decay: time.Hour,
			OnRestart: func(r resource.Restart) { delays = append(delays, r.Delay) },
		})
		<-sv.Done()
		require.Len(t, delays, 6)
		times := st.get()
		var at time.Duration
		for i, d := range delays {
			full := min(time.Second<<i, 8*time.Second)
			require.GreaterOrEqual(t, d, full/2, "restart %d", i+1)
			require.LessOrEqual(t, d, full, "restart %d", i+1)
			at += d
			require.Equal(t, at, times[i+1], "restart %d waited the delay the hook saw", i+1)
		}
		require.Error(t, g.Wait())
	})
}

func TestSupervise_delay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		sv := resource.Supervise(g, "job", func(context.Context) error {
			st.add()
			return resource.ErrStop
		}, resource.Spec{Delay: 3 * time.Second})
		<-sv.Done()
		require.Equal(t, ms(3000), st.get())
		require.NoError(t, g.Close())

		g = group.New(context.Background())
		sv = resource.Supervise(g, "job", func(context.Context) error {
			t.Error("a delayed job started after its group closed")
			return nil
		}, resource.Spec{Delay: time.Second})
		require.NoError(t, g.Shutdown(context.Background()))
		require.NoError(t, sv.Err())
	})
}

func TestSupervise_closedGroup(t *testing.T) {
	g := group.New(context.Background())
	require.NoError(t, g.Close())
	sv := resource.Supervise(g, "job", func(context.Context) error { return nil }, resource.Spec{})
	<-sv.Done()
	require.ErrorIs(t, sv.Err(), resource.ErrClosed)
}

func TestSupervise_badInput(t *testing.T) {
	g := group.New(context.Background())
	defer g.Close()
	job := func(context.Context) error { return nil }
	tests := []struct {
		name string
		give func()
		want string
	}{
		{"nil group", func() { resource.Supervise(nil, "j", job, resource.Spec{}) }, "resource: Supervise with nil group or job"},
		{"nil job", func() { resource.Supervise(g, "j", nil, resource.Spec{}) }, "resource: Supervise with nil group or job"},
		{"negative base", func() { resource.Supervise(g, "j", job, resource.Spec{Backoff: call.Backoff{Base: -1}}) }, "call: Backoff with a negative delay"},
		{"max below base", func() {
			resource.Supervise(g, "j", job, resource.Spec{Backoff: call.Backoff{Base: time.Second, Max: time.Millisecond}})
		}, "call: Backoff with Max below Base"},
		{"negative threshold", func() { resource.Supervise(g, "j", job, resource.Spec{Threshold: -1}) }, "resource: Spec.Threshold must be finite and not negative"},
		{"NaN threshold", func() { resource.Supervise(g, "j", job, resource.Spec{Threshold: math.NaN()}) }, "resource: Spec.Threshold must be finite and not negative"},
		{"negative decay", func() { resource.Supervise(g, "j", job, resource.Spec{Decay: -1}) }, "resource: Spec.Decay and Spec.Delay must not be negative"},
		{"negative delay", func() { resource.Supervise(g, "j", job, resource.Spec{Delay: -1}) }, "resource: Spec.Decay and Spec.Delay must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.PanicsWithValue(t, tt.want, tt.give)
		})
	}
}

// TestSupervise_restartsAreObserved: the group's observer hears of each
// restart, with its backoff and count, as a TaskRestarted event of the
// supervisor's task.
func TestSupervise_restartsAreObserved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var restarts []group.Event
		obs := func(e group.Event) {
			if e.Kind == group.TaskRestarted {
				mu.Lock()
				restarts = append(restarts, e)
				mu.Unlock()
			}
		}
		g := group.New(context.Background(), group.Observe(obs))
		sv := resource.Supervise(g, "job", func(context.Context) error { return errFlaky },
			resource.Spec{Backoff: call.Backoff{Base: 100 * time.Millisecond, Max: time.Second, NoJitter: true}, Threshold: 100, Decay: time.Hour})
		time.Sleep(350 * time.Millisecond) // restarts after 0, 100 and 300 ms
		synctest.Wait()
		require.NoError(t, g.Close())
		require.NoError(t, sv.Err())
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, restarts, 3)
		for i, e := range restarts {
			require.Equal(t, i+1, e.Attempt)
			require.Equal(t, 100*time.Millisecond<<i, e.Duration)
			require.ErrorIs(t, e.Err, errFlaky)
			require.Equal(t, "job", e.Task.Name())
			require.Equal(t, g, e.Group)
		}
	})
}

// Pins behaviour: the backoff falls back to the base after a run long
// enough for the count to decay, then grows again.
func TestSupervise_backoffResetsAfterAHealthyRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		var delays []time.Duration
		var mu sync.Mutex
		runs := 0
		resource.Supervise(g, "job", func(ctx context.Context) error {
			mu.Lock()
			runs++
			r := runs
			mu.Unlock()
			if r == 3 {
				time.Sleep(time.Minute) // healthy for six half-lives
			}
			return errors.New("boom")
		}, resource.Spec{
			Backoff: call.Backoff{Base: time.Second, Max: time.Hour, NoJitter: true}, Threshold: 3.5, Decay: 10 * time.Second,
			OnRestart: func(r resource.Restart) {
				mu.Lock()
				delays = append(delays, r.Delay)
				mu.Unlock()
			},
		})
		// Failures at 0, 1s, 63s (the count down to 1.03 after a minute
		// of running), 64s and 66s; the fifth delay is decided at 66s. At
		// 70s the count would reach 4.03 and the job escalate, at the very
		// instant a wake-up at 70s would cancel it: stop in between.
		time.Sleep(time.Minute + 8*time.Second)
		g.Cancel()
		require.NoError(t, g.Wait())
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, []time.Duration{time.Second, 2 * time.Second, time.Second, 2 * time.Second, 4 * time.Second}, delays[:5])
	})
}

// Pins behaviour: Stats, OnRestart and the TaskRestarted events agree.
func TestSupervise_statsAndEventsAddUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var events []group.Event
		g := group.New(context.Background(), group.Observe(func(e group.Event) {
			if e.Kind == group.TaskRestarted {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
			}
		}))
		var hooks []resource.Restart
		sv := resource.Supervise(g, "job", func(ctx context.Context) error { return errors.New("boom") },
			resource.Spec{
				Backoff: call.Backoff{Base: time.Second, Max: time.Second, NoJitter: true}, Threshold: 4, Decay: time.Hour,
				OnRestart: func(r resource.Restart) { hooks = append(hooks, r) },
			})
		err := g.Wait()
		var ie *resource.IntensityError
		require.ErrorAs(t, err, &ie)
		st := sv.Stats()
		require.Equal(t, resource.Stats{Starts: 5, Failures: 5, Restarts: 4, Backoff: 4 * time.Second}, st)
		require.Len(t, hooks, 4)
		require.Len(t, events, 4)
		for i := range 4 {
			require.EqualValues(t, i+1, hooks[i].Restart)
			require.Equal(t, i+1, events[i].Attempt)
			require.Equal(t, time.Second, events[i].Duration)
		}
	})
}

// A job that fails at once escalates however long its backoffs: only the
// time it runs decays the count.
func TestSupervise_backoffsDoNotDecayTheCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		st := newStarts()
		sv := resource.Supervise(g, "job", func(context.Context) error {
			st.add()
			return errFlaky
		}, resource.Spec{Backoff: call.Backoff{Base: time.Hour, Max: time.Hour, NoJitter: true}, Threshold: 2, Decay: time.Second})
		<-sv.Done()
		require.Equal(t, []time.Duration{0, time.Hour, 2 * time.Hour}, st.get())
		var ie *resource.IntensityError
		require.ErrorAs(t, sv.Err(), &ie)
		require.Error(t, g.Wait())
	})
}
