package group_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// Pins behaviour: every task that reaches a final state is heard
// of exactly once by the observer, whether it returned, panicked, called
// runtime.Goexit (in its goroutine or through Task.Run), was refused, was
// a held task cancelled before it started, or was dropped by the group's
// cancellation while held; and no start event is heard for a task that
// never ran.
func TestObserverHearsOneEndPerTask(t *testing.T) {
	var mu sync.Mutex
	ends := map[*group.Task]int{}
	starts := map[*group.Task]int{}
	obs := func(e group.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case group.TaskStarted:
			starts[e.Task]++
		case group.TaskSucceeded, group.TaskFailed, group.TaskPanicked, group.TaskCanceled, group.TaskRefused:
			ends[e.Task]++
		}
	}
	g := group.New(context.Background(), group.Observe(obs), group.PanicsAsErrors(), quietPanics(nil),
		group.OnError(func(error) {}))
	var tasks []*group.Task
	tasks = append(tasks,
		g.Go(func(context.Context) error { return nil }),
		g.Go(func(context.Context) error { return errors.New("x") }),
		g.Go(func(context.Context) error { panic("p") }),
		g.Go(func(context.Context) error { runtime.Goexit(); return nil }),
	)
	held := g.Go(func(context.Context) error { panic("must not run") }, groupctl.Hold.(group.Option))
	held.Cancel()
	tasks = append(tasks, held)
	viaRun := g.Go(func(context.Context) error { runtime.Goexit(); return nil }, groupctl.Hold.(group.Option))
	done := make(chan struct{})
	go func() { defer close(done); groupctl.RunHeld(viaRun) }()
	recv(t, done, "Task.Run")
	tasks = append(tasks, viaRun)
	dropped := g.Go(func(context.Context) error { panic("must not run") }, groupctl.Hold.(group.Option))
	tasks = append(tasks, dropped)
	for _, tk := range tasks[:4] {
		recv(t, tk.Done(), "task")
	}
	require.NoError(t, closeAndWait(t, g))
	tasks = append(tasks, g.Go(func(context.Context) error { return nil })) // refused
	mu.Lock()
	defer mu.Unlock()
	for i, tk := range tasks {
		require.True(t, tk.State().Final(), "task %d", i)
		require.Equal(t, 1, ends[tk], "end events of task %d (%v)", i, tk.State())
	}
	require.Zero(t, starts[held])
	require.Zero(t, starts[dropped])
	st := g.Stats()
	require.Equal(t, st.Spawned, st.Succeeded+st.Failed+st.Canceled+st.Refused+st.Running)
}

// TestGroupClosedComesBeforeTheWaitersWake checks GroupClosed: reported
// once per group, with its combined failures, before Done is closed (so
// before Wait returns) and before the parent hears of it.
func TestGroupClosedComesBeforeTheWaitersWake(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		boom := errors.New("boom")
		type seen struct {
			path       string
			err        error
			doneClosed bool
			parentOpen bool
		}
		var got []seen
		obs := func(e group.Event) {
			if e.Kind != group.GroupClosed {
				return
			}
			s := seen{path: e.Group.Path(), err: e.Err}
			select {
			case <-e.Group.Done():
				s.doneClosed = true
			default:
			}
			if p := e.Group.Parent(); p != nil {
				s.parentOpen = p.State() != group.Closed
			}
			got = append(got, s)
		}
		root := group.New(context.Background(), group.Name("root"), group.Observe(obs), group.OnError(func(error) {}))
		sub := root.Subgroup(group.Name("sub"))
		sub.Go(func(context.Context) error { return boom })
		require.ErrorIs(t, sub.Wait(), boom)
		require.NoError(t, root.Wait())
		require.Len(t, got, 2)
		require.Equal(t, "root/sub", got[0].path)
		require.ErrorIs(t, got[0].err, boom, "the subgroup's failures")
		require.False(t, got[0].doneClosed, "reported before Done is closed")
		require.True(t, got[0].parentOpen, "and before the parent can close")
		require.Equal(t, seen{path: "root"}, got[1], "the root: no failure of its own (OnError), reported before Done is closed")
		require.Nil(t, root.Parent())
		require.Equal(t, root, sub.Parent())
	})
}
