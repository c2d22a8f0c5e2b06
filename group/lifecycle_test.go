package group_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

func TestZeroValueIsOpenRootGroup(t *testing.T) {
	var g group.Group
	require.Equal(t, group.Open, g.State())
	require.NoError(t, g.Context().Err())
	require.Nil(t, g.Cause())
	ran := make(chan struct{})
	g.Go(func(context.Context) error { close(ran); return nil })
	recv(t, ran, "task")
	require.NoError(t, wait(t, &g))
	require.Equal(t, group.Closed, g.State())
	require.ErrorIs(t, g.Cause(), group.ErrClosed)
}

func TestEmbeddedByValue(t *testing.T) {
	type server struct {
		group.Group
		name string
	}
	s := &server{name: "s"}
	s.Go(func(ctx context.Context) error { return blockUntilCancelled(ctx) })
	require.NoError(t, closeAndWait(t, s))
	require.Equal(t, group.Closed, s.State())
}

func TestStatesMoveForwardAndChannelsCloseOnce(t *testing.T) {
	g := group.New(context.Background())
	release := make(chan struct{})
	g.Go(func(context.Context) error { <-release; return nil })
	notClosed(t, g.Closing(), "Closing")
	notClosed(t, g.Done(), "Done")

	g.Cancel()
	recv(t, g.Closing(), "Closing")
	require.Equal(t, group.Closing, g.State())
	notClosed(t, g.Done(), "Done") // the task ignores its cancellation for now

	close(release)
	recv(t, g.Done(), "Done")
	require.Equal(t, group.Closed, g.State())
	g.Cancel()
	require.NoError(t, closeAndWait(t, g))
	require.Equal(t, group.Closed, g.State())
}

func TestStateString(t *testing.T) {
	tests := []struct {
		give fmtStringer
		want string
	}{
		{group.Open, "open"},
		{group.Closing, "closing"},
		{group.Closed, "closed"},
		{group.State(9), "State(?)"},
		{group.Pending, "pending"},
		{group.Running, "running"},
		{group.Succeeded, "succeeded"},
		{group.Failed, "failed"},
		{group.Canceled, "canceled"},
		{group.Refused, "refused"},
		{group.TaskState(9), "TaskState(?)"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.give.String())
	}
}

type fmtStringer interface{ String() string }

func TestGoOnClosedGroupIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name  string
		close func(*group.Group)
	}{
		{"after Cancel", (*group.Group).Cancel},
		{"after Close", func(g *group.Group) { _ = g.Close() }},
		{"after Wait", func(g *group.Group) { _ = g.Wait() }},
		{"after Shutdown", func(g *group.Group) { _ = g.Shutdown(context.Background()) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var g group.Group
			tt.close(&g)
			ran := false
			task := g.Go(func(context.Context) error { ran = true; return nil })
			recv(t, task.Done(), "refused task")
			require.Equal(t, group.Refused, task.State())
			require.ErrorIs(t, task.Err(), group.ErrClosed)
			f := group.Async(&g, func(context.Context) (int, error) { return 1, nil })
			v, err := result(t, f)
			require.ErrorIs(t, err, group.ErrClosed)
			require.Equal(t, 0, v)
			require.ErrorIs(t, g.Start(context.Background(), func(context.Context, func()) error { return nil }), group.ErrClosed)
			require.NoError(t, wait(t, &g))
			require.False(t, ran)
			require.Equal(t, group.Stats{Spawned: 3, Refused: 3}, g.Stats())
		})
	}
}

func TestWaitLetsTasksStartTasks(t *testing.T) {
	var g group.Group
	var mu sync.Mutex
	count := 0
	var spawn func(depth int) func(context.Context) error
	spawn = func(depth int) func(context.Context) error {
		return func(context.Context) error {
			mu.Lock()
			count++
			mu.Unlock()
			if depth > 0 {
				g.Go(spawn(depth - 1))
				g.Go(spawn(depth - 1))
			}
			return nil
		}
	}
	g.Go(spawn(6))
	require.NoError(t, wait(t, &g))
	require.Equal(t, 127, count)
	require.Equal(t, int64(127), g.Stats().Succeeded)
}

func TestWaitDoesNotCancel(t *testing.T) {
	var g group.Group
	release := make(chan struct{})
	task := g.Go(func(ctx context.Context) error {
		<-release
		return ctx.Err()
	})
	waited := make(chan error, 1)
	go func() { waited <- g.Wait() }()
	close(release)
	select {
	case err := <-waited:
		require.NoError(t, err)
	case <-recvTimeout():
		t.Fatal("Wait did not return")
	}
	require.Equal(t, group.Succeeded, task.State())
}

func TestEndingCallsAreIdempotentAndConcurrent(t *testing.T) {
	boom := errors.New("boom")
	g := group.New(context.Background())
	for range 10 {
		g.Go(blockUntilCancelled)
	}
	g.Go(func(context.Context) error { return boom })
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			switch i % 4 {
			case 0:
				errs <- g.Close()
			case 1:
				errs <- g.Wait()
			case 2:
				g.Cancel()
				errs <- g.Wait()
			case 3:
				errs <- g.Shutdown(context.Background())
			}
		})
	}
	waitAll(t, &wg)
	close(errs)
	for err := range errs {
		require.ErrorIs(t, err, boom)
	}
	require.Equal(t, group.Closed, g.State())
}

func TestTasksGetTheGroupContextNotTheCallers(t *testing.T) {
	type key struct{}
	parent := context.WithValue(context.Background(), key{}, "parent")
	g := group.New(parent)
	caller, stop := context.WithCancel(context.WithValue(context.Background(), key{}, "caller"))
	got := make(chan any, 1)
	_ = caller
	g.Go(func(ctx context.Context) error {
		got <- ctx.Value(key{})
		return nil
	})
	stop()
	require.NoError(t, wait(t, g))
	require.Equal(t, "parent", take(t, got))
}

func TestNewPanicsOnNilContext(t *testing.T) {
	//lint:ignore SA1012 testing the documented panic
	require.PanicsWithValue(t, "group: New with nil context", func() { group.New(nil) })
}

func TestNilFunctionsPanic(t *testing.T) {
	var g group.Group
	defer g.Close()
	require.PanicsWithValue(t, "group: Go with nil function", func() { g.Go(nil) })
	require.PanicsWithValue(t, "group: Start with nil function", func() { _ = g.Start(context.Background(), nil) })
	require.PanicsWithValue(t, "group: Async with nil group or function", func() { group.Async[int](&g, nil) })
	require.PanicsWithValue(t, "group: OnError handler is nil", func() { group.OnError(nil) })
	require.PanicsWithValue(t, "group: OnPanic hook is nil", func() { group.OnPanic(nil) })
	require.PanicsWithValue(t, "group: Timeout must be positive", func() { group.Timeout(0) })
	require.PanicsWithValue(t, "group: ShutdownGrace must not be negative", func() { group.ShutdownGrace(-1) })
	require.PanicsWithValue(t, "group: nil Option", func() { group.New(context.Background(), nil) })
	require.PanicsWithValue(t, "group: nil Option given to a task", func() { g.Go(func(context.Context) error { return nil }, nil) })
	require.PanicsWithValue(t, "group: a group's Option given to a task: only Name applies to a task", func() {
		g.Go(func(context.Context) error { return nil }, group.PanicsAsErrors())
	})
}

func TestNames(t *testing.T) {
	g := group.New(context.Background(), group.Name("server"))
	defer g.Close()
	require.Equal(t, "server", g.Name())
	sub := g.Subgroup()
	require.Regexp(t, `^#\d+$`, sub.Name())
	task := g.Go(func(context.Context) error { return nil }, group.Name("listener"))
	require.Equal(t, "listener", task.Name())
	require.Empty(t, g.Go(func(context.Context) error { return nil }).Name())
}

// Asking for a task's (or its context's) Done channel while the task ends
// must close it exactly once, whoever comes first.
func TestDoneChannelsRacingTheEnd(t *testing.T) {
	g := group.New(context.Background())
	for range 2000 {
		ctxs := make(chan context.Context, 1)
		task := g.Go(func(ctx context.Context) error { ctxs <- ctx; return nil })
		ctx := take(t, ctxs)
		var wg sync.WaitGroup
		wg.Go(func() { <-task.Done() })
		wg.Go(func() { <-ctx.Done() })
		waitAll(t, &wg)
	}
	require.NoError(t, closeAndWait(t, g))
}
