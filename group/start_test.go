package group_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

func TestStartReturnsOnceReady(t *testing.T) {
	g := group.New(context.Background())
	var state string
	err := g.Start(context.Background(), func(ctx context.Context, ready func()) error {
		state = "listening"
		ready()
		ready() // calling it twice is harmless
		<-ctx.Done()
		return ctx.Err()
	}, group.Name("listener"))
	require.NoError(t, err)
	require.Equal(t, "listening", state, "Start returns after ready")
	require.Equal(t, int64(1), g.Stats().Running)
	snap := g.Snapshot()
	require.Len(t, snap.Tasks, 1)
	require.Equal(t, "listener", snap.Tasks[0].Name, "Start's options apply to its task")
	require.NoError(t, closeAndWait(t, g))
}

func TestStartEarlyErrorGoesToTheCallerNotTheGroup(t *testing.T) {
	bind := errors.New("address in use")
	g := group.New(context.Background())
	err := g.Start(context.Background(), func(context.Context, func()) error { return bind })
	require.Equal(t, bind, err)
	require.Equal(t, group.Open, g.State(), "the group did not fail")
	require.NoError(t, closeAndWait(t, g))
	require.Equal(t, group.Stats{Spawned: 1, Failed: 1}, g.Stats())
}

func TestStartWithoutReady(t *testing.T) {
	g := group.New(context.Background())
	err := g.Start(context.Background(), func(context.Context, func()) error { return nil })
	require.ErrorIs(t, err, group.ErrNotReady)
	require.NoError(t, closeAndWait(t, g))
}

func TestStartErrorAfterReadyFailsTheGroup(t *testing.T) {
	boom := errors.New("lost connection")
	g := group.New(context.Background())
	release := make(chan struct{})
	require.NoError(t, g.Start(context.Background(), func(_ context.Context, ready func()) error {
		ready()
		<-release
		return boom
	}))
	close(release)
	require.ErrorIs(t, wait(t, g), boom)
}

func TestStartCancelledByItsContext(t *testing.T) {
	g := group.New(context.Background())
	why := errors.New("gave up")
	ctx, stop := context.WithCancelCause(context.Background())
	entered := make(chan struct{})
	go func() { <-entered; stop(why) }()
	err := g.Start(ctx, func(tctx context.Context, _ func()) error {
		close(entered)
		<-tctx.Done()
		return tctx.Err()
	})
	require.ErrorIs(t, err, why)
	require.NoError(t, wait(t, g))
	require.Equal(t, group.Stats{Spawned: 1, Canceled: 1}, g.Stats())
}

func TestStartPanicIsReturnedAndRaised(t *testing.T) {
	g := group.New(context.Background(), quietPanics(nil))
	err := g.Start(context.Background(), func(context.Context, func()) error { panic("during start") })
	var pe *group.PanicError
	require.ErrorAs(t, err, &pe)
	require.NotNil(t, catch(func() { _ = wait(t, g) }))
}
