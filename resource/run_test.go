package resource_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

// buffer is a bytes.Buffer safe for concurrent use.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// program runs main with Run in a goroutine, with signals from the
// returned channel; the exit code arrives on the other.
func program(main func(ctx context.Context, s *resource.Stack) error, opts ...resource.Option) (chan<- os.Signal, <-chan int, *buffer) {
	sigs := make(chan os.Signal)
	out := &buffer{}
	code := make(chan int, 1)
	opts = append([]resource.Option{resource.Signals(sigs), resource.Output(out)}, opts...)
	go func() { code <- resource.Run(context.Background(), main, opts...) }()
	return sigs, code, out
}

func TestRun_mainReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var j journal
		_, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			require.NoError(t, s.OnClose("hook", func(context.Context) error { j.add("hook"); return nil }))
			resource.Supervise(s.Group, "tick", call.Interval(time.Second, func(context.Context) error { return nil }), resource.Spec{})
			return nil
		})
		require.Equal(t, resource.ExitOK, <-code)
		require.Equal(t, []string{"hook"}, j.get())
		require.Empty(t, out.String())
	})
}

func TestRun_mainFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errMain := errors.New("config missing")
		_, code, out := program(func(ctx context.Context, s *resource.Stack) error { return errMain })
		require.Equal(t, resource.ExitFailure, <-code)
		require.Contains(t, out.String(), "config missing")
	})
}

func TestRun_taskFailureEndsTheProgram(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mainCause error
		_, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			s.Go(func(context.Context) error { return errors.New("disk full") })
			<-ctx.Done()
			mainCause = context.Cause(ctx)
			return ctx.Err()
		})
		require.Equal(t, resource.ExitFailure, <-code)
		require.ErrorContains(t, mainCause, "disk full")
		require.Contains(t, out.String(), "disk full")
	})
}

func TestRun_mainPanics(t *testing.T) {
	// The root group reports the panic to the standard logger at once;
	// keep it out of the test output.
	log.SetOutput(io.Discard)
	defer log.SetOutput(os.Stderr)
	synctest.Test(t, func(t *testing.T) {
		_, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			s.Go(func(context.Context) error { return nil }) // keep the group busy a moment
			panic("bug")
		})
		require.Equal(t, resource.ExitFailure, <-code)
		require.Contains(t, out.String(), "bug")
	})
}

func TestRun_firstSignalShutsDownGracefully(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var j journal
		finish := make(chan struct{})
		sigs, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			require.NoError(t, s.OnClose("hook", func(context.Context) error { j.add("hook"); return nil }))
			// A plain task is let finish.
			s.Go(func(context.Context) error {
				<-finish
				j.add("task finished")
				return nil
			})
			<-ctx.Done()
			j.add("main saw " + context.Cause(ctx).Error())
			return context.Cause(ctx) // answering the signal is not a failure
		}, resource.ShutdownTimeout(time.Minute))
		synctest.Wait()
		sigs <- syscall.SIGTERM
		synctest.Wait()
		// main's context ends as the shutdown starts: no order between them.
		require.ElementsMatch(t, []string{"main saw cancel: received signal terminated", "hook"}, j.get())
		time.Sleep(30 * time.Second) // within the deadline
		close(finish)
		require.Equal(t, resource.ExitOK, <-code)
		require.Equal(t, "task finished", j.get()[2])
		require.Equal(t, "resource: cancel: received signal terminated: shutting down (deadline 1m0s)\n", out.String())
	})
}

func TestRun_deadlineCancelsWhatIsLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cancelledAt time.Duration
		start := time.Now()
		sigs, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			s.Go(func(ctx context.Context) error {
				<-ctx.Done() // not closing-aware: only the deadline stops it
				cancelledAt = time.Since(start)
				return ctx.Err()
			})
			return nil
		}, resource.ShutdownTimeout(5*time.Second))
		_ = sigs
		require.Equal(t, resource.ExitTimeout, <-code)
		require.Equal(t, 5*time.Second, cancelledAt)
		require.Contains(t, out.String(), "shutdown deadline of 5s passed")
	})
}

func TestRun_stuckTasksAreNamed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		_, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			s.Go(func(context.Context) error { <-release; return nil }, group.Name("stubborn"))
			return nil
		}, resource.ShutdownTimeout(time.Second))
		require.Equal(t, resource.ExitTimeout, <-code)
		require.Contains(t, out.String(), "main/stubborn still running after 2s")
		close(release) // let the abandoned task end, for the bubble
	})
}

func TestRun_secondSignalStopsHard(t *testing.T) {
	tests := []struct {
		give os.Signal
		want int
	}{
		{syscall.SIGINT, 130},
		{syscall.SIGTERM, 143},
		{fakeSignal{}, 130},
	}
	for _, tt := range tests {
		t.Run(tt.give.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var cause error
				sigs, code, out := program(func(ctx context.Context, s *resource.Stack) error {
					s.Go(func(ctx context.Context) error {
						<-ctx.Done()
						cause = context.Cause(ctx)
						return ctx.Err()
					})
					<-ctx.Done()
					return nil
				})
				synctest.Wait() // the task runs
				sigs <- tt.give
				synctest.Wait()
				select {
				case c := <-code:
					require.FailNow(t, "the program ended after one signal with a task running", "exit code %d", c)
				default:
				}
				sigs <- tt.give
				require.Equal(t, tt.want, <-code)
				var se *cancel.SignalError
				require.ErrorAs(t, cause, &se)
				require.Contains(t, out.String(), "stopped hard")
			})
		})
	}
}

type fakeSignal struct{}

func (fakeSignal) String() string { return "fake" }
func (fakeSignal) Signal()        {}

func TestRun_contextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancelCause(context.Background())
		errGone := errors.New("parent gone")
		code := make(chan int, 1)
		out := &buffer{}
		go func() {
			code <- resource.Run(ctx, func(ctx context.Context, s *resource.Stack) error {
				<-ctx.Done()
				return ctx.Err()
			}, resource.Signals(make(chan os.Signal)), resource.Output(out))
		}()
		synctest.Wait()
		stop(errGone)
		require.Equal(t, resource.ExitFailure, <-code)
		require.Contains(t, out.String(), "parent gone")
	})
}

func TestRun_badInput(t *testing.T) {
	main := func(context.Context, *resource.Stack) error { return nil }
	require.PanicsWithValue(t, "resource: Run with nil context or main", func() {
		//lint:ignore SA1012 testing the documented panic
		resource.Run(nil, main)
	})
	require.PanicsWithValue(t, "resource: Run with nil context or main", func() { resource.Run(context.Background(), nil) })
	require.PanicsWithValue(t, "resource: nil Option given to Run", func() { resource.Run(context.Background(), main, nil) })
	require.PanicsWithValue(t, "resource: Signals with nil channel", func() { resource.Signals(nil) })
	require.PanicsWithValue(t, "resource: ShutdownTimeout must not be negative", func() { resource.ShutdownTimeout(-1) })
	require.PanicsWithValue(t, "resource: Output with nil writer", func() { resource.Output(nil) })
}

func TestRun_contextAlreadyEnded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancelCause(context.Background())
		stop(errors.New("too late"))
		out := &buffer{}
		code := resource.Run(ctx, func(ctx context.Context, s *resource.Stack) error {
			<-ctx.Done()
			return ctx.Err()
		}, resource.Signals(make(chan os.Signal)), resource.Output(out))
		require.Equal(t, resource.ExitFailure, code)
		require.Contains(t, out.String(), "resource: context canceled: too late")
		require.NotContains(t, out.String(), "stopped", "the failure says it already")
	})
}

// Regression (found in review, fixed; it failed probabilistically: under -race about 1 run in 100 takes the
// wrong path, so 5000 runs nearly always catch it; without -race it is
// rarer): two signals that arrive before Run has made its root group's
// Stack (two quick Ctrl-C at start-up, or signals already queued on the
// channel) are a hard stop, which the doc says exits 128+signal (130).
// When the signal watcher wins the race with NewStack, Run takes the "ctx
// had ended already" path and returns ExitFailure (1), printing the signal
// as if it were a failure. (Exit 0 is also seen and is fine: the second
// signal then came after the shutdown had finished.)
func TestRun_hardStopBeforeStartExitCode(t *testing.T) {
	failures := 0
	var lastOut string
	for range 5000 {
		sigs := make(chan os.Signal, 2)
		sigs <- syscall.SIGINT
		sigs <- syscall.SIGINT
		out := &buffer{}
		code := resource.Run(context.Background(), func(ctx context.Context, s *resource.Stack) error {
			<-ctx.Done()
			return nil
		}, resource.Signals(sigs), resource.Output(out))
		if code == resource.ExitFailure {
			failures++
			lastOut = out.String()
		}
	}
	require.Zero(t, failures, "runs of 5000 that exited 1 after two signals; output of the last: %q", lastOut)
}

// a hard stop (second signal) does not reach the close hooks:
// they are shielded with their own CloseTimeout, so Run gives up after the
// shutdown grace and returns 128+signal while a hook still runs, and the
// hooks registered before it never get their turn. Run's doc: "A second
// signal cancels everything at once".
func TestRun_secondSignalDoesNotReachHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sigs := make(chan os.Signal)
		out := &buffer{}
		code := make(chan int, 1)
		var flushEnded, dbClosed atomic.Bool
		go func() {
			code <- resource.Run(context.Background(), func(ctx context.Context, s *resource.Stack) error {
				if err := s.OnClose("db", func(context.Context) error { dbClosed.Store(true); return nil }); err != nil {
					return err
				}
				if err := s.OnClose("flush", func(ctx context.Context) error {
					<-ctx.Done() // respects its context
					flushEnded.Store(true)
					return nil
				}); err != nil {
					return err
				}
				<-ctx.Done()
				return nil
			}, resource.Signals(sigs), resource.Output(out), resource.ShutdownTimeout(time.Hour))
		}()
		synctest.Wait()
		sigs <- syscall.SIGTERM // graceful: the flush hook runs
		time.Sleep(100 * time.Millisecond)
		sigs <- syscall.SIGTERM // hard: must cancel everything at once
		c := <-code
		ended, closed := flushEnded.Load(), dbClosed.Load()
		time.Sleep(10 * time.Second) // let the abandoned hooks end inside the bubble
		require.Equal(t, 128+int(syscall.SIGTERM), c, "output: %s", out.String())
		require.True(t, ended, "the hard stop did not cancel the flush hook; output: %s", out.String())
		require.True(t, closed, "Run returned before the db hook ran")
	})
}

// the Stack's hooks are not bounded by Run's shutdown
// deadline. Each hook gets its own CloseTimeout counted from its turn, and
// the Stack's task ignores the cancellation that the deadline brings, so a
// slow (but deadline-respecting) hook uses up the shutdown; Run gives up
// with ExitTimeout and returns before the older hooks (the database) have
// had their turn: they are lost when the process exits. DESIGN: "Close
// hooks run ... shielded, within the shutdown deadline"; Run: "When the
// deadline passes, what still runs is cancelled."
func TestRun_slowHookStarvesOlderHooksPastTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var dbClosed atomic.Bool
		code := resource.Run(context.Background(), func(ctx context.Context, s *resource.Stack) error {
			if err := s.OnClose("db", func(context.Context) error { dbClosed.Store(true); return nil }); err != nil {
				return err
			}
			return s.OnClose("flush", func(ctx context.Context) error {
				<-ctx.Done() // respects its deadline (CloseTimeout, 5s)
				return nil
			})
		}, resource.Signals(make(chan os.Signal)), resource.Output(io.Discard), resource.ShutdownTimeout(time.Second))
		done := dbClosed.Load()
		time.Sleep(10 * time.Second) // let the abandoned hooks end inside the bubble
		require.True(t, done, "Run returned (exit %d) before the db hook ran; it never runs if the process exits now", code)
	})
}
