package executor

// Stats counts an executor's jobs and what it is doing. At every moment
// Submitted = Running + Waiting + Succeeded + Failed + Canceled.
type Stats struct {
	// Submitted counts the jobs accepted by Submit, TrySubmit, Enqueue,
	// Async and Exec.
	Submitted int64 `json:"submitted"`
	// Running counts jobs given to a worker and not finished.
	Running int64 `json:"running"`
	// Waiting counts jobs that wait for a worker, queued by Submit (see
	// QueueDepth) or in Enqueue's backlog; a job cancelled there is
	// Canceled at once.
	Waiting int64 `json:"waiting"`
	// Blocked counts Submit, Async and Exec calls blocked for a worker.
	Blocked int64 `json:"blocked"`
	// Workers counts worker goroutines: running a job, or starting with one.
	Workers int64 `json:"workers"`
	// Succeeded, Failed and Canceled count finished jobs by final state,
	// with the meaning of [group.TaskState].
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	Canceled  int64 `json:"canceled"`
}

// Stats returns the executor's counts. It can be called at any time. The
// job counts come from the executor's group, read after its own counts, so
// a job that changes state in between shows in its new state.
func (ex *Executor) Stats() Stats {
	ex.mustBeMade("Executor.Stats")
	ex.mu.Lock()
	s := Stats{
		Waiting: int64(ex.pendingLocked()),
		Blocked: int64(ex.waiters.len()),
		Workers: int64(ex.running),
	}
	ex.mu.Unlock()
	gs := ex.g.Stats()
	s.Waiting = min(s.Waiting, gs.Running)
	s.Submitted = gs.Spawned - gs.Refused
	s.Running = gs.Running - s.Waiting
	s.Succeeded, s.Failed, s.Canceled = gs.Succeeded, gs.Failed, gs.Canceled
	return s
}

// info gives a group snapshot the executor's counts (groupctl.Describe).
func (ex *Executor) info() map[string]int64 {
	if !ex.built.Load() {
		// A snapshot taken while New runs: the executor has no counts yet.
		return map[string]int64{"max_workers": int64(ex.max)}
	}
	s := ex.Stats()
	return map[string]int64{
		"max_workers": int64(ex.max),
		"workers":     s.Workers,
		"waiting":     s.Waiting,
		"blocked":     s.Blocked,
		"submitted":   s.Submitted,
	}
}
