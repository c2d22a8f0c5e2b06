package group_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// A fakeService is a subgroup registered as a service of its parent, as
// an executor registers its own: it is idle when idle says so, and when
// told to finish it begins its own Wait.
type fakeService struct {
	g    *group.Group
	idle atomic.Bool
	told atomic.Int32
	stop func() // ends what the service keeps besides its tasks, if set
}

func newService(parent *group.Group, idle bool) *fakeService {
	s := &fakeService{g: parent.Subgroup()}
	s.idle.Store(idle)
	groupctl.Service(s.g, s.idle.Load, s.finish)
	return s
}

func (s *fakeService) finish() {
	s.told.Add(1)
	if s.stop != nil {
		s.stop()
	}
	groupctl.BeginWait(s.g)
}

// requireToldOnceReleased waits, in a bubble, for g whose Wait is blocked
// on a member that returns once release is closed: s is not told to finish
// before, and is told once after.
func requireToldOnceReleased(t *testing.T, g *group.Group, s *fakeService, release chan struct{}, why string) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	synctest.Wait()
	require.Zero(t, s.told.Load(), why)
	close(release)
	require.NoError(t, <-done)
	require.Equal(t, int32(1), s.told.Load())
}

func TestServiceIdleIsToldToFinishWhenItsParentWaits(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		s := newService(g, true)
		require.NoError(t, g.Wait())
		require.Equal(t, int32(1), s.told.Load())
		require.Equal(t, group.Closed, s.g.State())
	})
}

func TestServiceIsNotToldWhileItsParentDoesNotWait(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		s := newService(g, true)
		release := make(chan struct{})
		g.Go(func(context.Context) error { <-release; return nil })
		close(release)
		synctest.Wait()
		require.Zero(t, s.told.Load(), "told to finish while its parent is open and not waiting")
		require.Equal(t, group.Open, g.State())
		require.NoError(t, g.Wait())
		require.Equal(t, int32(1), s.told.Load())
	})
}

func TestServiceBusyIsToldOnlyOnceItSaysItIsIdle(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		s := newService(g, false)
		done := make(chan error, 1)
		go func() { done <- g.Wait() }()
		synctest.Wait()
		require.Zero(t, s.told.Load(), "told to finish while busy")
		s.idle.Store(true)
		groupctl.Idle(s.g)
		require.NoError(t, <-done)
		require.Equal(t, int32(1), s.told.Load())
	})
}

func TestServiceIsToldWhenTheLastOtherMemberLeavesItsWaitingParent(t *testing.T) {
	for _, tt := range []struct {
		name string
		add  func(g *group.Group, release <-chan struct{})
	}{
		{"task", func(g *group.Group, release <-chan struct{}) {
			g.Go(func(context.Context) error { <-release; return nil })
		}},
		{"subgroup", func(g *group.Group, release <-chan struct{}) {
			sg := g.Subgroup()
			sg.Go(func(context.Context) error { <-release; return nil })
			go sg.Wait()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				s := newService(g, true)
				release := make(chan struct{})
				tt.add(g, release)
				requireToldOnceReleased(t, g, s, release, "told to finish while another member could still give it work")
			})
		})
	}
}

// The library's own bookkeeping (a Stack's closer) counts as no work: a
// waiting parent left with services and such a task tells the services to
// finish and lets the bookkeeping see it close.
func TestServiceIsToldWhenOnlyBookkeepingIsLeftBesideIt(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		s := newService(g, true)
		g.Go(func(context.Context) error {
			<-g.Closing()
			return nil
		}, groupctl.Internal.(group.Option))
		release := make(chan struct{})
		g.Go(func(context.Context) error { <-release; return nil })
		requireToldOnceReleased(t, g, s, release, "told to finish while a task could still give it work")
	})
}

// A service's own task ending (an executor's job) can leave it idle; its
// waiting parent hears of it even when the service keeps one member of its
// own (an executor's workers' group) or a service of its own.
func TestServiceIsToldWhenItsOwnLastTaskEnds(t *testing.T) {
	for _, tt := range []struct {
		name string
		keep func(s *fakeService) // what the service keeps besides its task
	}{
		{"nothing", func(*fakeService) {}},
		{"a subgroup", func(s *fakeService) {
			s.stop = s.g.Subgroup().Cancel
		}},
		{"a service", func(s *fakeService) { newService(s.g, true) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				s := &fakeService{g: g.Subgroup()}
				groupctl.Service(s.g, func() bool { return groupctl.LiveTasks(s.g) == 0 }, s.finish)
				tt.keep(s)
				release := make(chan struct{})
				s.g.Go(func(context.Context) error { <-release; return nil })
				requireToldOnceReleased(t, g, s, release, "told to finish while it runs a task")
			})
		})
	}
}
