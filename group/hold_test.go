package group_test

import (
	"context"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

func TestHoldAdmitsWithoutStarting(t *testing.T) {
	g := group.New(context.Background())
	ran := make(chan struct{})
	task := g.Go(func(context.Context) error { close(ran); return nil }, groupctl.Hold.(group.Option), group.Name("later"))
	require.Equal(t, group.Pending, task.State())
	require.Equal(t, group.Stats{Spawned: 1, Running: 1}, g.Stats(), "a held task counts as running")
	notClosed(t, ran, "held task")

	require.True(t, groupctl.StartHeld(task))
	recv(t, ran, "started task")
	require.False(t, groupctl.StartHeld(task), "Start does nothing after the first call")
	require.NoError(t, wait(t, g))
	require.Equal(t, group.Succeeded, task.State())
}

func TestStartPanicsOnATaskNotHeld(t *testing.T) {
	var g group.Group
	task := g.Go(func(context.Context) error { return nil })
	require.PanicsWithValue(t, "group: Task.Start or Task.Run on a task not made with Hold", func() { groupctl.StartHeld(task) })
	require.NoError(t, wait(t, &g))
}

func TestCancelledHeldTaskNeverRuns(t *testing.T) {
	g := group.New(context.Background())
	task := g.Go(func(context.Context) error { panic("must not run") }, groupctl.Hold.(group.Option))
	task.Cancel()
	require.Equal(t, group.Canceled, task.State(), "accounted for at once")
	require.ErrorIs(t, task.Err(), group.ErrCanceled)
	require.False(t, groupctl.StartHeld(task))
	require.NoError(t, wait(t, g))
	require.Equal(t, group.Stats{Spawned: 1, Canceled: 1}, g.Stats())
}

func TestClosingDropsHeldTasks(t *testing.T) {
	g := group.New(context.Background())
	sub := g.Subgroup()
	a := g.Go(func(context.Context) error { panic("must not run") }, groupctl.Hold.(group.Option))
	b := group.Async(sub, func(context.Context) (int, error) { panic("must not run") }, groupctl.Hold.(group.Option))
	require.NoError(t, closeAndWait(t, g))
	require.Equal(t, group.Canceled, a.State())
	_, err := result(t, b)
	require.ErrorIs(t, err, group.ErrCanceled)
	require.False(t, groupctl.StartHeld(a))
	require.False(t, groupctl.StartHeld(&b.Task))
	require.Equal(t, group.Stats{Spawned: 1, Canceled: 1}, sub.Stats())
}

func TestShutdownWaitsForHeldTasksToBeStarted(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		task := g.Go(func(context.Context) error { return nil }, groupctl.Hold.(group.Option))
		go func() {
			time.Sleep(time.Second)
			groupctl.StartHeld(task)
		}()
		require.NoError(t, g.Shutdown(context.Background()))
		require.Equal(t, group.Succeeded, task.State())
	})
}

func TestTaskContextEndsWithItsCause(t *testing.T) {
	t.Run("group timeout", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background(), group.Timeout(time.Second))
			errs := make(chan error, 2)
			g.Go(func(ctx context.Context) error {
				<-ctx.Done()
				errs <- ctx.Err()
				errs <- context.Cause(ctx)
				return ctx.Err()
			})
			require.ErrorIs(t, g.Wait(), context.DeadlineExceeded)
			require.Equal(t, context.DeadlineExceeded, <-errs)
			require.ErrorIs(t, <-errs, context.DeadlineExceeded)
		})
	})
	t.Run("after the task returned", func(t *testing.T) {
		var g group.Group
		ctxs := make(chan context.Context, 1)
		recv(t, g.Go(func(ctx context.Context) error { ctxs <- ctx; return nil }).Done(), "task")
		ctx := take(t, ctxs)
		recv(t, ctx.Done(), "context of a finished task")
		require.Equal(t, context.Canceled, ctx.Err())
		require.NoError(t, wait(t, &g))
	})
	t.Run("derived after the context ended", func(t *testing.T) {
		g := group.New(context.Background())
		up := make(chan struct{})
		checked := make(chan error, 1)
		task := g.Go(func(ctx context.Context) error {
			close(up)
			<-ctx.Done()
			child, stop := context.WithTimeout(ctx, time.Hour)
			defer stop()
			fired := make(chan struct{})
			context.AfterFunc(ctx, func() { close(fired) })
			<-child.Done()
			<-fired
			checked <- context.Cause(child)
			return ctx.Err()
		})
		recv(t, up, "task")
		task.Cancel()
		require.ErrorIs(t, take(t, checked), group.ErrCanceled)
		require.NoError(t, closeAndWait(t, g))
	})
	t.Run("stopped AfterFunc does not run", func(t *testing.T) {
		g := group.New(context.Background())
		ran := make(chan struct{}, 1)
		registered := make(chan struct{})
		var stopped bool // written before registered is closed
		g.Go(func(ctx context.Context) error {
			stop := context.AfterFunc(ctx, func() { ran <- struct{}{} })
			stopped = stop()
			close(registered)
			<-ctx.Done()
			return ctx.Err()
		})
		recv(t, registered, "registration")
		require.True(t, stopped)
		require.NoError(t, closeAndWait(t, g))
		require.Empty(t, ran)
	})
}

func TestRunRunsHeldTasksInTheCallingGoroutine(t *testing.T) {
	g := group.New(context.Background(), quietPanics(nil), group.PanicsAsErrors(), group.OnError(func(error) {}))
	var order []int
	var tasks []*group.Task
	for i := range 3 {
		tasks = append(tasks, g.Go(func(context.Context) error {
			order = append(order, i) // no lock: Run is synchronous
			if i == 1 {
				panic("recovered by Run")
			}
			return nil
		}, groupctl.Hold.(group.Option)))
	}
	tasks[2].Cancel()
	for _, task := range tasks {
		groupctl.RunHeld(task)
	}
	require.Equal(t, []int{0, 1}, order, "a cancelled held task does not run")
	require.Equal(t, group.Succeeded, tasks[0].State())
	require.Equal(t, group.Failed, tasks[1].State())
	require.Equal(t, group.Canceled, tasks[2].State())
	require.False(t, groupctl.RunHeld(tasks[0]), "a task runs once")
	require.NoError(t, closeAndWait(t, g))
	require.Equal(t, group.Stats{Spawned: 3, Succeeded: 1, Failed: 1, Canceled: 1}, g.Stats())
}

func TestRefusedHeldTaskCannotBeStarted(t *testing.T) {
	var g group.Group
	g.Cancel()
	task := g.Go(func(context.Context) error { panic("must not run") }, groupctl.Hold.(group.Option))
	require.Equal(t, group.Refused, task.State())
	require.False(t, groupctl.StartHeld(task))
	require.False(t, groupctl.RunHeld(task))
	require.NoError(t, wait(t, &g))
	require.Equal(t, group.Stats{Spawned: 1, Refused: 1}, g.Stats())
}
