package group_test

import (
	"context"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// Subgroups made while their parent is being cancelled are either refused or
// cancelled with it; none is missed, so Close always returns.
func TestSubgroupsRacingCancelAreNeverMissed(t *testing.T) {
	for range 50 {
		g := group.New(context.Background())
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				g.Subgroup().Go(blockUntilCancelled)
			})
		}
		g.Cancel()
		waitAll(t, &wg)
		closed := make(chan error, 1)
		go func() { closed <- g.Close() }()
		select {
		case err := <-closed:
			require.NoError(t, err)
		case <-recvTimeout():
			t.Fatal("Close hung: a subgroup was missed by the cancellation")
		}
	}
}

func TestRefusedHeldTaskCannotBeStarted(t *testing.T) {
	var g group.Group
	g.Cancel()
	task := g.Go(func(context.Context) error { panic("must not run") }, group.Hold())
	require.Equal(t, group.Refused, task.State())
	require.False(t, task.Start())
	require.False(t, task.Run())
	require.NoError(t, wait(t, &g))
	require.Equal(t, group.Stats{Spawned: 1, Refused: 1}, g.Stats())
}

// A task cancelled by itself and by its group at once answers with its
// context's cause, whichever won, and is never counted as failed.
func TestTaskAndGroupCancelRacing(t *testing.T) {
	for range 200 {
		g := group.New(context.Background())
		up := make(chan struct{})
		task := g.Go(func(ctx context.Context) error {
			close(up)
			<-ctx.Done()
			return context.Cause(ctx)
		})
		recv(t, up, "task")
		go task.Cancel()
		require.NoError(t, closeAndWait(t, g))
		require.Equal(t, group.Canceled, task.State())
	}
}

func TestSubgroupPanicIsRaisedOnceInTheTree(t *testing.T) {
	g := group.New(context.Background(), quietPanics(nil))
	sub := g.Subgroup()
	sub.Go(func(context.Context) error { panic("once") })
	require.NotNil(t, catch(func() { _ = wait(t, sub) }), "the first Wait raises it")
	var err error
	require.Nil(t, catch(func() { err = wait(t, g) }), "the parent returns it instead")
	var pe *group.PanicError
	require.ErrorAs(t, err, &pe)
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
