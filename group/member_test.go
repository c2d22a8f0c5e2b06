package group_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/stretchr/testify/require"
)

// A goroutine of the library counted in with groupctl.Enter keeps its
// group from becoming Closed, without a task record, until it leaves; a
// closing group admits none.
func TestEnteredGoroutineKeepsTheGroupOpenUntilItLeaves(t *testing.T) {
	g := group.New(context.Background())
	require.True(t, groupctl.Enter(g))
	require.Equal(t, group.Stats{}, g.Stats(), "no task is counted")
	g.Cancel()
	require.Equal(t, group.Closing, g.State(), "a member is left")
	require.False(t, groupctl.Enter(g), "a closing group admits no one")
	groupctl.Leave(g)
	recv(t, g.Done(), "group closed by the last member's leaving")
	require.Equal(t, group.Closed, g.State())
	require.NoError(t, g.Wait())
}

// A panic recovered in such a goroutine is handled as a task's: the
// group's panic hook hears of it at once, it fails the group, and Wait
// raises it again (or returns it with PanicsAsErrors, through OnError
// when the group has a handler).
func TestPanickedIsHandledAsATasksPanic(t *testing.T) {
	var heard []*group.PanicError
	g := group.New(context.Background(), group.OnPanic(func(pe *group.PanicError) { heard = append(heard, pe) }), group.Name("ex"))
	require.True(t, groupctl.Enter(g))
	groupctl.Panicked(g, "worker", "boom")
	require.Len(t, heard, 1)
	require.Equal(t, "boom", heard[0].Value)
	require.Equal(t, "ex/worker", heard[0].Task)
	require.NotEmpty(t, heard[0].Stack)
	require.Equal(t, group.Closing, g.State(), "the failure cancels the group")
	groupctl.Leave(g)
	require.PanicsWithValue(t, heard[0], func() { _ = g.Wait() })

	var handled []error
	h := group.New(context.Background(), group.PanicsAsErrors(), group.OnError(func(err error) { handled = append(handled, err) }))
	groupctl.Panicked(h, "worker", "boom")
	require.Len(t, handled, 1, "with PanicsAsErrors, the handler gets it")
	pe, ok := errors.AsType[*group.PanicError](handled[0])
	require.True(t, ok)
	require.Equal(t, "boom", pe.Value)
	require.Equal(t, group.Open, h.State(), "the handler decides: the group goes on")
	require.NoError(t, h.Close())

	k := group.New(context.Background(), group.PanicsAsErrors())
	groupctl.Panicked(k, "worker", "boom")
	err := k.Wait()
	pe, ok = errors.AsType[*group.PanicError](err)
	require.True(t, ok, "Wait returns it: %v", err)
	require.Equal(t, "boom", pe.Value)
}

// EachHeld lists the live tasks made with Hold, pending or running, and
// nothing else.
func TestEachHeldListsLiveHeldTasksOnly(t *testing.T) {
	g := group.New(context.Background())
	hold := groupctl.Hold.(group.Option)
	release := make(chan struct{})
	pending := g.Go(func(context.Context) error { return nil }, hold)
	running := g.Go(func(context.Context) error { <-release; return nil }, hold)
	started := make(chan struct{})
	go func() { close(started); groupctl.RunHeld(running) }()
	<-started
	finished := g.Go(func(context.Context) error { return nil }, hold)
	require.True(t, groupctl.RunHeld(finished))
	plain := g.Go(func(context.Context) error { <-release; return nil })

	var listed []*group.Task
	groupctl.EachHeld(g, func(t any) { listed = append(listed, t.(*group.Task)) })
	require.ElementsMatch(t, []*group.Task{pending, running}, listed)
	require.NotContains(t, listed, plain)

	close(release)
	pending.Cancel()
	require.NoError(t, wait(t, g))
}
