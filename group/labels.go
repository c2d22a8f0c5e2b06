package group

import (
	"context"
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
	g.mu.Lock()
	ctx, ok := g.named[name]
	if !ok {
		ctx = pprof.WithLabels(g.labels, pprof.Labels(LabelTask, name))
		if g.named == nil {
			g.named = make(map[string]context.Context)
		}
		if len(g.named) < maxNamedLabels {
			g.named[name] = ctx
		}
	}
	g.mu.Unlock()
	return ctx
}
