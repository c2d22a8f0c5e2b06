package resource_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

func TestStack_hooksRunInReverseOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		s, err := resource.NewStack(g)
		require.NoError(t, err)
		var j journal
		for _, name := range []string{"a", "b", "c"} {
			require.NoError(t, s.OnClose(name, func(context.Context) error {
				j.add(name)
				return nil
			}))
		}
		synctest.Wait()
		require.Empty(t, j.get(), "hooks ran before the group closed")
		require.NoError(t, s.Close())
		require.Equal(t, []string{"c", "b", "a"}, j.get())
		require.Equal(t, group.Closed, s.State())
	})
}

func TestStack_hooksAreShieldedAndBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.WithValue(context.Background(), key{}, "v"))
		s, err := resource.NewStack(g, resource.CloseTimeout(3*time.Second))
		require.NoError(t, err)
		start := time.Now()
		var (
			errAtClose, value any
			deadline          time.Time
		)
		require.NoError(t, s.OnClose("hook", func(ctx context.Context) error {
			errAtClose = ctx.Err()
			value = ctx.Value(key{})
			deadline, _ = ctx.Deadline()
			return nil
		}))
		require.NoError(t, s.Close())
		require.Nil(t, errAtClose, "the hook saw the cancellation that closed the group")
		require.Equal(t, "v", value)
		require.Equal(t, start.Add(3*time.Second), deadline)
	})
}

type key struct{}

func TestStack_hookErrorsCombineIntoClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errA, errB := errors.New("a failed"), errors.New("b failed")
		s, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		require.NoError(t, s.OnClose("a", func(context.Context) error { return errA }))
		require.NoError(t, s.OnClose("b", func(context.Context) error { return errB }))
		require.NoError(t, s.OnClose("ok", func(context.Context) error { return nil }))
		err = s.Close()
		require.ErrorIs(t, err, errA)
		require.ErrorIs(t, err, errB)
		require.Contains(t, err.Error(), "task b: b failed")
		require.Contains(t, err.Error(), "task a: a failed")
	})
}

func TestStack_hungHookDoesNotHoldUpTheOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()), resource.CloseTimeout(time.Second))
		require.NoError(t, err)
		start := time.Now()
		var firstRan time.Time
		require.NoError(t, s.OnClose("first", func(context.Context) error {
			firstRan = time.Now()
			return nil
		}))
		// Registered last, runs first, and ignores its deadline.
		release := make(chan struct{})
		var hungEnded time.Time
		require.NoError(t, s.OnClose("hung", func(context.Context) error {
			<-release
			hungEnded = time.Now()
			return nil
		}))
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		time.Sleep(time.Second) // fake time: exactly the hung hook's deadline
		synctest.Wait()
		require.Equal(t, start.Add(time.Second), firstRan, "the next hook started at the hung hook's deadline")
		select {
		case <-closed:
			require.FailNow(t, "Close returned while a hook still ran")
		default:
		}
		time.Sleep(time.Hour)
		close(release)
		err = <-closed
		require.Equal(t, start.Add(time.Hour+time.Second), hungEnded)
		// The hung hook's deadline passed before it returned: reported.
		require.ErrorIs(t, err, cancel.ErrGraceExceeded)
		require.Contains(t, err.Error(), "task hung: ")
	})
}

func TestStack_hookThatRespectsItsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()), resource.CloseTimeout(2*time.Second))
		require.NoError(t, err)
		start := time.Now()
		var ended time.Time
		require.NoError(t, s.OnClose("slow", func(ctx context.Context) error {
			<-ctx.Done()
			ended = time.Now()
			return ctx.Err()
		}))
		err = s.Close()
		require.Equal(t, start.Add(2*time.Second), ended)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestStack_onCloseAfterCloseRunsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		require.NoError(t, s.Close())
		ran := false
		err = s.OnClose("late", func(ctx context.Context) error {
			ran = true
			_, ok := ctx.Deadline()
			require.True(t, ok, "a late hook is bounded too")
			return nil
		})
		require.True(t, ran)
		require.ErrorIs(t, err, resource.ErrClosed)

		errLate := errors.New("late failed")
		err = s.OnClose("late", func(context.Context) error { return errLate })
		require.ErrorIs(t, err, resource.ErrClosed)
		require.ErrorIs(t, err, errLate)
		require.Contains(t, err.Error(), `"late"`)
	})
}

func TestStack_hookAddedByAHookRunsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		var j journal
		require.NoError(t, s.OnClose("outer", func(context.Context) error {
			j.add("outer")
			err := s.OnClose("inner", func(context.Context) error { j.add("inner"); return nil })
			if !errors.Is(err, resource.ErrClosed) {
				return fmt.Errorf("want ErrClosed, got %v", err)
			}
			return nil
		}))
		require.NoError(t, s.Close())
		require.Equal(t, []string{"outer", "inner"}, j.get())
	})
}

func TestStack_gracefulShutdownRunsHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		start := time.Now()
		ran := false
		require.NoError(t, s.OnClose("hook", func(context.Context) error { ran = true; return nil }))
		require.NoError(t, s.Shutdown(context.Background()))
		require.True(t, ran)
		require.Equal(t, start, time.Now(), "Shutdown waited for nothing")
	})
}

func TestStack_shutdownNamesAStuckHook(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background(), group.ShutdownGrace(time.Second)),
			resource.CloseTimeout(time.Minute))
		require.NoError(t, err)
		release := make(chan struct{})
		require.NoError(t, s.OnClose("stuck", func(context.Context) error { <-release; return nil }))
		ctx, stop := context.WithTimeout(context.Background(), time.Second)
		defer stop()
		err = s.Shutdown(ctx)
		var se *group.ShutdownError
		require.ErrorAs(t, err, &se)
		var names []string
		for _, st := range se.Stuck {
			names = append(names, st.Task)
		}
		// The hook, and the Stack's own task that waits for its turn to end.
		require.Len(t, names, 2)
		require.Contains(t, names[0]+names[1], "/stuck")
		close(release)
		require.NoError(t, s.Close())
	})
}

func TestStack_ownClosesResourcesInReverseOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		var j journal
		for _, name := range []string{"db", "cache", "http"} {
			r, err := resource.NewStack(group.New(context.Background()))
			require.NoError(t, err)
			require.NoError(t, r.OnClose(name, func(context.Context) error { j.add(name); return nil }))
			require.NoError(t, s.Own(name, r))
		}
		require.NoError(t, s.Close())
		require.Equal(t, []string{"http", "cache", "db"}, j.get())
	})
}

func TestStack_ownedResourceFailureFailsTheGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		child := group.New(context.Background())
		require.NoError(t, s.Own("child", child))
		errBroken := errors.New("broken")
		child.Go(func(context.Context) error { return errBroken })
		synctest.Wait()
		require.Equal(t, group.Closed, child.State())
		require.NotEqual(t, group.Open, s.State(), "the owner did not fail fast")
		err = s.Close()
		require.ErrorIs(t, err, errBroken)
	})
}

func TestStack_ownAfterCloseClosesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		require.NoError(t, s.Close())
		child := group.New(context.Background())
		require.ErrorIs(t, s.Own("child", child), resource.ErrClosed)
		require.Equal(t, group.Closed, child.State())
	})
}

func TestNewStack_closedGroup(t *testing.T) {
	g := group.New(context.Background())
	require.NoError(t, g.Close())
	s, err := resource.NewStack(g)
	require.ErrorIs(t, err, resource.ErrClosed)
	require.Nil(t, s)
}

func TestStack_badInput(t *testing.T) {
	g := group.New(context.Background())
	defer g.Close()
	s, err := resource.NewStack(g)
	require.NoError(t, err)
	require.PanicsWithValue(t, "resource: NewStack with nil group", func() { _, _ = resource.NewStack(nil) })
	require.PanicsWithValue(t, "resource: nil Option given to NewStack", func() { _, _ = resource.NewStack(g, nil) })
	require.PanicsWithValue(t, "resource: CloseTimeout must not be negative", func() { resource.CloseTimeout(-1) })
	require.PanicsWithValue(t, "resource: OnClose with nil function", func() { _ = s.OnClose("x", nil) })
	require.PanicsWithValue(t, "resource: Own with nil resource", func() { _ = s.Own("x", nil) })
}

// Pins behaviour: OnClose racing with Close: every hook runs exactly once,
// whether it was taken by the closing sequence or run at once, and Close
// returns.
func TestStack_onCloseRacingClose(t *testing.T) {
	for range 50 {
		s, err := resource.NewStack(group.New(context.Background()), resource.CloseTimeout(time.Second))
		require.NoError(t, err)
		var ran atomic.Int64
		var wg sync.WaitGroup
		const n = 20
		for range n {
			wg.Go(func() {
				_ = s.OnClose("h", func(context.Context) error { ran.Add(1); return nil })
			})
		}
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		wg.Wait()
		require.NoError(t, recv(t, closed, "Close"))
		require.EqualValues(t, n, ran.Load())
	}
}

// A Stack's own tasks (its closing sequence, a close hook at its turn)
// show in snapshots as internal, the program's tasks do not; a hook whose
// turn has not come is no task at all.
func TestStackTasksShowAsInternal(t *testing.T) {
	g := group.New(context.Background())
	s, err := resource.NewStack(g)
	require.NoError(t, err)
	flushing := make(chan struct{})
	release := make(chan struct{})
	require.NoError(t, s.OnClose("flush", func(context.Context) error { close(flushing); <-release; return nil }))
	g.Go(func(ctx context.Context) error { <-ctx.Done(); return nil }, group.Name("serve"))
	internal := func() map[string]bool {
		m := map[string]bool{}
		for _, tk := range g.Snapshot().Tasks {
			m[tk.Name] = tk.Internal
		}
		return m
	}
	require.Equal(t, map[string]bool{"resource.stack": true, "serve": false}, internal())

	closed := make(chan error, 1)
	go func() { closed <- g.Close() }()
	recv(t, flushing, "the hook's turn")
	require.Equal(t, true, internal()["flush"], "a hook at its turn is an internal task")
	require.Regexp(t, `"flush" [a-z]+[^\n]*\(internal\)`, g.Snapshot().String())
	close(release)
	require.NoError(t, recv(t, closed, "Close"))
}

// A close hook costs no goroutine until its turn.
func TestStackHooksParkNoGoroutine(t *testing.T) {
	g := group.New(context.Background())
	s, err := resource.NewStack(g)
	require.NoError(t, err)
	before := runtime.NumGoroutine()
	var ran atomic.Int32
	const n = 1000
	for range n {
		require.NoError(t, s.OnClose("h", func(context.Context) error { ran.Add(1); return nil }))
	}
	require.Less(t, runtime.NumGoroutine()-before, 10, "goroutines started by %d hooks", n)
	require.NoError(t, g.Close())
	require.EqualValues(t, n, ran.Load())
}

// A Stack's own tasks wait for its group to leave Open; they must not keep
// the group's Wait for ever once the program's tasks are done: Wait then
// closes the Stack gracefully (its hooks run) and returns. (Inside the
// bubble, a Wait that never returned would fail the test as a deadlock.)
func TestWaitClosesAnIdleStack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		s, err := resource.NewStack(g)
		require.NoError(t, err)
		var order []string
		require.NoError(t, s.OnClose("first", func(context.Context) error { order = append(order, "first"); return nil }))
		require.NoError(t, s.OnClose("second", func(context.Context) error { order = append(order, "second"); return nil }))
		g.Go(func(context.Context) error { time.Sleep(time.Second); return nil })
		require.NoError(t, g.Wait())
		require.Equal(t, []string{"second", "first"}, order, "hooks ran, newest first")
		require.Equal(t, group.Closed, g.State())
	})
}

// An owned resource that overruns its CloseTimeout does not hold up the
// entries registered before it: their turn comes when its time is up.
func TestStackOwnedResourceOverrunDoesNotHoldUpOlderEntries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		s, err := resource.NewStack(g, resource.CloseTimeout(time.Second))
		require.NoError(t, err)
		var olderAt time.Duration
		start := time.Now()
		require.NoError(t, s.OnClose("older", func(context.Context) error { olderAt = time.Since(start); return nil }))
		slow := group.New(context.Background(), group.ShutdownGrace(time.Hour))
		slow.Go(func(context.Context) error { time.Sleep(time.Hour); return nil }) // ignores its cancellation
		require.NoError(t, s.Own("slow", slow))
		start = time.Now()
		_ = g.Close()
		require.Equal(t, time.Second, olderAt)
	})
}
