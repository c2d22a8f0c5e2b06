package errgroup_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/group/errgroup"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

var (
	err1 = errors.New("errgroup_test: 1")
	err2 = errors.New("errgroup_test: 2")
)

// recv fails the test unless ch is closed or receives within a bound.
var recv = testkit.Recv

// waitAsync runs g.Wait in a goroutine and returns a channel that receives
// its result.
func waitAsync(g *errgroup.Group) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- g.Wait() }()
	return ch
}

// result fails the test, with every goroutine's stack, unless ch delivers
// within a bound, and returns what it delivered.
func result(t *testing.T, ch <-chan error) error {
	t.Helper()
	return testkit.Receive(t, ch, "Wait")
}

// gate returns a channel for functions to wait on and a func that closes
// it. The test closes it at cleanup too, so that a test that fails early
// leaves no function blocked.
func gate(t *testing.T) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(ch) }) }
	t.Cleanup(open)
	return ch, open
}

// done reports whether ch is closed or ready now.
func done[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestZeroGroupIsUsable(t *testing.T) {
	var g errgroup.Group
	var ran atomic.Int32
	for range 10 {
		g.Go(func() error { ran.Add(1); return nil })
	}
	require.True(t, g.TryGo(func() error { ran.Add(1); return nil }), "no limit")
	require.NoError(t, result(t, waitAsync(&g)))
	require.Equal(t, int32(11), ran.Load())
}

func TestWaitReturnsFirstError(t *testing.T) {
	// Each function returns in order, one after the other, and Wait is
	// called after each as in x/sync's TestZeroGroup.
	tests := []struct {
		name string
		errs []error
	}{
		{"none", nil},
		{"nil", []error{nil}},
		{"one error", []error{err1}},
		{"error then nil", []error{err1, nil}},
		{"nil then error", []error{nil, err1}},
		{"two errors", []error{err1, nil, err2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, viaTry := range []bool{false, true} {
				var g errgroup.Group
				var want error
				for _, err := range tt.errs {
					if viaTry {
						require.True(t, g.TryGo(func() error { return err }))
					} else {
						g.Go(func() error { return err })
					}
					if want == nil {
						want = err
					}
					require.Equal(t, want, result(t, waitAsync(&g)))
				}
				require.Equal(t, want, result(t, waitAsync(&g)))
			}
		})
	}
}

func TestWaitReturnsErrorReturnedFirstNotStartedFirst(t *testing.T) {
	g, ctx := errgroup.WithContext(context.Background())
	release1, open1 := gate(t)
	g.Go(func() error { <-release1; return err1 })
	g.Go(func() error { return err2 })
	// The context is cancelled once err2 is recorded (a deferred signal in
	// the function would come before that, and race with err1).
	recv(t, ctx.Done(), "the second function's error")
	open1()
	require.Equal(t, err2, result(t, waitAsync(g)))
}

func TestWaitBlocksUntilAllFunctionsReturn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g errgroup.Group
		release := make(chan struct{})
		var late int // written by a function, read after Wait: -race checks the ordering
		g.Go(func() error { return err1 })
		g.Go(func() error { <-release; late = 1; return nil })
		waited := waitAsync(&g)
		synctest.Wait()
		require.False(t, done(waited), "Wait returned while a function runs, although another failed")
		close(release)
		require.Equal(t, err1, <-waited)
		require.Equal(t, 1, late)
	})
}

func TestErrorDoesNotCancelOtherFunctions(t *testing.T) {
	// Without WithContext nothing is cancelled: the other functions run to
	// the end, and Go keeps starting new ones.
	var g errgroup.Group
	failed := make(chan struct{})
	g.Go(func() error { defer close(failed); return err1 })
	recv(t, failed, "failing function")
	var ran atomic.Bool
	g.Go(func() error { ran.Store(true); return nil })
	require.Equal(t, err1, result(t, waitAsync(&g)))
	require.True(t, ran.Load())
}

func TestGoFromFunctionWhileWaiting(t *testing.T) {
	var g errgroup.Group
	var count atomic.Int32
	var spawn func(depth int) func() error
	spawn = func(depth int) func() error {
		return func() error {
			count.Add(1)
			if depth > 0 {
				g.Go(spawn(depth - 1))
				g.Go(spawn(depth - 1))
			}
			return nil
		}
	}
	g.Go(spawn(6))
	require.NoError(t, result(t, waitAsync(&g)))
	require.Equal(t, int32(1<<7-1), count.Load())
}

func TestConcurrentWaitsReturnFirstError(t *testing.T) {
	var g errgroup.Group
	release, open := gate(t)
	g.Go(func() error { <-release; return err1 })
	waits := make([]<-chan error, 4)
	for i := range waits {
		waits[i] = waitAsync(&g)
	}
	open()
	for _, w := range waits {
		require.Equal(t, err1, result(t, w))
	}
}

func TestWithContextCancelledOnFirstError(t *testing.T) {
	g, ctx := errgroup.WithContext(context.Background())
	release, open := gate(t)
	g.Go(func() error { <-release; return nil })
	g.Go(func() error { return err1 })
	recv(t, ctx.Done(), "context cancelled by the first error")
	require.Equal(t, err1, context.Cause(ctx))
	require.ErrorIs(t, ctx.Err(), context.Canceled)
	g.Go(func() error { return err2 })
	open()
	require.Equal(t, err1, result(t, waitAsync(g)))
	require.Equal(t, err1, context.Cause(ctx), "the cause stays the first error")
}

func TestWithContextCancelledWhenWaitReturns(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		want      error
		wantCause error
	}{
		{"no function", nil, nil, context.Canceled},
		{"nil", []error{nil}, nil, context.Canceled},
		{"error", []error{err1}, err1, err1},
		{"error and nil", []error{err1, nil}, err1, err1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, ctx := errgroup.WithContext(context.Background())
			for _, err := range tt.errs {
				g.Go(func() error { return err })
			}
			require.Equal(t, tt.want, result(t, waitAsync(g)))
			require.True(t, done(ctx.Done()), "context cancelled when Wait returns")
			require.Equal(t, tt.wantCause, context.Cause(ctx))
		})
	}
}

func TestWithContextNotCancelledBeforeWait(t *testing.T) {
	g, ctx := errgroup.WithContext(context.Background())
	returned := make(chan struct{})
	g.Go(func() error { defer close(returned); return nil })
	recv(t, returned, "function")
	require.NoError(t, ctx.Err(), "success cancels nothing before Wait")
	require.NoError(t, result(t, waitAsync(g)))
	require.ErrorIs(t, ctx.Err(), context.Canceled)
}

func TestWithContextParentCancellationDoesNotStopGroup(t *testing.T) {
	parent, cancel := context.WithCancelCause(context.Background())
	g, ctx := errgroup.WithContext(parent)
	cancel(err2)
	recv(t, ctx.Done(), "derived context")
	require.Equal(t, err2, context.Cause(ctx))
	var ran atomic.Bool
	g.Go(func() error { ran.Store(true); return nil })
	require.NoError(t, result(t, waitAsync(g)), "Wait reports only the functions' errors")
	require.True(t, ran.Load(), "Go still runs functions")
}

func TestWithContextKeepsValues(t *testing.T) {
	type key struct{}
	g, ctx := errgroup.WithContext(context.WithValue(context.Background(), key{}, "v"))
	require.Equal(t, "v", ctx.Value(key{}))
	require.NoError(t, result(t, waitAsync(g)))
}

func TestWithContextNilPanics(t *testing.T) {
	var nilCtx context.Context
	require.NotNil(t, testkit.Catch(func() { errgroup.WithContext(nilCtx) }))
}

func TestReusableAfterWait(t *testing.T) {
	t.Run("zero group", func(t *testing.T) {
		var g errgroup.Group
		for round := range 3 {
			var ran atomic.Int32
			for range 5 {
				g.Go(func() error { ran.Add(1); return nil })
			}
			require.NoError(t, result(t, waitAsync(&g)), "round %d", round)
			require.Equal(t, int32(5), ran.Load(), "round %d", round)
		}
	})
	t.Run("first error sticks", func(t *testing.T) {
		var g errgroup.Group
		g.Go(func() error { return err1 })
		require.Equal(t, err1, result(t, waitAsync(&g)))
		var ran atomic.Bool
		g.Go(func() error { ran.Store(true); return err2 })
		require.Equal(t, err1, result(t, waitAsync(&g)), "a later error does not replace the first")
		require.True(t, ran.Load())
	})
	t.Run("with context", func(t *testing.T) {
		g, ctx := errgroup.WithContext(context.Background())
		require.NoError(t, result(t, waitAsync(g)))
		require.Error(t, ctx.Err())
		var ran atomic.Bool
		g.Go(func() error { ran.Store(true); return nil })
		require.NoError(t, result(t, waitAsync(g)))
		require.True(t, ran.Load(), "functions still run although the context is cancelled")
		require.Equal(t, context.Canceled, context.Cause(ctx))
	})
	t.Run("with limit", func(t *testing.T) {
		var g errgroup.Group
		g.SetLimit(1)
		for range 3 {
			g.Go(func() error { return nil })
			require.NoError(t, result(t, waitAsync(&g)))
		}
		g.SetLimit(2) // no goroutine is active after Wait
	})
}

func TestGoBlocksAtLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g errgroup.Group
		g.SetLimit(2)
		release := make(chan struct{})
		var running, peak atomic.Int32
		body := func() error {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			<-release
			running.Add(-1)
			return nil
		}
		g.Go(body)
		g.Go(body)
		third := make(chan struct{})
		go func() { g.Go(body); close(third) }()
		synctest.Wait()
		require.False(t, done(third), "Go returned although the limit is reached")
		require.Equal(t, int32(2), running.Load())
		close(release)
		<-third
		require.NoError(t, g.Wait())
		require.Equal(t, int32(2), peak.Load())
	})
}

func TestGoRespectsLimitUnderLoad(t *testing.T) {
	const limit = 4
	var g errgroup.Group
	g.SetLimit(limit)
	var active atomic.Int32
	for range 500 {
		g.Go(func() error {
			defer active.Add(-1)
			if n := active.Add(1); n > limit {
				return errors.New("limit exceeded")
			}
			runtime.Gosched()
			return nil
		})
	}
	require.NoError(t, result(t, waitAsync(&g)))
}

func TestTryGoReportsWhetherStarted(t *testing.T) {
	tests := []struct {
		limit int
		want  int // how many TryGo calls succeed while none returns; -1: all
	}{
		{limit: -1, want: -1},
		{limit: 0, want: 0},
		{limit: 1, want: 1},
		{limit: 3, want: 3},
	}
	for _, tt := range tests {
		t.Run("limit="+strconv.Itoa(tt.limit), func(t *testing.T) {
			var g errgroup.Group
			g.SetLimit(tt.limit)
			release, open := gate(t)
			started := 0
			for range 10 {
				if g.TryGo(func() error { <-release; return nil }) {
					started++
				}
			}
			want := tt.want
			if want < 0 {
				want = 10
			}
			require.Equal(t, want, started)
			open()
			require.NoError(t, result(t, waitAsync(&g)))
			if tt.limit != 0 {
				require.True(t, g.TryGo(func() error { return nil }), "a slot is free after Wait")
				require.NoError(t, result(t, waitAsync(&g)))
			}
		})
	}
}

func TestTryGoFreesSlotWhenFunctionReturns(t *testing.T) {
	var g errgroup.Group
	g.SetLimit(1)
	returned := make(chan struct{})
	require.True(t, g.TryGo(func() error { close(returned); return nil }))
	recv(t, returned, "function")
	// The slot is given back just after the function returns, without a
	// Wait.
	deadline := time.Now().Add(testkit.Bound)
	for !g.TryGo(func() error { return nil }) {
		require.True(t, time.Now().Before(deadline), "slot not given back")
		runtime.Gosched()
	}
	require.NoError(t, result(t, waitAsync(&g)))
}

func TestSetLimitNegativeMeansNoLimit(t *testing.T) {
	var g errgroup.Group
	g.SetLimit(1)
	g.SetLimit(-1)
	const n = 50
	release, open := gate(t)
	var started sync.WaitGroup
	started.Add(n)
	for range n {
		g.Go(func() error { started.Done(); <-release; return nil })
	}
	allStarted := make(chan struct{})
	go func() { started.Wait(); close(allStarted) }()
	recv(t, allStarted, "all functions started together")
	open()
	require.NoError(t, result(t, waitAsync(&g)))
}

func TestSetLimitZeroBlocksGo(t *testing.T) {
	// Not possible with x/sync: a new limit lets the waiting Go in.
	for _, then := range []int{1, 2, -1} {
		t.Run("then "+strconv.Itoa(then), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g errgroup.Group
				g.SetLimit(0)
				require.False(t, g.TryGo(func() error { return nil }))
				started := make(chan struct{})
				returned := make(chan struct{})
				go func() { g.Go(func() error { close(started); return nil }); close(returned) }()
				synctest.Wait()
				require.False(t, done(returned), "Go returned under a limit of zero")
				require.False(t, done(started))
				g.SetLimit(then)
				<-returned
				<-started
				require.NoError(t, g.Wait())
			})
		})
	}
}

func TestSetLimitWhileActivePanics(t *testing.T) {
	tests := []struct {
		name  string
		first int // limit in force when the function starts
		then  int
		panic bool
	}{
		{"limit to limit", 1, 2, true},
		{"limit to zero", 3, 0, true},
		{"no limit to limit", -1, 5, true}, // a data race in x/sync
		{"limit to no limit", 2, -1, false},
		{"no limit to no limit", -1, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g errgroup.Group
			g.SetLimit(tt.first)
			release, open := gate(t)
			g.Go(func() error { <-release; return nil })
			got := testkit.Catch(func() { g.SetLimit(tt.then) })
			open()
			require.NoError(t, result(t, waitAsync(&g)))
			if !tt.panic {
				require.Nil(t, got)
				return
			}
			err, ok := got.(error)
			require.True(t, ok, "panics with an error, as x/sync: %v", got)
			require.EqualError(t, err, "errgroup: modify limit while 1 goroutines in the group are still active")
			g.SetLimit(tt.then) // allowed once nothing is active
		})
	}
}

func TestSetLimitToNoLimitWhileActiveReleasesOldSlots(t *testing.T) {
	var g errgroup.Group
	g.SetLimit(1)
	release, open := gate(t)
	g.Go(func() error { <-release; return nil })
	g.SetLimit(-1)
	g.Go(func() error { <-release; return nil }) // does not block
	open()
	require.NoError(t, result(t, waitAsync(&g)))
	g.SetLimit(1) // every slot was given back
	require.True(t, g.TryGo(func() error { return nil }))
	require.NoError(t, result(t, waitAsync(&g)))
}

func TestGoexitIsNotAnError(t *testing.T) {
	var g errgroup.Group
	g.SetLimit(1)
	g.Go(func() error { runtime.Goexit(); return err1 })
	require.NoError(t, result(t, waitAsync(&g)))
	require.True(t, g.TryGo(func() error { return nil }), "the slot was given back")
	require.NoError(t, result(t, waitAsync(&g)))
}

func TestWaitFromOwnFunctionReturnsErrWaitInTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g errgroup.Group
		got := make(chan error, 1)
		g.Go(func() error { got <- g.Wait(); return nil })
		require.ErrorIs(t, <-got, group.ErrWaitInTask)
		require.NoError(t, g.Wait())
	})
}

func TestFunctionMayWaitForAnotherGroup(t *testing.T) {
	var outer errgroup.Group
	outer.Go(func() error {
		var inner errgroup.Group
		inner.Go(func() error { return err1 })
		return inner.Wait()
	})
	require.Equal(t, err1, result(t, waitAsync(&outer)))
}

func TestConcurrentUse(t *testing.T) {
	// Go, TryGo and Wait from many goroutines at once, across generations:
	// every function runs exactly once and every Wait after the first
	// error returns it. Run with -race.
	var g errgroup.Group
	var ran atomic.Int64
	var callers sync.WaitGroup
	for c := range 4 {
		callers.Go(func() {
			for i := range 200 {
				if i == 100 && c == 0 {
					g.Go(func() error { ran.Add(1); return err1 })
				} else if !g.TryGo(func() error { ran.Add(1); return nil }) {
					t.Error("TryGo without a limit reported false")
				}
				if i%50 == 49 {
					if err := g.Wait(); err != nil && err != err1 {
						t.Errorf("Wait returned %v", err)
					}
				}
			}
		})
	}
	testkit.Within(t, "the callers", callers.Wait)
	require.Equal(t, err1, result(t, waitAsync(&g)))
	require.Equal(t, int64(800), ran.Load())
}
