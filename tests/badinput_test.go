package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/observe"
	"github.com/nursery-go/nursery/queue"
	"github.com/nursery-go/nursery/resource"
)

// badInput is one call with bad input and what it must do: panic with a
// message containing panics, or return an error matching err (nil: return
// nil). Every call runs in its own synctest bubble under a bounded wait, so
// a call that hangs fails the test instead of hanging it.
type badInput struct {
	name   string
	call   func(t *testing.T) error
	panics string
	err    error
}

// runBadInput runs each row in a bubble of its own.
func runBadInput(t *testing.T, rows []badInput) {
	t.Helper()
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var err error
				v := within(t, tt.name, func() { err = tt.call(t) })
				if tt.panics != "" {
					if v == nil {
						t.Fatalf("want a panic with %q, got none (returned %v): bad input silently accepted", tt.panics, err)
					}
					if msg := fmt.Sprint(v); !strings.Contains(msg, tt.panics) {
						t.Fatalf("want a panic with %q, got %q", tt.panics, msg)
					}
					return
				}
				if v != nil {
					t.Fatalf("want %v, got a panic: %v", tt.err, v)
				}
				if !errors.Is(err, tt.err) {
					t.Fatalf("want an error matching %v, got %v", tt.err, err)
				}
			})
		})
	}
}

func nop(context.Context) error { return nil }

func blockCtx(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// cancelled returns a context that is already cancelled.
func cancelled() context.Context {
	ctx, stop := context.WithCancel(context.Background())
	stop()
	return ctx
}

// closedGroup returns a group that has been closed.
func closedGroup() *group.Group {
	g := group.New(context.Background(), quiet)
	_ = g.Close()
	return g
}

// inTask runs f in a task of a new group, returns what f returned and closes
// the group.
func inTask(f func(ctx context.Context, g *group.Group) error) error {
	g := group.New(context.Background(), quiet)
	var err error
	g.Go(func(ctx context.Context) error {
		err = f(ctx, g)
		return nil
	})
	if cerr := g.Close(); cerr != nil {
		return fmt.Errorf("closing the group: %w", cerr)
	}
	return err
}

func TestBadInputGroup(t *testing.T) {
	bg := context.Background()
	runBadInput(t, []badInput{
		{name: "New with nil context", panics: "group: New with nil context", call: func(*testing.T) error {
			var nilCtx context.Context
			group.New(nilCtx)
			return nil
		}},
		{name: "New with nil option", panics: "group: nil Option", call: func(*testing.T) error {
			group.New(bg, nil)
			return nil
		}},
		{name: "Go with nil function", panics: "group: Go with nil function", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			g.Go(nil)
			return nil
		}},
		{name: "Go with nil task option", panics: "group: nil Option given to a task", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			g.Go(nop, nil)
			return nil
		}},
		{name: "Async with nil group", panics: "group: Async with nil group", call: func(*testing.T) error {
			group.Async(nil, func(context.Context) (int, error) { return 0, nil })
			return nil
		}},
		{name: "Async with nil function", panics: "group: Async with nil group or function", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			group.Async[int](&g, nil)
			return nil
		}},
		{name: "Start with nil function", panics: "group: Start with nil function", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			return g.Start(bg, nil)
		}},
		{name: "Timeout of zero", panics: "group: Timeout must be positive", call: func(*testing.T) error {
			group.Timeout(0)
			return nil
		}},
		{name: "Timeout negative", panics: "group: Timeout must be positive", call: func(*testing.T) error {
			group.Timeout(-time.Second)
			return nil
		}},
		{name: "ShutdownGrace negative", panics: "group: ShutdownGrace must not be negative", call: func(*testing.T) error {
			group.ShutdownGrace(-1)
			return nil
		}},
		{name: "OnError with nil handler", panics: "group: OnError handler is nil", call: func(*testing.T) error {
			group.OnError(nil)
			return nil
		}},
		{name: "OnPanic with nil hook", panics: "group: OnPanic hook is nil", call: func(*testing.T) error {
			group.OnPanic(nil)
			return nil
		}},
		{name: "Observe with nil observer", panics: "group: Observe with a nil function", call: func(*testing.T) error {
			group.Observe(nil)
			return nil
		}},
		{name: "Describe with empty kind", panics: "group: Describe with an empty kind", call: func(*testing.T) error {
			groupctl.Describe("", nil)
			return nil
		}},
		{name: "Like of nil group", panics: "group: Like of a nil group", call: func(*testing.T) error {
			groupctl.Like(nil)
			return nil
		}},
		{name: "Link of nil group", panics: "group: Link", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			groupctl.Link(&g, nil)
			return nil
		}},
		{name: "Link of itself", panics: "group: Link", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			groupctl.Link(&g, &g)
			return nil
		}},
		{name: "Run of a task not made with Hold", panics: "group: Task.Start or Task.Run on a task not made with Hold", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			groupctl.RunHeld(g.Go(nop))
			return nil
		}},
		{name: "Start of a task not made with Hold", panics: "group: Task.Start or Task.Run on a task not made with Hold", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			groupctl.StartHeld(g.Go(nop))
			return nil
		}},
		{name: "Go after Close is refused with ErrClosed", err: group.ErrClosed, call: func(*testing.T) error {
			t := closedGroup().Go(nop)
			if t.State() != group.Refused {
				return fmt.Errorf("task is %v, want refused", t.State())
			}
			return t.Err()
		}},
		{name: "Async after Close is refused with ErrClosed", err: group.ErrClosed, call: func(*testing.T) error {
			_, err := group.Async(closedGroup(), func(context.Context) (int, error) { return 1, nil }).Result()
			return err
		}},
		{name: "Start after Close returns ErrClosed", err: group.ErrClosed, call: func(*testing.T) error {
			ran := false
			err := closedGroup().Start(bg, func(context.Context, func()) error { ran = true; return nil })
			if ran {
				return errors.New("Start on a closed group ran its function")
			}
			return err
		}},
		{name: "Subgroup after Close refuses tasks", err: group.ErrClosed, call: func(*testing.T) error {
			sg := closedGroup().Subgroup()
			if sg.State() != group.Closed {
				return fmt.Errorf("subgroup of a closed group is %v", sg.State())
			}
			return sg.Go(nop).Err()
		}},
		{name: "double Close returns nil twice", err: nil, call: func(*testing.T) error {
			var g group.Group
			g.Go(blockCtx)
			if err := g.Close(); err != nil {
				return err
			}
			return g.Close()
		}},
		{name: "Close after a failure returns it again", err: errBad, call: func(*testing.T) error {
			var g group.Group
			g.Go(func(context.Context) error { return errBad })
			first := g.Close()
			if !errors.Is(first, errBad) {
				return fmt.Errorf("first Close: %v", first)
			}
			return g.Close()
		}},
		{name: "Wait from inside a task", err: group.ErrWaitInTask, call: func(*testing.T) error {
			return inTask(func(_ context.Context, g *group.Group) error { return g.Wait() })
		}},
		{name: "Close from inside a task", err: group.ErrWaitInTask, call: func(*testing.T) error {
			return inTask(func(_ context.Context, g *group.Group) error { return g.Close() })
		}},
		{name: "Shutdown from inside a task", err: group.ErrWaitInTask, call: func(*testing.T) error {
			return inTask(func(_ context.Context, g *group.Group) error { return g.Shutdown(bg) })
		}},
		{name: "Wait on the parent from inside a subgroup's task", err: group.ErrWaitInTask, call: func(*testing.T) error {
			g := group.New(bg, quiet)
			sg := g.Subgroup()
			var err error
			sg.Go(func(context.Context) error { err = g.Wait(); return nil })
			_ = sg.Close()
			if cerr := g.Close(); cerr != nil {
				return cerr
			}
			return err
		}},
		{name: "New with a cancelled context reports it", err: context.Canceled, call: func(*testing.T) error {
			// The group may accept a task before it notices its context
			// (it does so asynchronously), but the task must be cancelled
			// and Wait must report the cause, never a silent success.
			g := group.New(cancelled(), quiet)
			task := g.Go(blockCtx)
			err := g.Wait()
			if s := task.State(); s != group.Canceled && s != group.Refused {
				return fmt.Errorf("task of a group with a cancelled context is %v", s)
			}
			return err
		}},
		{name: "Start with a cancelled context", err: context.Canceled, call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			return g.Start(cancelled(), func(ctx context.Context, _ func()) error {
				<-ctx.Done()
				return ctx.Err()
			})
		}},
		{name: "Start whose task returns before ready", err: group.ErrNotReady, call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			return g.Start(bg, func(context.Context, func()) error { return nil })
		}},
		{name: "Await with a cancelled context", err: context.Canceled, call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			_, err := group.Async(&g, func(ctx context.Context) (int, error) { return 0, blockCtx(ctx) }).Await(cancelled())
			return err
		}},
		{name: "Shutdown with a cancelled context cancels at once", err: context.Canceled, call: func(*testing.T) error {
			var g group.Group
			g.Go(blockCtx)
			err := g.Shutdown(cancelled())
			if g.State() != group.Closed {
				return fmt.Errorf("group is %v after Shutdown", g.State())
			}
			return err
		}},
		{name: "Cancel of a finished task changes nothing", err: nil, call: func(*testing.T) error {
			var g group.Group
			t := g.Go(nop)
			<-t.Done()
			t.Cancel()
			if t.State() != group.Succeeded {
				return fmt.Errorf("task is %v after a late Cancel", t.State())
			}
			return g.Close()
		}},
		{name: "Run of a held task twice", err: nil, call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			t := g.Go(nop, groupctl.Hold.(group.Option))
			if !groupctl.RunHeld(t) {
				return errors.New("first Run did not run")
			}
			if groupctl.RunHeld(t) || groupctl.StartHeld(t) {
				return errors.New("a held task ran twice")
			}
			return t.Err()
		}},
		{name: "Start of a cancelled held task", err: group.ErrCanceled, call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			t := g.Go(nop, groupctl.Hold.(group.Option))
			t.Cancel()
			if groupctl.StartHeld(t) {
				return errors.New("a cancelled held task started")
			}
			return t.Err()
		}},
	})
}

var errBad = errors.New("bad")

// saturated returns an executor with one worker that runs a job blocked
// until release is closed: a Submit blocks.
func saturated(g *group.Group, release chan struct{}, opts ...executor.Option) *executor.Executor {
	ex := executor.New(g, append([]executor.Option{executor.MaxWorkers(1)}, opts...)...)
	if _, err := ex.Submit(context.Background(), func(context.Context) error { <-release; return nil }); err != nil {
		panic(err)
	}
	return ex
}

func TestBadInputExecutor(t *testing.T) {
	bg := context.Background()
	job := func(context.Context) (int, error) { return 1, nil }
	withEx := func(f func(ex *executor.Executor) error, opts ...executor.Option) func(*testing.T) error {
		return func(*testing.T) error {
			g := group.New(bg, quiet)
			ex := executor.New(g, opts...)
			err := f(ex)
			_ = ex.Close()
			if cerr := g.Close(); cerr != nil {
				return fmt.Errorf("closing: %w", cerr)
			}
			return err
		}
	}
	closedEx := func(f func(ex *executor.Executor) error) func(*testing.T) error {
		return withEx(func(ex *executor.Executor) error {
			if err := ex.Close(); err != nil {
				return err
			}
			return f(ex)
		})
	}
	runBadInput(t, []badInput{
		{name: "New with nil parent", panics: "executor: New with nil parent group", call: func(*testing.T) error {
			executor.New(nil)
			return nil
		}},
		{name: "New with nil option", panics: "executor: nil Option given to New", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			executor.New(&g, nil)
			return nil
		}},
		{name: "MaxWorkers zero", panics: "executor: MaxWorkers must be positive", call: func(*testing.T) error { executor.MaxWorkers(0); return nil }},
		{name: "MaxWorkers negative", panics: "executor: MaxWorkers must be positive", call: func(*testing.T) error { executor.MaxWorkers(-1); return nil }},
		{name: "Backlog negative", panics: "executor: Backlog must not be negative", call: func(*testing.T) error { executor.Backlog(-1); return nil }},
		{name: "Timeout zero", panics: "executor: Timeout must be positive", call: func(*testing.T) error { executor.Timeout(0); return nil }},
		{name: "Window zero", panics: "executor: Window must be positive", call: func(*testing.T) error { executor.Window(0); return nil }},
		{name: "Submit with nil function", panics: "executor: Submit with nil function", call: withEx(func(ex *executor.Executor) error {
			_, err := ex.Submit(bg, nil)
			return err
		})},
		{name: "TrySubmit with nil function", panics: "executor: TrySubmit with nil function", call: withEx(func(ex *executor.Executor) error {
			ex.TrySubmit(nil)
			return nil
		})},
		{name: "Enqueue with nil function", panics: "executor: Enqueue with nil function", call: withEx(func(ex *executor.Executor) error {
			_, err := ex.Enqueue(nil)
			return err
		})},
		{name: "Async with nil executor", panics: "executor: Async with nil executor", call: func(*testing.T) error {
			_, err := executor.Async(bg, nil, job)
			return err
		}},
		{name: "Exec with nil function", panics: "executor: Exec with nil executor or function", call: withEx(func(ex *executor.Executor) error {
			_, err := executor.Exec[int](bg, ex, nil)
			return err
		})},
		{name: "Map with nil sequence", panics: "executor: Map with nil", call: withEx(func(ex *executor.Executor) error {
			executor.Map[int, int](bg, ex, nil, func(context.Context, int) (int, error) { return 0, nil })
			return nil
		})},
		{name: "MapUnordered with nil function", panics: "executor: MapUnordered with nil", call: withEx(func(ex *executor.Executor) error {
			executor.MapUnordered[int, int](bg, ex, func(func(int) bool) {}, nil)
			return nil
		})},
		{name: "MapBatches with no poll", panics: "executor: MapBatches poll must be positive", call: withEx(func(ex *executor.Executor) error {
			executor.MapBatches(bg, ex, func(func(int) bool) {}, func(context.Context, int) (int, error) { return 0, nil }, 0)
			return nil
		})},
		{name: "Then with nil callback", panics: "call: Then with nil function", call: func(*testing.T) error {
			call.Then[int, int](job, nil)
			return nil
		}},
		{name: "Defer with nil function", panics: "call: Defer with nil function", call: func(*testing.T) error { call.Defer(time.Second, nil); return nil }},
		{name: "Interval of zero", panics: "call: Interval needs a positive period", call: func(*testing.T) error { call.Interval(0, nop); return nil }},
		{name: "Throttle with zero frame", panics: "call: Throttle needs a function and a positive frame", call: func(*testing.T) error { call.Throttle(job, 0); return nil }},
		{name: "NewRateLimiter with n zero", panics: "call: NewRateLimiter needs", call: func(*testing.T) error { call.NewRateLimiter(0, time.Second, 0); return nil }},
		{name: "NewRateLimiter with negative spacing", panics: "call: NewRateLimiter needs", call: func(*testing.T) error { call.NewRateLimiter(1, time.Second, -1); return nil }},
		{name: "Retry with nil function", panics: "call: Retry with nil function", call: func(*testing.T) error {
			_, err := call.Retry[int](bg, nil)
			return err
		}},
		{name: "Attempts zero", panics: "call: Attempts must be at least 1", call: func(*testing.T) error { call.Attempts(0); return nil }},
		{name: "Backoff negative", panics: "call: Backoff with a negative delay", call: func(*testing.T) error { call.WithBackoff(call.Backoff{Max: -1}); return nil }},
		{name: "Backoff Max below Base", panics: "call: Backoff with Max below Base", call: func(*testing.T) error { call.WithBackoff(call.Backoff{Base: 2, Max: 1}); return nil }},
		{name: "Backoff Multiplier below one", panics: "call: Backoff Multiplier must be finite and at least 1", call: func(*testing.T) error { call.WithBackoff(call.Backoff{Multiplier: 0.5}); return nil }},
		{name: "Backoff Multiplier NaN", panics: "call: Backoff Multiplier must be finite and at least 1", call: func(*testing.T) error { call.WithBackoff(call.Backoff{Multiplier: math.NaN()}); return nil }},
		{name: "Option of another function", panics: "call: Runs is an option of Interval, not of Retry", call: func(t *testing.T) error {
			_, err := call.Retry(t.Context(), func(context.Context) (int, error) { return 0, nil }, call.Runs(1))
			return err
		}},
		{name: "Submit after Close", err: executor.ErrClosed, call: closedEx(func(ex *executor.Executor) error {
			_, err := ex.Submit(bg, nop)
			return err
		})},
		{name: "TrySubmit after Close", err: nil, call: closedEx(func(ex *executor.Executor) error {
			if _, ok := ex.TrySubmit(nop); ok {
				return errors.New("TrySubmit accepted a job after Close")
			}
			return nil
		})},
		{name: "Enqueue after Close", err: executor.ErrClosed, call: closedEx(func(ex *executor.Executor) error {
			_, err := ex.Enqueue(nop)
			return err
		})},
		{name: "Async after Close", err: executor.ErrClosed, call: closedEx(func(ex *executor.Executor) error {
			_, err := executor.Async(bg, ex, job)
			return err
		})},
		{name: "Exec after Close", err: executor.ErrClosed, call: closedEx(func(ex *executor.Executor) error {
			_, err := executor.Exec(bg, ex, job)
			return err
		})},
		{name: "double Close", err: nil, call: closedEx(func(ex *executor.Executor) error { return ex.Close() })},
		{name: "Shutdown after Close", err: nil, call: closedEx(func(ex *executor.Executor) error { return ex.Shutdown(bg) })},
		{name: "New in a closed parent refuses work", err: executor.ErrClosed, call: func(*testing.T) error {
			ex := executor.New(closedGroup())
			_, err := ex.Submit(bg, nop)
			return err
		}},
		{name: "Submit with a cancelled context into a full executor", err: context.Canceled, call: func(*testing.T) error {
			g := group.New(bg, quiet)
			release := make(chan struct{})
			ex := saturated(g, release)
			_, err := ex.Submit(cancelled(), nop)
			close(release)
			if cerr := ex.Close(); cerr != nil {
				return cerr
			}
			if cerr := g.Close(); cerr != nil {
				return cerr
			}
			return err
		}},
		{name: "Submit with a cancelled context that need not block runs", err: nil, call: withEx(func(ex *executor.Executor) error {
			task, err := ex.Submit(cancelled(), nop)
			if err != nil {
				return err
			}
			<-task.Done()
			return task.Err()
		})},
		{name: "Exec with a cancelled context submits nothing", err: context.Canceled, call: withEx(func(ex *executor.Executor) error {
			ran := false
			_, err := executor.Exec(cancelled(), ex, func(context.Context) (int, error) { ran = true; return 0, nil })
			if s := ex.Stats(); s.Submitted != 0 || ran {
				return fmt.Errorf("Exec with a cancelled context submitted: %+v", s)
			}
			return err
		})},
		{name: "Enqueue into a full backlog", err: executor.ErrFull, call: func(*testing.T) error {
			g := group.New(bg, quiet)
			release := make(chan struct{})
			ex := saturated(g, release, executor.Backlog(1))
			_, err := ex.Enqueue(nop) // fills the backlog
			if err == nil {
				_, err = ex.Enqueue(nop)
			}
			close(release)
			_ = ex.Close()
			_ = g.Close()
			return err
		}},
		{name: "Submit from inside a saturated executor", err: executor.ErrDeadlock, call: withEx(func(ex *executor.Executor) error {
			var err error
			task, serr := ex.Submit(bg, func(ctx context.Context) error {
				// The one worker runs this job; the first Submit fills the
				// queue, the second could never be admitted.
				if _, err = ex.Submit(ctx, nop); err != nil {
					return nil
				}
				_, err = ex.Submit(ctx, nop)
				return nil
			})
			if serr != nil {
				return serr
			}
			<-task.Done()
			return err
		}, executor.MaxWorkers(1))},
		{name: "Wait from inside a job", err: group.ErrWaitInTask, call: withEx(func(ex *executor.Executor) error {
			var err error
			task, serr := ex.Submit(bg, func(context.Context) error { err = ex.Wait(); return nil })
			if serr != nil {
				return serr
			}
			<-task.Done()
			return err
		})},
		{name: "Cancel with a cancelled context", err: context.Canceled, call: withEx(func(ex *executor.Executor) error {
			// The job has started and ignores its cancellation, so Cancel
			// cannot see it finish before its own context ends.
			release, started := make(chan struct{}), make(chan struct{})
			if _, err := ex.Submit(bg, func(context.Context) error { close(started); <-release; return nil }); err != nil {
				return err
			}
			<-started
			_, err := ex.Cancel(cancelled())
			close(release)
			return err
		}, executor.SuppressErrors())},
		{name: "RateLimiter Wait with a cancelled context", err: context.Canceled, call: func(*testing.T) error {
			return call.NewRateLimiter(1, time.Second, 0).Wait(cancelled())
		}},
		{name: "Retry with a cancelled context calls nothing", err: context.Canceled, call: func(*testing.T) error {
			calls := 0
			_, err := call.Retry(cancelled(), func(context.Context) (int, error) { calls++; return 0, errBad })
			if calls != 0 {
				return fmt.Errorf("Retry called fn %d times with a cancelled context", calls)
			}
			return err
		}},
		{name: "Map with a cancelled context yields its cause", err: context.Canceled, call: withEx(func(ex *executor.Executor) error {
			var last error
			for _, err := range executor.Map(cancelled(), ex, seqOf(1, 2, 3), func(ctx context.Context, v int) (int, error) {
				return v, blockCtx(ctx)
			}) {
				last = err
			}
			return last
		})},
	})
}

func seqOf(vs ...int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for _, v := range vs {
			if !yield(v) {
				return
			}
		}
	}
}

func TestBadInputFlow(t *testing.T) {
	bg := context.Background()
	id := func(_ context.Context, v int) (int, error) { return v, nil }
	pred := func(context.Context, int) (bool, error) { return true, nil }
	fn := func(context.Context) (int, error) { return 1, nil }
	runBadInput(t, []badInput{
		{name: "Map with nil sequence", panics: "flow: Map with a nil sequence or function", call: func(*testing.T) error {
			flow.Map[int, int](bg, nil, id, 1)
			return nil
		}},
		{name: "Map with negative limit", panics: "flow: negative limit", call: func(*testing.T) error {
			flow.Map(bg, flow.Slice([]int{1}), id, -1)
			return nil
		}},
		{name: "FlatMap with nil function", panics: "flow: FlatMap with a nil sequence or function", call: func(*testing.T) error {
			flow.FlatMap[int, int](bg, flow.Slice([]int{1}), nil, 1)
			return nil
		}},
		{name: "Filter with nil predicate", panics: "flow:", call: func(*testing.T) error {
			flow.Filter(bg, flow.Slice([]int{1}), nil, 1)
			return nil
		}},
		{name: "DropWhile with nil sequence", panics: "flow: DropWhile with a nil sequence or predicate", call: func(*testing.T) error {
			flow.DropWhile(bg, nil, pred, 1)
			return nil
		}},
		{name: "Each with nil function", panics: "flow: Each with a nil sequence or function", call: func(*testing.T) error {
			return flow.Each(bg, flow.Slice([]int{1}), nil, 1)
		}},
		{name: "Each with negative limit", panics: "flow: negative limit", call: func(*testing.T) error {
			return flow.Each(bg, flow.Slice([]int{1}), func(context.Context, int) error { return nil }, -3)
		}},
		{name: "Every with nil predicate", panics: "flow:", call: func(*testing.T) error {
			_, err := flow.Every(bg, flow.Slice([]int{1}), nil, 1)
			return err
		}},
		{name: "First with nil sequence", panics: "flow: First with a nil sequence or predicate", call: func(*testing.T) error {
			_, err := flow.First(bg, nil, pred, 0, 1)
			return err
		}},
		{name: "Reduce with nil function", panics: "flow: Reduce with a nil sequence or function", call: func(*testing.T) error {
			_, err := flow.Reduce[int, int](bg, flow.Slice([]int{1}), nil, 0)
			return err
		}},
		{name: "Collect of nil", panics: "flow: Collect of a nil sequence", call: func(*testing.T) error {
			_, err := flow.Collect[int](nil)
			return err
		}},
		{name: "Values of nil", panics: "flow: Values of a nil sequence", call: func(*testing.T) error {
			flow.Values[int](nil)
			return nil
		}},
		{name: "Gather with a nil function", panics: "flow: Gather with a nil function", call: func(*testing.T) error {
			_, err := flow.Gather(bg, 0, fn, nil)
			return err
		}},
		{name: "Gather with negative limit", panics: "flow: negative limit", call: func(*testing.T) error {
			_, err := flow.Gather(bg, -1, fn)
			return err
		}},
		{name: "Race with a nil function", panics: "flow: Race with a nil function", call: func(*testing.T) error {
			_, err := flow.Race(bg, fn, nil)
			return err
		}},
		{name: "Race of nothing", err: flow.ErrNoFunctions, call: func(*testing.T) error {
			_, err := flow.Race[int](bg)
			return err
		}},
		{name: "Repeat with negative count", panics: "flow: Repeat with a negative count", call: func(*testing.T) error {
			_, err := flow.Repeat(bg, -1, func(context.Context, int) (int, error) { return 0, nil }, 1)
			return err
		}},
		{name: "Times of zero", panics: "call: Times count must be positive", call: func(*testing.T) error {
			call.Times(0, fn)
			return nil
		}},
		{name: "Wait with unknown ReturnWhen", panics: "flow: Wait with an unknown ReturnWhen", call: func(*testing.T) error {
			_, _, err := flow.Wait[*group.Task](bg, flow.ReturnWhen(42))
			return err
		}},
		{name: "Wait with a nil task", panics: "flow: Wait with a nil task", call: func(*testing.T) error {
			_, _, err := flow.Wait(bg, flow.AllCompleted, (*group.Task)(nil))
			return err
		}},
		{name: "Gather with a cancelled context", err: context.Canceled, call: func(*testing.T) error {
			_, err := flow.Gather(cancelled(), 1, func(ctx context.Context) (int, error) { return 0, blockCtx(ctx) })
			return err
		}},
	})
}

func TestBadInputQueue(t *testing.T) {
	bg := context.Background()
	closedQ := func() *queue.Queue[int] {
		q := queue.New[int](2)
		q.Close()
		return q
	}
	runBadInput(t, []badInput{
		{name: "New with negative capacity", panics: "queue: negative capacity", call: func(*testing.T) error {
			queue.New[int](-1)
			return nil
		}},
		{name: "Put after Close", err: queue.ErrClosed, call: func(*testing.T) error { return closedQ().Put(bg, 1) }},
		{name: "TryPut after Close", err: queue.ErrClosed, call: func(*testing.T) error { return closedQ().TryPut(1) }},
		{name: "Get after Close", err: queue.ErrClosed, call: func(*testing.T) error {
			_, err := closedQ().Get(bg)
			return err
		}},
		{name: "TryGet after Close", err: queue.ErrClosed, call: func(*testing.T) error {
			_, err := closedQ().TryGet()
			return err
		}},
		{name: "GetUntilEmpty after Close", err: queue.ErrClosed, call: func(*testing.T) error {
			_, err := closedQ().GetUntilEmpty(bg)
			return err
		}},
		{name: "double Close keeps items", err: nil, call: func(*testing.T) error {
			q := queue.New[int](0)
			if err := q.Put(bg, 7); err != nil {
				return err
			}
			q.Close()
			q.Close()
			if v, err := q.Get(bg); err != nil || v != 7 {
				return fmt.Errorf("Get after double Close: %d, %v", v, err)
			}
			return nil
		}},
		{name: "TryGet on an empty queue", err: queue.ErrEmpty, call: func(*testing.T) error {
			var q queue.Queue[int]
			_, err := q.TryGet()
			return err
		}},
		{name: "TryPut on a full queue", err: queue.ErrFull, call: func(*testing.T) error {
			q := queue.New[int](1)
			if err := q.TryPut(1); err != nil {
				return err
			}
			return q.TryPut(2)
		}},
		{name: "Put with a cancelled context adds nothing", err: context.Canceled, call: func(*testing.T) error {
			q := queue.New[int](1)
			err := q.Put(cancelled(), 1)
			if q.Len() != 0 {
				return errors.New("Put with a cancelled context added its item")
			}
			return err
		}},
		{name: "Get with a cancelled context takes nothing", err: context.Canceled, call: func(*testing.T) error {
			q := queue.New[int](1)
			_ = q.TryPut(1)
			_, err := q.Get(cancelled())
			if q.Len() != 1 {
				return errors.New("Get with a cancelled context took an item")
			}
			return err
		}},
		{name: "All with a cancelled context yields its cause", err: context.Canceled, call: func(*testing.T) error {
			q := queue.New[int](1)
			_ = q.TryPut(1)
			var last error
			for _, err := range q.All(cancelled()) {
				last = err
			}
			return last
		}},
		{name: "Close wakes a blocked putter", err: queue.ErrClosed, call: func(*testing.T) error {
			q := queue.New[int](1)
			_ = q.TryPut(1)
			res := make(chan error, 1) // one send
			go func() { res <- q.Put(bg, 2) }()
			synctest.Wait()
			q.Close()
			return <-res
		}},
		{name: "Close wakes a blocked getter", err: queue.ErrClosed, call: func(*testing.T) error {
			q := queue.New[int](0)
			res := make(chan error, 1) // one send
			go func() { _, err := q.Get(bg); res <- err }()
			synctest.Wait()
			q.Close()
			return <-res
		}},
	})
}

func TestBadInputCancel(t *testing.T) {
	bg := context.Background()
	runBadInput(t, []badInput{
		{name: "Shield with nil function", panics: "cancel: nil function", call: func(*testing.T) error { return cancel.Shield(bg, nil) }},
		{name: "ShieldValue with nil function", panics: "cancel: nil function", call: func(*testing.T) error {
			_, err := cancel.ShieldValue[int](bg, nil)
			return err
		}},
		{name: "Grace negative", panics: "cancel: negative grace period", call: func(*testing.T) error { cancel.Grace(-1); return nil }},
		{name: "Timeout negative", panics: "cancel: negative timeout", call: func(*testing.T) error { return cancel.Timeout(bg, "x", -1, nop) }},
		{name: "Timeout with nil function", panics: "cancel: nil function", call: func(*testing.T) error { return cancel.Timeout(bg, "x", time.Second, nil) }},
		{name: "TimeoutValue with nil function", panics: "cancel: nil function", call: func(*testing.T) error {
			_, err := cancel.TimeoutValue[int](bg, "x", time.Second, nil)
			return err
		}},
		{name: "OnCancel with nil function", panics: "cancel: nil function", call: func(*testing.T) error { cancel.OnCancel(nil); return nil }},
		{name: "OnDone with nil function", panics: "cancel: nil function", call: func(*testing.T) error { cancel.OnDone(bg.Done(), nil); return nil }},
		{name: "Timeout of zero ends the work at once", err: context.DeadlineExceeded, call: func(*testing.T) error {
			return cancel.Timeout(bg, "zero", 0, blockCtx)
		}},
		{name: "Timeout with a cancelled context", err: context.Canceled, call: func(*testing.T) error {
			return cancel.Timeout(cancelled(), "x", time.Hour, blockCtx)
		}},
		{name: "Shield with a cancelled context runs and reports it", err: context.Canceled, call: func(*testing.T) error {
			ran := false
			err := cancel.Shield(cancelled(), func(ctx context.Context) error { ran = ctx.Err() == nil; return nil })
			if !ran {
				return errors.New("Shield did not run fn with a live context")
			}
			return err
		}},
		{name: "Scope with a deadline already past", err: cancel.ErrExpired, call: func(*testing.T) error {
			s := cancel.NewScope(bg, time.Now().Add(-time.Second))
			defer s.Cancel()
			return context.Cause(s.Context())
		}},
	})
}

func TestBadInputResource(t *testing.T) {
	bg := context.Background()
	openFn := func(_ context.Context, s *resource.Stack) (*resource.Stack, error) { return s, nil }
	runBadInput(t, []badInput{
		{name: "NewStack with nil group", panics: "resource: NewStack with nil group", call: func(*testing.T) error {
			_, err := resource.NewStack(nil)
			return err
		}},
		{name: "NewStack with nil option", panics: "resource: nil Option given to NewStack", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			_, err := resource.NewStack(&g, nil)
			return err
		}},
		{name: "NewStack on a closed group", err: resource.ErrClosed, call: func(*testing.T) error {
			_, err := resource.NewStack(closedGroup())
			return err
		}},
		{name: "OnClose with nil function", panics: "resource: OnClose with nil function", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			s, err := resource.NewStack(&g)
			if err != nil {
				return err
			}
			return s.OnClose("x", nil)
		}},
		{name: "Own with nil resource", panics: "resource: Own with nil resource", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			s, err := resource.NewStack(&g)
			if err != nil {
				return err
			}
			return s.Own("x", nil)
		}},
		{name: "OnClose after close runs the hook at once", err: resource.ErrClosed, call: func(*testing.T) error {
			var g group.Group
			s, err := resource.NewStack(&g)
			if err != nil {
				return err
			}
			if err := g.Close(); err != nil {
				return err
			}
			ran := false
			err = s.OnClose("late", func(context.Context) error { ran = true; return nil })
			if !ran {
				return errors.New("a hook registered after close never ran")
			}
			return err
		}},
		{name: "Open with nil parent", panics: "resource: Open with nil parent or function", call: func(*testing.T) error {
			_, err := resource.Open(bg, nil, "x", openFn)
			return err
		}},
		{name: "Open into a closed parent", err: resource.ErrClosed, call: func(*testing.T) error {
			var g group.Group
			s, err := resource.NewStack(&g)
			if err != nil {
				return err
			}
			_ = g.Close()
			ran := false
			_, err = resource.Open(bg, s, "x", func(_ context.Context, s *resource.Stack) (*resource.Stack, error) { ran = true; return s, nil })
			if ran {
				return errors.New("Open into a closed parent called open")
			}
			return err
		}},
		{name: "Supervise with nil job", panics: "resource: Supervise with nil group or job", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			resource.Supervise(&g, "x", nil, resource.Spec{})
			return nil
		}},
		{name: "Supervise on a closed group", err: resource.ErrClosed, call: func(*testing.T) error {
			s := resource.Supervise(closedGroup(), "x", nop, resource.Spec{})
			<-s.Done()
			return s.Err()
		}},
		{name: "After negative", panics: "resource: After needs", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			resource.After(&g, "x", -1, nop)
			return nil
		}},
		{name: "Spec Backoff Max below Base", panics: "call: Backoff with Max below Base", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			resource.Supervise(&g, "x", nop, resource.Spec{Backoff: call.Backoff{Base: 2, Max: 1}})
			return nil
		}},
		{name: "Spec Threshold negative", panics: "resource: Spec.Threshold must be finite and not negative", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			resource.Supervise(&g, "x", nop, resource.Spec{Threshold: -1})
			return nil
		}},
		{name: "Spec Delay negative", panics: "resource: Spec.Decay and Spec.Delay must not be negative", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			resource.Supervise(&g, "x", nop, resource.Spec{Delay: -1})
			return nil
		}},
		{name: "CloseTimeout negative", panics: "resource: CloseTimeout must not be negative", call: func(*testing.T) error { resource.CloseTimeout(-1); return nil }},
		{name: "DrainTimeout negative", panics: "resource: DrainTimeout must not be negative", call: func(*testing.T) error { resource.DrainTimeout(-1); return nil }},
		{name: "ShutdownTimeout negative", panics: "resource: ShutdownTimeout must not be negative", call: func(*testing.T) error { resource.ShutdownTimeout(-1); return nil }},
		{name: "Signals nil", panics: "resource: Signals with nil channel", call: func(*testing.T) error { resource.Signals(nil); return nil }},
		{name: "Output nil", panics: "resource: Output with nil writer", call: func(*testing.T) error { resource.Output(nil); return nil }},
		{name: "Serve with nil server", panics: "resource: Serve with nil group, server or listener", call: func(*testing.T) error {
			var g group.Group
			defer g.Close()
			resource.Serve(&g, nil, nil)
			return nil
		}},
		{name: "Run with nil main", panics: "resource: Run with nil context or main", call: func(*testing.T) error {
			resource.Run(bg, nil)
			return nil
		}},
		{name: "Run whose main fails exits with failure", err: nil, call: func(*testing.T) error {
			var out bytes.Buffer
			sigs := make(chan os.Signal)
			code := resource.Run(bg, func(context.Context, *resource.Stack) error { return errBad },
				resource.Output(&out), resource.Signals(sigs))
			if code != resource.ExitFailure {
				return fmt.Errorf("Run exit code %d, want %d; output %q", code, resource.ExitFailure, out.String())
			}
			return nil
		}},
	})
}

func TestBadInputObserve(t *testing.T) {
	runBadInput(t, []badInput{
		{name: "Handler with nil root", panics: "observe: Handler with a nil group", call: func(*testing.T) error {
			observe.Handler(nil)
			return nil
		}},
		{name: "Slog with nil logger", panics: "observe: Slog with a nil logger", call: func(*testing.T) error {
			observe.Slog(nil)
			return nil
		}},
	})
}
