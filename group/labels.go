package group

import (
	"context"
	"maps"
	"runtime/pprof"
)

// pprof label keys set on every task goroutine.
const (
	// LabelGroup is the pprof label holding the path of a task's group:
	// group names from the root, "/"-separated ("#id" for unnamed groups).
	LabelGroup = "nursery.group"
	// LabelTask is the pprof label holding a named task's name.
	LabelTask = "nursery.task"
	// labelGroupID holds the group's unique id path; Wait uses it to find
	// out whether its caller is one of the group's own tasks.
	labelGroupID = "nursery.gid"
)

// withLabels returns ctx carrying g's pprof labels. Task goroutines set
// their labels from the group's context, so an unnamed task costs no
// allocation for them.
func withLabels(ctx context.Context, g *Group) context.Context {
	return pprof.WithLabels(ctx, pprof.Labels(LabelGroup, g.path, labelGroupID, g.idPath))
}

// maxNamedLabels bounds the per-group cache of named tasks' records (see
// taskMeta), so that unique names (one per request, say) cannot grow it
// without limit.
const maxNamedLabels = 64

// taskMeta is what the tasks of one group that share a name share: the
// group, the name and the context whose pprof labels their goroutines run
// with. A task points to one instead of holding the three itself, which
// keeps the Task small: unnamed tasks use their group's own, named tasks a
// cached one per name.
type taskMeta struct {
	g      *Group
	name   string          // "" for unnamed tasks
	labels context.Context // g's labels, and LabelTask for a named task
}

// metaFor returns the record for tasks of g named name. Unnamed tasks share
// the group's; named tasks reuse a cached record per name, so naming tasks
// costs allocations only the first time.
func (g *Group) metaFor(name string) *taskMeta {
	if name == "" {
		return &g.meta
	}
	if m := g.named.Load(); m != nil {
		if meta, ok := (*m)[name]; ok {
			return meta
		}
	}
	meta := &taskMeta{g: g, name: name, labels: pprof.WithLabels(g.labels, pprof.Labels(LabelTask, name))}
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.named.Load()
	if old == nil || len(*old) < maxNamedLabels {
		m := make(map[string]*taskMeta, 1)
		if old != nil {
			maps.Copy(m, *old)
		}
		m[name] = meta
		g.named.Store(&m)
	}
	return meta
}
