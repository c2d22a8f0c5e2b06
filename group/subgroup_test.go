package group_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

func TestClosingAParentClosesEveryDescendantFirst(t *testing.T) {
	root := group.New(context.Background(), group.Name("root"))
	mid := root.Subgroup(group.Name("mid"))
	leaf := mid.Subgroup(group.Name("leaf"))

	var mu sync.Mutex
	var order []string
	record := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			recv(t, ctx.Done(), "the context to end")
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return ctx.Err()
		}
	}
	root.Go(record("root task"))
	mid.Go(record("mid task"))
	leaf.Go(record("leaf task"))

	// Observe the Closed order of the groups themselves.
	closedOrder := make(chan string, 3)
	for name, g := range map[string]*group.Group{"root": root, "mid": mid, "leaf": leaf} {
		go func() { <-g.Done(); closedOrder <- name }()
	}
	require.NoError(t, closeAndWait(t, root))
	require.Equal(t, group.Closed, mid.State())
	require.Equal(t, group.Closed, leaf.State())
	require.ErrorIs(t, leaf.Cause(), group.ErrClosed)
	require.Len(t, order, 3)

	// leaf is Closed before mid, and mid before root: a parent counts its
	// subgroups as running until they are Closed.
	got := []string{take(t, closedOrder), take(t, closedOrder), take(t, closedOrder)}
	require.ElementsMatch(t, []string{"root", "mid", "leaf"}, got)
}

func TestParentIsClosedOnlyAfterItsSubgroups(t *testing.T) {
	root := group.New(context.Background())
	sub := root.Subgroup()
	release := make(chan struct{})
	sub.Go(func(context.Context) error { <-release; return nil })
	root.Cancel()
	recv(t, sub.Closing(), "subgroup Closing")
	notClosed(t, sub.Done(), "subgroup Done")
	notClosed(t, root.Done(), "root Done")
	require.Equal(t, group.Closing, root.State())
	close(release)
	require.NoError(t, wait(t, root))
	require.Equal(t, group.Closed, sub.State())
}

func TestFailedSubgroupIsOneFailureOfItsParent(t *testing.T) {
	boom := errors.New("boom")
	root := group.New(context.Background())
	up := make(chan struct{})
	sibling := root.Go(started(up))
	recv(t, up, "sibling start")
	sub := root.Subgroup(group.Name("workers"))
	sub.Go(func(context.Context) error { return boom }, group.Name("w1"))
	err := wait(t, root)
	require.ErrorIs(t, err, boom)
	require.ErrorIs(t, wait(t, sub), boom)
	require.Equal(t, group.Canceled, sibling.State(), "the parent failed fast")
	require.ErrorIs(t, root.Cause(), boom)
}

func TestSupervisedParentHandlesSubgroupFailure(t *testing.T) {
	boom := errors.New("boom")
	handled := make(chan error, 1)
	root := group.New(context.Background(), group.OnError(func(err error) { handled <- err }))
	sub := root.Subgroup()
	sub.Go(func(context.Context) error { return boom })
	require.ErrorIs(t, wait(t, sub), boom)
	require.ErrorIs(t, take(t, handled), boom)
	require.Equal(t, group.Open, root.State())
	require.NoError(t, closeAndWait(t, root))
}

func TestSubgroupClosedAloneLeavesTheParentOpen(t *testing.T) {
	root := group.New(context.Background())
	sub := root.Subgroup()
	sub.Go(blockUntilCancelled)
	require.NoError(t, closeAndWait(t, sub))
	require.Equal(t, group.Open, root.State())
	recv(t, root.Go(func(context.Context) error { return nil }).Done(), "task after subgroup closed")
	require.NoError(t, closeAndWait(t, root))
}

func TestSubgroupOfAClosedGroupIsClosed(t *testing.T) {
	var g group.Group
	require.NoError(t, closeAndWait(t, &g))
	sub := g.Subgroup()
	require.Equal(t, group.Closed, sub.State())
	require.Equal(t, group.Refused, sub.Go(func(context.Context) error { return nil }).State())
	require.NoError(t, wait(t, sub))
}

func TestSubgroupInheritsPanicHandling(t *testing.T) {
	hooked := make(chan *group.PanicError, 1)
	root := group.New(context.Background(), quietPanics(hooked), group.PanicsAsErrors())
	sub := root.Subgroup()
	sub.Go(func(context.Context) error { panic("inherited") })
	var err error
	require.Nil(t, catch(func() { err = wait(t, root) }))
	var pe *group.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "inherited", take(t, hooked).Value)
}

func TestSubgroupTimeoutFailsTheSubgroup(t *testing.T) {
	root := group.New(context.Background(), group.OnError(func(error) {}))
	sub := root.Subgroup(group.Timeout(1))
	sub.Go(blockUntilCancelled)
	require.ErrorIs(t, wait(t, sub), context.DeadlineExceeded)
	require.NoError(t, closeAndWait(t, root))
}

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
