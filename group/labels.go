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

// maxNamedLabels bounds the per-group cache of named tasks' label contexts,
// so that unique names (one per request, say) cannot grow it without limit.
const maxNamedLabels = 64

// taskLabels returns the context whose pprof labels a task goroutine runs
// with. Unnamed tasks use the group's labels; named tasks reuse a cached
// context per name, so naming tasks costs allocations only the first time.
func (g *Group) taskLabels(name string) context.Context {
	if name == "" {
		return g.labels
	}
	if m := g.named.Load(); m != nil {
		if ctx, ok := (*m)[name]; ok {
			return ctx
		}
	}
	ctx := pprof.WithLabels(g.labels, pprof.Labels(LabelTask, name))
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.named.Load()
	if old == nil || len(*old) < maxNamedLabels {
		m := make(map[string]context.Context, 1)
		if old != nil {
			maps.Copy(m, *old)
		}
		m[name] = ctx
		g.named.Store(&m)
	}
	return ctx
}
