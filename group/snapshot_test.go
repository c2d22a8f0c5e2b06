package group_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func serveForever(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestSnapshotTree builds a small tree in a bubble, where ages are exact,
// and checks what the snapshot says of it, as a value and as text.
func TestSnapshotTree(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		root := group.New(context.Background(), group.Name("server"))
		root.Go(serveForever, group.Name("http"))
		time.Sleep(time.Second)
		jobs := root.Subgroup(group.Name("jobs"), describeAs("executor", func() map[string]int64 {
			return map[string]int64{"waiting": 7, "blocked": 1}
		}))
		jobs.Go(func(ctx context.Context) error { <-ctx.Done(); return nil })
		held := jobs.Go(serveForever, groupctl.Hold.(group.Option))
		time.Sleep(2 * time.Second)
		synctest.Wait()

		snap := root.Snapshot()
		require.Equal(t, "server", snap.Name)
		require.Equal(t, group.Open, snap.State)
		require.Equal(t, 3*time.Second, snap.Age)
		require.Equal(t, group.Stats{Spawned: 1, Running: 1}, snap.Stats)
		require.Len(t, snap.Tasks, 1)
		http := snap.Tasks[0]
		require.Equal(t, "http", http.Name)
		require.Equal(t, group.Running, http.State)
		require.Equal(t, 3*time.Second, http.Age)
		require.Equal(t, "github.com/nursery-go/nursery/group_test.serveForever", http.Func)
		require.Contains(t, http.Origin, "group/snapshot_test.go:")

		require.Len(t, snap.Groups, 1)
		sub := snap.Groups[0]
		require.Equal(t, "executor", sub.Kind)
		require.Equal(t, map[string]int64{"waiting": 7, "blocked": 1}, sub.Info)
		require.Equal(t, "server/jobs", sub.Path)
		require.Len(t, sub.Tasks, 2)
		require.Equal(t, group.Running, sub.Tasks[0].State)
		require.Equal(t, 2*time.Second, sub.Tasks[0].Age)
		require.Contains(t, sub.Tasks[0].Func, "TestSnapshotTree")
		require.Equal(t, group.Pending, sub.Tasks[1].State)
		require.Zero(t, sub.Tasks[1].Age)

		text := snap.String()
		want := []string{
			`group ` + snap.ID + ` "server" open 3s  spawned=1 running=1 succeeded=0 failed=0 canceled=0 refused=0`,
			`├── task 1 "http" running 3s  github.com/nursery-go/nursery/group_test.serveForever  `,
			`└── group ` + sub.ID + ` "jobs" executor open 2s  spawned=2 running=2 succeeded=0 failed=0 canceled=0 refused=0 blocked=1 waiting=7`,
			`    ├── task 1 running 2s  github.com/nursery-go/nursery/group_test.TestSnapshotTree.func1.2  `,
			`    └── task 2 pending  github.com/nursery-go/nursery/group_test.serveForever  `,
		}
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		require.Len(t, lines, len(want), text)
		require.NotContains(t, text, "cause:", "an open group has no cause to show")
		for i := range want {
			require.True(t, strings.HasPrefix(lines[i], want[i]), "line %d:\n%s\nwant prefix\n%s", i, lines[i], want[i])
		}
		var b strings.Builder
		require.NoError(t, snap.WriteText(&b, 1))
		require.Contains(t, b.String(), "    └── … 1 more tasks\n")

		held.Cancel()
		jobs.Cancel()
		require.NoError(t, root.Close())
		closed := root.Snapshot()
		require.Equal(t, group.Closed, closed.State)
		require.Equal(t, group.ErrClosed.Error(), closed.Cause)
		require.Contains(t, closed.String(), "  cause: "+group.ErrClosed.Error()+"\n")
		require.Empty(t, closed.Tasks)
		require.Empty(t, closed.Groups)
		require.Equal(t, group.Stats{Spawned: 1, Canceled: 1}, closed.Stats)
	})
}

// TestSnapshotJSONRoundTrip: a snapshot survives encoding to JSON and back,
// with the documented field names and states as words.
func TestSnapshotJSONRoundTrip(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		root := group.New(context.Background(), group.Name("r"))
		root.Go(serveForever, group.Name("a"))
		root.Subgroup(describeAs("executor", func() map[string]int64 { return map[string]int64{"running": 1} })).Go(serveForever)
		time.Sleep(time.Second)
		synctest.Wait()
		snap := root.Snapshot()
		data, err := json.Marshal(snap)
		require.NoError(t, err)
		for _, field := range []string{`"id":`, `"name":"r"`, `"path":"r"`, `"state":"open"`, `"age_ns":1000000000`,
			`"stats":{"spawned":1,"running":1,`, `"tasks":[{"id":1,"name":"a","state":"running"`, `"kind":"executor"`,
			`"info":{"running":1}`, `"func":`, `"origin":`, `"groups":[`} {
			require.Contains(t, string(data), field)
		}
		var back group.Snapshot
		require.NoError(t, json.Unmarshal(data, &back))
		require.Equal(t, snap, back)
		require.Error(t, json.Unmarshal([]byte(`{"state":"sleeping"}`), &back))
		require.Error(t, json.Unmarshal([]byte(`{"tasks":[{"state":"dozing"}]}`), &back))
		require.NoError(t, root.Close())
	})
}

// TestSnapshotUnderChange takes snapshots while tasks and subgroups come
// and go, under -race: every task appears at most once per snapshot, live,
// and the counts add up.
func TestSnapshotUnderChange(t *testing.T) {
	root := group.New(context.Background())
	stop := make(chan struct{})
	var churners sync.WaitGroup
	for w := range 4 {
		churners.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				g := root
				if i%3 == 0 {
					g = root.Subgroup()
				}
				g.Go(func(context.Context) error { return nil })
				if g != root {
					assert.NoError(t, g.Wait())
				}
				_ = w
			}
		})
	}
	var check func(s group.Snapshot)
	check = func(s group.Snapshot) {
		st := s.Stats
		require.Equal(t, st.Spawned, st.Running+st.Succeeded+st.Failed+st.Canceled+st.Refused, "stats of %s", s.ID)
		seen := map[uint64]bool{}
		for _, ts := range s.Tasks {
			require.False(t, seen[ts.ID], "task %d twice", ts.ID)
			seen[ts.ID] = true
			require.Contains(t, []group.TaskState{group.Pending, group.Running}, ts.State)
		}
		for _, sg := range s.Groups {
			check(sg)
		}
	}
	for range 200 {
		check(root.Snapshot())
	}
	close(stop)
	waitAll(t, &churners)
	require.NoError(t, closeAndWait(t, root))
}

// TestObserverEvents checks every event a group reports, with exact
// durations in a bubble, and that subgroups inherit the observer.
func TestObserverEvents(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		var mu sync.Mutex
		var events []group.Event
		obs := func(e group.Event) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}
		boom := errors.New("boom")
		g := group.New(context.Background(), group.Observe(obs), group.OnError(func(error) {}), quietPanics(nil), group.PanicsAsErrors())
		ok := g.Go(func(context.Context) error { time.Sleep(time.Second); return nil })
		synctest.Wait()
		failed := g.Go(func(context.Context) error { time.Sleep(2 * time.Second); return boom })
		panicked := g.Go(func(context.Context) error { panic("oops") })
		canceled := g.Go(serveForever)
		synctest.Wait()
		canceled.Cancel()
		sub := g.Subgroup()
		inSub := sub.Go(func(context.Context) error { return nil })
		require.NoError(t, sub.Wait())
		time.Sleep(3 * time.Second)
		require.NoError(t, g.Close())
		refused := g.Go(func(context.Context) error { return nil })
		groupctl.Emit(g, group.Event{Kind: group.TaskRestarted, Task: ok, Err: boom, Duration: time.Second, Attempt: 2})

		mu.Lock()
		defer mu.Unlock()
		ends := map[*group.Task]group.Event{}
		starts := map[*group.Task]int{}
		closed := map[*group.Group][]group.Event{}
		for _, e := range events {
			switch e.Kind {
			case group.TaskStarted:
				starts[e.Task]++
			case group.GroupClosed:
				require.Nil(t, e.Task)
				closed[e.Group] = append(closed[e.Group], e)
			case group.TaskRestarted:
				require.Equal(t, g, e.Group)
				require.Equal(t, 2, e.Attempt)
			default:
				_, dup := ends[e.Task]
				require.False(t, dup, "two ends for one task")
				ends[e.Task] = e
			}
		}
		for _, tk := range []*group.Task{ok, failed, panicked, canceled, inSub} {
			require.Equal(t, 1, starts[tk])
		}
		require.Equal(t, group.TaskSucceeded, ends[ok].Kind)
		require.Equal(t, time.Second, ends[ok].Duration)
		require.Equal(t, group.TaskFailed, ends[failed].Kind)
		require.ErrorIs(t, ends[failed].Err, boom)
		require.Equal(t, 2*time.Second, ends[failed].Duration)
		require.Equal(t, group.TaskPanicked, ends[panicked].Kind)
		var pe *group.PanicError
		require.ErrorAs(t, ends[panicked].Err, &pe)
		require.Equal(t, group.TaskCanceled, ends[canceled].Kind)
		require.Equal(t, group.TaskSucceeded, ends[inSub].Kind)
		require.Equal(t, sub, ends[inSub].Group, "the subgroup inherits the observer")
		require.Equal(t, group.TaskRefused, ends[refused].Kind)
		require.ErrorIs(t, ends[refused].Err, group.ErrClosed)
		require.Equal(t, events[len(events)-1].Kind, group.TaskRestarted)
		require.Len(t, closed, 2, "the group and its subgroup, each")
		require.Len(t, closed[sub], 1)
		require.NoError(t, closed[sub][0].Err)
		require.Zero(t, closed[sub][0].Duration, "the subgroup's age: made and closed at once")
		require.Len(t, closed[g], 1)
		require.NoError(t, closed[g][0].Err, "its failures went to OnError")
		require.Equal(t, 3*time.Second, closed[g][0].Duration, "the group's age")
	})
}

func TestObserveMisuse(t *testing.T) {
	require.PanicsWithValue(t, "group: Observe with a nil function", func() { group.Observe(nil) })
	require.PanicsWithValue(t, "group: Describe with an empty kind", func() { groupctl.Describe("", nil) })
	var g group.Group
	require.False(t, groupctl.Observed(&g))
	groupctl.Emit(&g, group.Event{Kind: group.TaskStarted}) // no observer: nothing happens, no panic
	var n atomic.Int32
	h := group.New(context.Background(), group.Observe(func(group.Event) { n.Add(1) }))
	require.True(t, groupctl.Observed(h))
	groupctl.Emit(h, group.Event{Kind: group.SubmitBlocked})
	require.Equal(t, int32(1), n.Load())
	require.NoError(t, closeAndWait(t, h))
	require.Equal(t, "submit-blocked", group.SubmitBlocked.String())
	require.Equal(t, "EventKind(99)", group.EventKind(99).String())
}

// TestLinkShowsAnotherRoot: a linked group shows under its parent until it
// is Closed, and closing either changes nothing in the other.
func TestLinkShowsAnotherRoot(t *testing.T) {
	parent := group.New(context.Background(), group.Name("main"))
	child := group.New(context.Background(), group.Name("db"))
	groupctl.Link(parent, child)
	child.Go(serveForever)
	snap := parent.Snapshot()
	require.Len(t, snap.Groups, 1)
	require.Equal(t, "db", snap.Groups[0].Name)
	require.Len(t, snap.Groups[0].Tasks, 1)
	require.NoError(t, closeAndWait(t, child))
	require.Equal(t, group.Open, parent.State(), "closing the linked group leaves the parent open")
	require.Empty(t, parent.Snapshot().Groups, "a Closed linked group is forgotten")
	other := group.New(context.Background())
	groupctl.Link(parent, other)
	require.NoError(t, closeAndWait(t, parent))
	require.Equal(t, group.Open, other.State(), "closing the parent leaves the linked group open")
	require.NoError(t, closeAndWait(t, other))
	require.Panics(t, func() { groupctl.Link(parent, nil) })
	require.Panics(t, func() { groupctl.Link(parent, parent) })
}

// TestLikeInheritsAsASubgroupWould: a root made Like another gets its
// observer, panic hook and PanicsAsErrors, and options after Like win.
func TestLikeInheritsAsASubgroupWould(t *testing.T) {
	var events atomic.Int32
	var hooked atomic.Int32
	parent := group.New(context.Background(), group.PanicsAsErrors(),
		group.Observe(func(group.Event) { events.Add(1) }),
		group.OnPanic(func(*group.PanicError) { hooked.Add(1) }))
	like := group.New(context.Background(), groupctl.Like(parent).(group.Option), group.Name("db"))
	like.Go(func(context.Context) error { panic("x") })
	err := wait(t, like) // PanicsAsErrors inherited: an error, not a panic
	var pe *group.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, int32(1), hooked.Load())
	require.Equal(t, int32(3), events.Load(), "started, panicked and the group closed")
	require.Equal(t, "db", like.Name())
	require.NoError(t, closeAndWait(t, parent))
	require.Panics(t, func() { groupctl.Like(nil) })
}

// TestSnapshotLinkCycle: groups linked to each other are each described
// once, not forever.
func TestSnapshotLinkCycle(t *testing.T) {
	a := group.New(context.Background(), group.Name("a"))
	b := group.New(context.Background(), group.Name("b"))
	groupctl.Link(a, b)
	groupctl.Link(b, a)
	snap := a.Snapshot()
	require.Len(t, snap.Groups, 1)
	require.Equal(t, "b", snap.Groups[0].Name)
	require.Empty(t, snap.Groups[0].Groups)
	require.NoError(t, closeAndWait(t, a))
	require.NoError(t, closeAndWait(t, b))
}

// Every task a snapshot lists counts as running in its Stats, however
// tasks come and go meanwhile: reading the counts before the list would
// list tasks admitted in between without counting them ("running=0" and a
// running task, an impossible state). The snapshot reads finished counts,
// then the list, then the spawned counts (see Group.snapshot).
func TestSnapshotStatsAgreeWithTasks(t *testing.T) {
	g := group.New(context.Background())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			g.Go(func(context.Context) error { return nil })
		}
	})
	deadline := time.Now().Add(3 * time.Second)
	bad := ""
	for time.Now().Before(deadline) && bad == "" {
		snap := g.Snapshot()
		if int64(len(snap.Tasks)) > snap.Stats.Running {
			bad = snap.String()
		}
	}
	close(stop)
	waitAll(t, &wg)
	require.NoError(t, closeAndWait(t, g))
	require.Empty(t, bad, "a snapshot listed more live tasks than its Stats count as running")
}

// Pins behaviour: a group linked under its own subgroup, and a
// subgroup also linked under its parent, are each described once and the
// snapshot returns.
func TestLinkIntoOwnTreeDescribedOnce(t *testing.T) {
	a := group.New(context.Background(), group.Name("a"))
	sub := a.Subgroup(group.Name("sub"))
	groupctl.Link(sub, a)
	groupctl.Link(a, sub)
	var n atomic.Int32
	var count func(s group.Snapshot)
	count = func(s group.Snapshot) {
		n.Add(1)
		for _, c := range s.Groups {
			count(c)
		}
	}
	count(a.Snapshot())
	require.Equal(t, int32(2), n.Load())
	require.NoError(t, closeAndWait(t, a))
}

// describeAs is groupctl.Describe as the group.Option it is.
func describeAs(kind string, info func() map[string]int64) group.Option {
	return groupctl.Describe(kind, info).(group.Option)
}

// TestSnapshotShowsAnOverdueShutdown checks Snapshot.Overdue: 0 until a
// Shutdown runs out of time, then how long ago it did, for the group and
// the groups below it, in JSON and in the text view.
func TestSnapshotShowsAnOverdueShutdown(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background(), group.Name("svc"), group.ShutdownGrace(2*time.Second))
		sub := g.Subgroup(group.Name("db"))
		release := make(chan struct{})
		sub.Go(func(context.Context) error { <-release; return nil }, group.Name("stubborn"))
		synctest.Wait()
		require.Zero(t, g.Snapshot().Overdue, "no Shutdown yet")

		ctx, stop := context.WithTimeout(context.Background(), time.Second)
		defer stop()
		shut := make(chan error)
		go func() { shut <- g.Shutdown(ctx) }()
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		require.Zero(t, g.Snapshot().Overdue, "draining within its deadline is not overdue")

		time.Sleep(700 * time.Millisecond) // 200ms past the deadline, within the grace
		synctest.Wait()
		snap := g.Snapshot()
		require.Equal(t, 200*time.Millisecond, snap.Overdue)
		require.Len(t, snap.Groups, 1)
		require.Equal(t, 200*time.Millisecond, snap.Groups[0].Overdue, "a subgroup is overdue with the group that shuts down")
		b, err := json.Marshal(snap)
		require.NoError(t, err)
		require.Contains(t, string(b), `"overdue_ns":200000000`)
		var text strings.Builder
		require.NoError(t, snap.WriteText(&text, 0))
		require.Contains(t, text.String(), "shutdown overdue 200ms")

		var se *group.ShutdownError
		require.ErrorAs(t, <-shut, &se)
		close(release)
		require.NoError(t, g.Wait())
	})
}
