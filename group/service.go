package group

import (
	"context"

	"github.com/nursery-go/nursery/internal/groupctl"
)

// A service is a subgroup that serves its parent's other tasks and never
// ends by itself, such as an executor's: its owner ends it with Wait or
// Close. When the parent is waiting and nothing but idle services is left
// in it, no one in the tree can give a service more work, so the parent
// tells them to finish as their own Wait would, instead of waiting for
// them forever (see groupctl.Service).
type service struct {
	idle func() bool // reports whether it has nothing to do; must not block
	wait func()      // ends it once drained, as its Wait does
	told bool
}

func init() {
	groupctl.Service = func(sub any, idle func() bool, wait func()) {
		sg := sub.(*Group)
		p := sg.parent
		if p == nil {
			return
		}
		p.mu.Lock()
		if _, ok := p.subs[sg]; ok {
			if p.services == nil {
				p.services = make(map[*Group]*service)
			}
			p.services[sg] = &service{idle: idle, wait: wait}
			p.nServices.Add(1)
		}
		p.mu.Unlock()
	}
	groupctl.Idle = func(sub any) {
		if p := sub.(*Group).parent; p != nil {
			p.servicesIdle()
		}
	}
	groupctl.LiveTasks = func(g any) int { return g.(*Group).liveTasks() }
	groupctl.BeginWait = func(g any) { g.(*Group).beginWait() }
	groupctl.Describe = func(kind string, info func() map[string]int64) any { return describe(kind, info) }
	groupctl.Like = func(g any) any { gg, _ := g.(*Group); return like(gg) }
	groupctl.Link = func(parent, child any) { c, _ := child.(*Group); parent.(*Group).link(c) }
	groupctl.Emit = func(g any, e any) { g.(*Group).emit(e.(Event)) }
	groupctl.Observed = func(g any) bool { return g.(*Group).observed() }
	groupctl.Hold = hold()
	groupctl.Internal = internalOption{}
	groupctl.Late = lateOption{}
	groupctl.Enter = func(g any) bool { gg := g.(*Group); gg.lazy(); return gg.join() }
	groupctl.Leave = func(g any) { g.(*Group).leave() }
	groupctl.Panicked = func(g any, name string, r any) { g.(*Group).goroutinePanicked(name, r) }
	groupctl.EachHeld = func(g any, f func(t any)) {
		g.(*Group).eachTask(func(t *Task) {
			if t.flags.Load()&flagHeld != 0 {
				f(t)
			}
		})
	}
	groupctl.StartHeld = func(t any) bool { return t.(*Task).startHeld() }
	groupctl.RunHeld = func(t any) bool { return t.(*Task).runHeld() }
	groupctl.GroupOf = func(ctx context.Context) any {
		if g := fromContext(ctx); g != nil {
			return g
		}
		return nil
	}
	groupctl.Held = func(t any) bool { return t.(*Task).flags.Load()&flagHeld != 0 }
	groupctl.TaskOf = func(ctx context.Context) any {
		if t := taskFromContext(ctx); t != nil {
			return t
		}
		return nil
	}
}

// liveTasks counts g's own live tasks, its subgroups left out.
func (g *Group) liveTasks() int {
	g.lazy()
	g.mu.Lock()
	defer g.mu.Unlock()
	return int(g.ctl.Load()&ctlCount) - len(g.subs)
}

// dropServiceLocked forgets sg as a service of g when it closes.
func (g *Group) dropServiceLocked(sg *Group) {
	if _, ok := g.services[sg]; ok {
		delete(g.services, sg)
		g.nServices.Add(-1)
	}
}

// servicesIdle tells g's services to finish when g is waiting, nothing but
// services is left in it, and every one of them is idle. It is called with
// no lock held: when g starts waiting, when a member leaves a waiting g,
// and when a service goes idle.
func (g *Group) servicesIdle() {
	v := g.ctl.Load()
	n := g.nServices.Load() + g.nInternal.Load()
	if v&ctlWaiting == 0 || v&ctlClosed != 0 || n == 0 || int64(v&ctlCount) != n {
		return
	}
	g.mu.Lock()
	list := make([]*service, 0, len(g.services))
	for _, s := range g.services {
		if !s.told {
			list = append(list, s)
		}
	}
	g.mu.Unlock()
	for _, s := range list {
		if !s.idle() {
			return // it calls Idle when it goes idle
		}
	}
	// Nothing has joined meanwhile: a member would be a task or subgroup
	// that is not a service, and only services are left to start one.
	if int64(g.ctl.Load()&ctlCount) != g.nServices.Load()+g.nInternal.Load() {
		return
	}
	g.mu.Lock()
	for _, s := range list {
		s.told = true
	}
	g.mu.Unlock()
	for _, s := range list {
		s.wait()
	}
	if g.nInternal.Load() > 0 {
		// The library's bookkeeping (a Stack's closer and hooks) waits
		// for the group to leave Open: let it, without cancelling, as a
		// graceful Shutdown would.
		g.drain()
	}
}
