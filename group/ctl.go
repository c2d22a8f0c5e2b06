package group

import (
	"sync"
	"sync/atomic"
)

// A group's control word counts its live tasks and subgroups and holds the
// flags that decide admission, so that Go admits a task and a finishing
// task leaves without taking the group's mutex: on a spawn-heavy workload
// the spawner and the finishing tasks would otherwise queue on it.
const (
	ctlCount    = 1<<40 - 1 // live tasks (held ones included) and subgroups
	ctlCanceled = 1 << 60   // the group's cancellation walks its tasks (see admit)
	ctlWaiting  = 1 << 61   // Wait or Shutdown asked to close once drained
	ctlClosing  = 1 << 62   // refuses new tasks
	ctlClosed   = 1 << 63
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
// Tasks go to parts by id, so that spawners and finishing tasks spread
// their writes over several cache lines.
const nShards = 8

// A shard holds part of a group's live tasks and the counts of the tasks
// that went through it. Nothing in it takes a lock on a task's way in or
// out:
//
//   - a spawner counts the task and pushes it on the list (a CAS on head);
//   - a finishing task publishes its final state, then counts it; it stays
//     on the list, skipped by readers, until a sweep unlinks it. A sweep
//     runs when a shard holds more finished tasks than live ones (and
//     than sweepEvery), so unlinking costs O(1) a task, amortised, and a
//     list holds at most about twice its live tasks plus 4*sweepEvery.
//
// Readers (cancellation, snapshots, Shutdown's report) walk the list
// without a lock. Tasks are only ever pushed at the head and an unlinked
// task keeps its next pointer, so a walk that stands on a task being
// unlinked still reaches every task older than it: no live task is missed.
//
// Stats are derived: Running is Spawned less the tasks refused and
// finished. See Group.Stats and Group.snapshot for the order in which the
// counts are read so that they stay consistent.
type shard struct {
	// Written by spawners. (How many tasks went to the shard follows from
	// the group's nextID: see spawnedIn.)
	head    atomic.Pointer[Task] // newest first
	refused atomic.Int64
	_       [48]byte // keeps the two halves off each other's cache line

	// Written by finishing tasks.
	succeeded atomic.Int64
	failed    atomic.Int64
	canceled  atomic.Int64
	swept     atomic.Int64 // finished tasks unlinked, guarded by sweeping for writes
	sweeps    atomic.Int64 // sweeps done: their cost is amortised only if they are rare
	sweeping  sync.Mutex
	_         [16]byte
}

// push links t at the head of the list.
func (s *shard) push(t *Task) {
	for {
		h := s.head.Load()
		t.next.Store(h)
		if s.head.CompareAndSwap(h, t) {
			return
		}
	}
}

// counted adds t, which reached state, to its shard's counts, and sweeps
// the shard's list now and then.
func (g *Group) counted(t *Task, state TaskState) {
	i := t.id % nShards
	s := &g.shards[i]
	var n int64
	switch state {
	case Succeeded:
		n = s.succeeded.Add(1)
	case Failed:
		n = s.failed.Add(1)
	default:
		n = s.canceled.Add(1)
	}
	if n%sweepEvery == 0 {
		st := g.shardStats(int(i))
		if st.Succeeded+st.Failed+st.Canceled-s.swept.Load() > max(st.Running, sweepEvery) {
			s.sweep()
		}
	}
}

// sweepEvery is how many tasks of one state a shard counts between two
// looks at whether its list needs sweeping.
const sweepEvery = 64

// sweep unlinks finished tasks from the list, unless another sweep is
// under way. Only a sweep changes a linked task's next pointer, and it
// never changes the next pointer of the task it unlinks.
func (s *shard) sweep() {
	if !s.sweeping.TryLock() {
		return
	}
	defer s.sweeping.Unlock()
	s.sweeps.Add(1)
	var n int64
	p := s.head.Load()
	// The head is unlinked only by a CAS, which fails when a spawner has
	// pushed meanwhile; then it stays, finished, until the next sweep.
	for p != nil && p.State().Final() && s.head.CompareAndSwap(p, p.next.Load()) {
		n++
		p = s.head.Load()
	}
	for p != nil {
		next := p.next.Load()
		q := next
		for q != nil && q.State().Final() {
			q = q.next.Load()
			n++
		}
		if q != next {
			p.next.Store(q)
		}
		p = q
	}
	s.swept.Add(n)
}

// shardStats returns the counts of shard i, read so that Running (derived)
// is never negative: a task counted as finished or refused had its id
// before, and nextID is read last.
func (g *Group) shardStats(i int) Stats {
	s := &g.shards[i]
	var st Stats
	st.Succeeded = s.succeeded.Load()
	st.Failed = s.failed.Load()
	st.Canceled = s.canceled.Load()
	st.Refused = s.refused.Load()
	st.Spawned = spawnedIn(g.nextID.Load(), i)
	st.Running = st.Spawned - st.Refused - st.Succeeded - st.Failed - st.Canceled
	return st
}

// spawnedIn returns how many of the tasks numbered 1 to n went to shard i:
// every task spawned has an id, refused ones included, so the group's
// nextID counts them without a counter of their own.
func spawnedIn(n uint64, i int) int64 {
	return int64((n + uint64(nShards-i)%nShards) / nShards)
}

func (g *Group) shardOf(t *Task) *shard { return &g.shards[t.id%nShards] }

// eachTask calls f for every live task, shard by shard. It takes no lock:
// a task that starts meanwhile may be left out, and one that finishes
// meanwhile may be included.
func (g *Group) eachTask(f func(*Task)) {
	for i := range g.shards {
		for t := g.shards[i].head.Load(); t != nil; t = t.next.Load() {
			if !t.State().Final() {
				f(t)
			}
		}
	}
}
