package group

import (
	"sync"
)

// A group's control word counts its live tasks and subgroups and holds the
// flags that decide admission, so that Go admits a task and a finishing
// task leaves without taking the group's mutex: on a spawn-heavy workload
// the spawner and the finishing tasks would otherwise queue on it.
const (
	ctlCount   = 1<<40 - 1 // live tasks (held ones included) and subgroups
	ctlWaiting = 1 << 61   // Wait or Shutdown asked to close once drained
	ctlClosing = 1 << 62   // refuses new tasks
	ctlClosed  = 1 << 63
)

// join counts one more task or subgroup into g, unless g is not open.
func (g *Group) join() bool {
	for {
		v := g.ctl.Load()
		if v&(ctlClosing|ctlClosed) != 0 {
			return false
		}
		if g.ctl.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

// joinLate is join for a task started while g closes (groupctl.Late): it
// counts it in unless g is Closed or has no member left, and so could
// become Closed at any moment. The library calls it only from a task of g,
// which keeps g from closing meanwhile.
func (g *Group) joinLate() bool {
	for {
		v := g.ctl.Load()
		if v&ctlClosed != 0 || v&ctlCount == 0 {
			return false
		}
		if g.ctl.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

// leave counts a task or subgroup out of g and closes g when that drained
// it and someone asked for it to close.
func (g *Group) leave() {
	v := g.ctl.Add(^uint64(0))
	if v&ctlCount == 0 && v&(ctlWaiting|ctlClosing) != 0 && v&ctlClosed == 0 {
		g.mu.Lock()
		g.finishIfDrainedLocked()
		g.unlock()
	} else if v&ctlWaiting != 0 && v&ctlClosed == 0 && int64(v&ctlCount) == g.nServices.Load()+g.nInternal.Load() {
		g.servicesIdle() // only services and bookkeeping are left
	}
	// g may be a service that has just gone idle: at most one member left
	// that is not a service of its own (an executor's workers' group).
	if p := g.parent; p != nil && int64(v&ctlCount) <= 1+g.nServices.Load() &&
		p.nServices.Load() != 0 && p.ctl.Load()&ctlWaiting != 0 {
		p.servicesIdle()
	}
}

// nShards is how many parts a group's list of live tasks is split into.
// Tasks go to parts by id, so a spawner and the tasks finishing meanwhile
// mostly lock different parts.
const nShards = 8

// A shard holds part of a group's live tasks and the counts of the tasks
// that went through it. Stats adds the counts of all shards; each shard's
// counts are consistent on their own, and a task stays in one shard, so the
// sum keeps the Stats invariant.
type shard struct {
	mu    sync.Mutex // guards tasks and stats
	tasks *Task      // live tasks, newest first
	stats Stats
	_     [64]byte // keeps neighbouring shards off each other's cache line
}

func (s *shard) link(t *Task) {
	t.next = s.tasks
	if s.tasks != nil {
		s.tasks.prev = t
	}
	s.tasks = t
}

func (s *shard) unlink(t *Task) {
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		s.tasks = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next = nil, nil
}

func (g *Group) shardOf(t *Task) *shard { return &g.shards[t.id%nShards] }

// eachTask calls f for every live task, shard by shard, under the shard's
// lock.
func (g *Group) eachTask(f func(*Task)) {
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.Lock()
		for t := s.tasks; t != nil; t = t.next {
			f(t)
		}
		s.mu.Unlock()
	}
}
