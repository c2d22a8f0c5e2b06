package group

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// describe says what kind of thing a group is and how to count what it
// holds beyond its tasks, for [Group.Snapshot]: package executor describes
// its groups as "executor" with their running, waiting and blocked counts.
// info is called while a snapshot is taken, from any goroutine, and must be
// quick and safe for concurrent use; it may be nil.
//
// describe panics if kind is empty. Package executor uses it through
// internal/groupctl.
func describe(kind string, info func() map[string]int64) Option {
	if kind == "" {
		panic("group: Describe with an empty kind")
	}
	return optionFunc(func(o *options) { o.kind, o.info = kind, info })
}

// A Snapshot describes a group at one moment: its state, its counts, its
// live tasks and its subgroups, recursively. It is what [Group.Snapshot]
// returns, and what package observe serves over HTTP. Its JSON field names
// are stable.
//
// A snapshot is taken without stopping the group and without a lock on its
// tasks' way in or out: tasks that start or end while it is taken may or
// may not appear, but each appears at most once and in a state it really
// had, and every task listed is counted as running in its Stats.
type Snapshot struct {
	// ID is the group's unique id path from its root ("1/4/9").
	ID string `json:"id"`
	// Name is the group's name ("" if unnamed); Path the names from the
	// root, as in pprof labels.
	Name string `json:"name,omitempty"`
	Path string `json:"path"`
	// Kind is what Describe said the group is ("executor"), or "".
	Kind string `json:"kind,omitempty"`
	// State is "open", "closing" or "closed".
	State State `json:"state"`
	// Cause is why the group left Open ("" while it is open).
	Cause string `json:"cause,omitempty"`
	// Age is how long ago the group was made.
	Age time.Duration `json:"age_ns"`
	// Overdue is how long ago a Shutdown of the group, or of a group
	// above it, ran out of time: its context ended and it cancelled what
	// was left (0 if none has). Tasks still listed in an overdue group are
	// what holds the shutdown up; they are stuck once they outlast its
	// grace (see [ShutdownError]).
	Overdue time.Duration `json:"overdue_ns,omitempty"`
	// Stats are the group's task counts.
	Stats Stats `json:"stats"`
	// Info holds the counts that Describe's function gave, if any.
	Info map[string]int64 `json:"info,omitempty"`
	// Tasks are the group's live tasks (pending or running), oldest first.
	Tasks []TaskSnapshot `json:"tasks,omitempty"`
	// Groups are its live subgroups, oldest first.
	Groups []Snapshot `json:"groups,omitempty"`
}

// A TaskSnapshot describes one live task in a [Snapshot].
type TaskSnapshot struct {
	// ID is the task's id, unique within its group.
	ID uint64 `json:"id"`
	// Name is the task's name, or "".
	Name string `json:"name,omitempty"`
	// State is "pending" or "running".
	State TaskState `json:"state"`
	// Age is how long the task has been running (0 while pending).
	Age time.Duration `json:"age_ns"`
	// Func is the name of the task's function, and Origin the file:line
	// where it is defined: for a function literal passed to Go, the line
	// that starts the task. Reading them costs nothing when the task is
	// started; they are looked up when the snapshot is taken.
	Func   string `json:"func,omitempty"`
	Origin string `json:"origin,omitempty"`
	// Internal is set for the library's own tasks, which do the
	// bookkeeping of what the program asked for rather than its work: a
	// Stack's closing sequence and close hooks waiting for their turn, a
	// server's drain, an executor's Finish hook. They count as running
	// like any task.
	Internal bool `json:"internal,omitempty"`
}

// Snapshot returns a description of the group and everything below it at
// this moment (see [Snapshot]). It can be called at any time, from any
// goroutine, including a task of the group; it never blocks on the group's
// tasks. Its cost grows with the number of live tasks and subgroups.
func (g *Group) Snapshot() Snapshot {
	g.lazy()
	now := time.Now()
	return g.snapshot(&snapshotter{now: now, funcs: map[uintptr]funcInfo{}, seen: map[*Group]bool{}})
}

// funcInfo is what a snapshot says of a task function, cached by code
// pointer while one snapshot is taken.
type funcInfo struct{ name, origin string }

// snapshotter holds what one Snapshot call shares across the tree: the
// time, the function descriptions looked up so far, and the groups already
// described, so that groups linked in a cycle are described once.
type snapshotter struct {
	now   time.Time
	funcs map[uintptr]funcInfo
	seen  map[*Group]bool
}

func (g *Group) snapshot(sn *snapshotter) Snapshot {
	sn.seen[g] = true
	now, funcs := sn.now, sn.funcs
	snap := Snapshot{
		ID:    g.idPath,
		Name:  g.opts.name,
		Path:  g.path,
		Kind:  g.opts.kind,
		State: g.State(),
		Age:   now.Sub(g.began),
	}
	for p := g; p != nil; p = p.parent {
		if at := p.overdueAt.Load(); at != 0 {
			snap.Overdue = max(snap.Overdue, now.Sub(p.began)-time.Duration(at-1))
		}
	}
	if snap.State != Open {
		if c := g.Cause(); c != nil {
			snap.Cause = c.Error()
		}
	}
	if g.opts.info != nil {
		snap.Info = g.opts.info()
	}
	// Counts and list agree without a lock: the finished and refused counts
	// are read first, the tasks listed next, the spawned count (nextID)
	// last. A task listed was pushed after it had its id, and was not final
	// when listed, so it was not yet counted as finished (it is published
	// final before it is counted): every task listed counts as running.
	var finished [nShards]Stats
	for i := range g.shards {
		s := &g.shards[i]
		finished[i] = Stats{Succeeded: s.succeeded.Load(), Failed: s.failed.Load(), Canceled: s.canceled.Load(), Refused: s.refused.Load()}
	}
	g.eachTask(func(t *Task) {
		ts := TaskSnapshot{ID: t.id, Name: t.meta.name, State: Pending, Internal: t.flags.Load()&flagInternal != 0}
		if t.State() == Running {
			ts.State = Running
			ts.Age = t.age()
		}
		ts.Func, ts.Origin = t.body.describe(funcs)
		snap.Tasks = append(snap.Tasks, ts)
	})
	n := g.nextID.Load()
	for i := range g.shards {
		st := finished[i]
		st.Spawned = spawnedIn(n, i)
		st.Running = st.Spawned - st.Refused - st.Succeeded - st.Failed - st.Canceled
		snap.Stats.add(st)
	}
	slices.SortFunc(snap.Tasks, func(a, b TaskSnapshot) int { return cmp.Compare(a.ID, b.ID) })
	g.mu.Lock()
	subs := make([]*Group, 0, len(g.subs))
	for sg := range g.subs {
		subs = append(subs, sg)
	}
	g.pruneLinkedLocked()
	linked := slices.Clone(g.linked)
	g.mu.Unlock()
	slices.SortFunc(subs, func(a, b *Group) int { return cmp.Compare(a.id, b.id) })
	for _, sg := range append(subs, linked...) {
		if !sn.seen[sg] {
			snap.Groups = append(snap.Groups, sg.snapshot(sn))
		}
	}
	return snap
}

// link shows child, a group with a lifecycle of its own (usually a root
// made with New), under g in snapshots until child is Closed, after g's
// subgroups. It changes nothing else: closing g does not close child, nor
// the other way round. Package resource links each resource it opens to
// its parent, whose teardown it orders itself, so that the tree shows
// everything a program runs.
//
// link panics if child is nil or is g. Package resource uses it through
// internal/groupctl.
func (g *Group) link(child *Group) {
	if child == nil || child == g {
		panic("group: Link of a nil group or of the group itself")
	}
	g.lazy()
	child.lazy()
	g.mu.Lock()
	g.pruneLinkedLocked()
	g.linked = append(g.linked, child)
	g.mu.Unlock()
}

// pruneLinkedLocked forgets linked groups that are Closed, so that linking
// many short-lived groups does not grow g.
func (g *Group) pruneLinkedLocked() {
	g.linked = slices.DeleteFunc(g.linked, func(c *Group) bool { return c.State() == Closed })
}

// describeFunc returns the name and the file:line of the function f, a
// func value of any type.
func describeFunc(f any, funcs map[uintptr]funcInfo) (name, origin string) {
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "", ""
	}
	pc := v.Pointer()
	if fi, ok := funcs[pc]; ok {
		return fi.name, fi.origin
	}
	var fi funcInfo
	if rf := runtime.FuncForPC(pc); rf != nil {
		// A method value (t.run) is a wrapper the compiler generates: name
		// the method, and leave out the wrapper's meaningless place.
		fi.name = strings.TrimSuffix(rf.Name(), "-fm")
		if file, line := rf.FileLine(rf.Entry()); file != "<autogenerated>" {
			fi.origin = file + ":" + strconv.Itoa(line)
		}
	}
	funcs[pc] = fi
	return fi.name, fi.origin
}

// WriteText writes the snapshot as an indented tree, one line per group
// and task, as pstree does for processes:
//
//	group 1 "server" open 2m3s  spawned=5 running=3
//	├── task 1 "http" running 2m3s  main.serve  main.go:40
//	└── group 1/2 "crawl" executor open 1m2s  running=2 waiting=7  …
//
// At most maxTasks tasks are listed per group (0: all); the others are
// counted on one line.
func (s Snapshot) WriteText(w io.Writer, maxTasks int) error {
	var b strings.Builder
	s.text(&b, "", "", maxTasks)
	_, err := io.WriteString(w, b.String())
	return err
}

// String returns the snapshot as WriteText writes it, with every task.
func (s Snapshot) String() string {
	var b strings.Builder
	s.text(&b, "", "", 0)
	return b.String()
}

func (s Snapshot) text(b *strings.Builder, first, rest string, maxTasks int) {
	b.WriteString(first)
	fmt.Fprintf(b, "group %s", s.ID)
	if s.Name != "" {
		fmt.Fprintf(b, " %q", s.Name)
	}
	if s.Kind != "" {
		b.WriteString(" " + s.Kind)
	}
	fmt.Fprintf(b, " %s %s  spawned=%d running=%d succeeded=%d failed=%d canceled=%d refused=%d",
		s.State, roundAge(s.Age), s.Stats.Spawned, s.Stats.Running, s.Stats.Succeeded,
		s.Stats.Failed, s.Stats.Canceled, s.Stats.Refused)
	for _, k := range slices.Sorted(maps.Keys(s.Info)) {
		fmt.Fprintf(b, " %s=%d", k, s.Info[k])
	}
	if s.Cause != "" {
		fmt.Fprintf(b, "  cause: %s", s.Cause)
	}
	if s.Overdue > 0 {
		fmt.Fprintf(b, "  shutdown overdue %s", roundAge(s.Overdue))
	}
	b.WriteByte('\n')
	tasks := s.Tasks
	hidden := 0
	if maxTasks > 0 && len(tasks) > maxTasks {
		tasks, hidden = tasks[:maxTasks], len(tasks)-maxTasks
	}
	lines := len(tasks) + len(s.Groups)
	if hidden > 0 {
		lines++
	}
	n := 0
	branch := func() (string, string) {
		n++
		if n == lines {
			return rest + "└── ", rest + "    "
		}
		return rest + "├── ", rest + "│   "
	}
	for _, t := range tasks {
		f, _ := branch()
		b.WriteString(f)
		fmt.Fprintf(b, "task %d", t.ID)
		if t.Name != "" {
			fmt.Fprintf(b, " %q", t.Name)
		}
		b.WriteString(" " + t.State.String())
		if t.State == Running {
			b.WriteString(" " + roundAge(t.Age))
		}
		if t.Internal {
			b.WriteString(" (internal)")
		}
		if t.Func != "" {
			b.WriteString("  " + t.Func)
		}
		if t.Origin != "" {
			b.WriteString("  " + t.Origin)
		}
		b.WriteByte('\n')
	}
	if hidden > 0 {
		f, _ := branch()
		fmt.Fprintf(b, "%s… %d more tasks\n", f, hidden)
	}
	for _, sg := range s.Groups {
		f, r := branch()
		sg.text(b, f, r, maxTasks)
	}
}

// roundAge rounds d for people: to the millisecond below a minute, to the
// second above.
func roundAge(d time.Duration) string {
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}
