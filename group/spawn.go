package group

import (
	"context"
	"errors"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"sync"
)

// Go starts fn in a new goroutine as a task of the group and returns the
// task. It never blocks. fn receives the task's context, which is cancelled
// when the task is cancelled or the group starts closing; [context.Cause]
// tells why.
//
// On a group that is not open, Go starts nothing and returns a task already
// [Refused] with [ErrClosed] (wrapping the group's cause when a failure or a
// cancellation closed it): refused work is visible, never dropped
// silently. A task started from another task of the group is accepted while
// the group is open, including while [Group.Wait] waits.
//
// If fn panics, the panic is recovered into a [*PanicError], reported to the
// group's panic hook at once, and treated as a failure that cancels the
// group; [Group.Wait] then raises it again unless the group was made with
// [PanicsAsErrors].
//
// Go panics if fn is nil.
func (g *Group) Go(fn func(ctx context.Context) error, opts ...Option) *Task {
	if fn == nil {
		panic("group: Go with nil function")
	}
	t := &Task{body: taskFunc(fn)}
	g.spawn(t, opts)
	return t
}

// spawn applies options, admits t and starts its goroutine unless it is
// held by hold.
func (g *Group) spawn(t *Task, opts []Option) {
	g.prepare(t, opts, 0)
	if g.admit(t) && t.flags.Load()&flagHeld == 0 {
		go t.run() // flagStarted matters to held tasks only
	}
}

// prepare makes the group usable and gives t its record and the flags its
// options ask for, less those in drop.
func (g *Group) prepare(t *Task, opts []Option, drop int32) {
	g.lazy()
	t.meta = &g.meta
	if len(opts) > 0 {
		name, flags := taskOpts(opts)
		t.meta = g.metaFor(name)
		t.flags.Store(flags &^ drop)
	}
}

// taskOpts reads task options: Name, and this package's own hold and
// internal, with a type switch, so that no options struct escapes to the
// heap.
func taskOpts(opts []Option) (name string, flags int32) {
	for _, opt := range opts {
		switch o := opt.(type) {
		case nameOption:
			name = string(o)
		case holdOption:
			flags |= flagHeld
		case internalOption:
			flags |= flagInternal
		case lateOption:
			flags |= flagLate
		case nil:
			panic("group: nil Option given to a task")
		default:
			panic("group: a group's Option given to a task: only Name applies to a task")
		}
	}
	return name, flags
}

// admit counts t into the group, or refuses it when the group is not open.
func (g *Group) admit(t *Task) bool {
	t.id = g.nextID.Add(1)
	s := g.shardOf(t)
	if !g.join() && (t.flags.Load()&flagLate == 0 || !g.joinLate()) {
		s.refused.Add(1)
		t.flags.Or(flagCancel) // a held task must never be started
		g.mu.Lock()
		err := refusal(g.cause)
		g.mu.Unlock()
		t.finish(Refused, err)
		if o := g.opts.observer; o != nil {
			o(Event{Kind: TaskRefused, Group: g, Task: t, Err: err})
		}
		return false
	}
	if t.flags.Load()&flagInternal != 0 {
		g.nInternal.Add(1)
	}
	s.push(t)
	// The group's cancellation sets ctlCanceled, then walks the lists: it
	// sees t, or t sees the flag here, or both (cancelling twice is
	// harmless), so no task admitted before it goes uncancelled.
	if g.ctl.Load()&ctlCanceled != 0 {
		g.cancelLate(t)
	}
	return true
}

// ending says how a task's function ended.
type ending int8

const (
	returned ending = iota
	panicked
	goexited
	neverRan // cancelled before it started
)

// run is the body of every task goroutine.
func (t *Task) run() {
	pprof.SetGoroutineLabels(t.meta.labels)
	t.execute(nil)
}

// runHere runs the task in the calling goroutine (runHeld).
func (t *Task) runHere() {
	pprof.SetGoroutineLabels(t.meta.labels)
	t.execute(nil)
}

// execute calls the task's function and accounts for how it ended. A
// non-nil instead ends the task with that error without calling the
// function (Task.endHeld).
func (t *Task) execute(instead error) {
	g := t.meta.g
	normal := false
	defer func() {
		if !normal {
			g.recovered(t, recover())
		}
	}()
	if t.flags.Load()&flagCancel != 0 {
		normal = true
		g.taskDone(t, ErrCanceled, neverRan)
		return
	}
	// The clock is read when the task starts running, not on the
	// spawner's path, where a clock read is a large part of the cost. The
	// time it began is also what makes it Running (see State).
	t.setBegan()
	if o := g.opts.observer; o != nil {
		o(Event{Kind: TaskStarted, Group: g, Task: t})
	}
	err := instead
	if err == nil {
		if g.opts.trace && trace.IsEnabled() {
			err = t.runTraced()
		} else {
			err = t.body.runTask((*taskCtx)(t))
		}
	}
	normal = true
	g.taskDone(t, err, returned)
}

// recovered handles a task that did not return: r is what recover returned,
// nil after runtime.Goexit.
func (g *Group) recovered(t *Task, r any) {
	if r == nil {
		g.taskDone(t, ErrGoexit, goexited)
		return
	}
	pe := &PanicError{Value: r, Stack: debug.Stack(), Task: t.path()}
	g.opts.onPanic(pe)
	g.taskDone(t, pe, panicked)
}

// goroutinePanicked handles r, a panic recovered in a goroutine of the library
// counted in g (groupctl.Enter), as taskDone handles a task named name that
// panicked.
func (g *Group) goroutinePanicked(name string, r any) {
	pe := &PanicError{Value: r, Stack: debug.Stack(), Task: g.path + "/" + name}
	g.opts.onPanic(pe)
	if g.opts.onError != nil && g.opts.panicsAsErrors {
		g.opts.onError(pe)
		return
	}
	g.mu.Lock()
	g.failLocked(pe)
	g.unlock()
}

// taskDone classifies how t ended and accounts for it.
func (g *Group) taskDone(t *Task, err error, how ending) {
	state := Succeeded
	switch {
	case how == panicked || how == goexited:
		state = Failed
	case how == neverRan:
		state = Canceled
	case err == nil:
	case t.canceledBy(err):
		state = Canceled
	default:
		state = Failed
	}
	// A failure before Start's ready goes to Start's caller, not the group.
	against := state == Failed && (how == panicked || !beforeReady(t))
	report := err
	if against && how != panicked {
		report = &TaskError{Group: g.path, Name: t.meta.name, ID: t.id, Err: err}
	}
	if against && g.opts.onError != nil && (how != panicked || g.opts.panicsAsErrors) {
		// Supervised: the handler runs before the task counts as finished,
		// so that it never runs after Wait has returned.
		g.opts.onError(report)
		against = false
	}
	if g.opts.observer != nil {
		// Like the handler above, before the task counts as finished.
		g.emitTaskEnd(t, state, err, how)
	}
	if state == Canceled && how == returned {
		t.flags.Or(flagOutcome) // before finish publishes the state: see Err
	}
	// Published, then counted: a snapshot that lists t (not yet final) can
	// never have counted it as finished (see snapshot). Counted before
	// anyone waiting on t is woken, so they see it in Stats.
	t.publish(state, err)
	g.counted(t, state)
	t.wake()
	if against {
		g.mu.Lock()
		g.failLocked(report)
		g.unlock()
	}
	if t.flags.Load()&flagInternal != 0 {
		g.nInternal.Add(-1)
	}
	g.leave()
}

// canceledBy reports whether err is the task's answer to its own
// cancellation: its context is done and err is that context's error or cause.
func (t *Task) canceledBy(err error) bool {
	var ctx context.Context = (*taskCtx)(t)
	if ctx.Err() == nil {
		// The group's context may have ended from outside before the
		// group got to the task's.
		if ctx = t.meta.g.ctx; ctx.Err() == nil {
			return false
		}
	}
	return errors.Is(err, ctx.Err()) || errors.Is(err, context.Cause(ctx))
}

// Start starts fn as a task of the group and blocks until the task calls
// ready: until a listener is bound or a connection is up. It returns nil
// once ready was called. If fn returns before calling ready, Start returns
// fn's error (or [ErrNotReady] if that is nil), and that error does not
// count against the group. If ctx ends first, Start cancels the task and
// returns ctx's cause; the task still belongs to the group. A panic is
// handled as in [Group.Go] and Start returns the [*PanicError]. After ready
// the task belongs to the group like any other.
//
// On a group that is not open, Start returns [ErrClosed] (wrapping the
// group's cause when a failure or a cancellation closed it) and runs
// nothing.
//
// Start panics if fn is nil.
func (g *Group) Start(ctx context.Context, fn func(ctx context.Context, ready func()) error, opts ...Option) error {
	mustContext(ctx, "Group.Start")
	if fn == nil {
		panic("group: Start with nil function")
	}
	s := &startBody{fn: fn, ready: make(chan struct{})}
	t := &Task{body: s}
	g.prepare(t, opts, flagHeld)
	if !g.admit(t) {
		return t.Err()
	}
	go t.run()
	select {
	case <-s.ready:
		return nil
	case <-t.Done():
		if s.isReady() {
			return nil
		}
		if err := t.Err(); err != nil {
			return err
		}
		return ErrNotReady
	case <-ctx.Done():
		if s.isReady() {
			return nil
		}
		t.Cancel()
		return context.Cause(ctx)
	}
}

// startBody is the body of a task made by Start.
type startBody struct {
	fn    func(ctx context.Context, ready func()) error
	once  sync.Once
	ready chan struct{}
}

func (s *startBody) runTask(ctx context.Context) error { return s.fn(ctx, s.markReady) }

func (s *startBody) describe(funcs map[uintptr]funcInfo) (string, string) {
	return describeFunc(s.fn, funcs)
}

func (s *startBody) markReady() { s.once.Do(func() { close(s.ready) }) }

func (s *startBody) isReady() bool {
	select {
	case <-s.ready:
		return true
	default:
		return false
	}
}

// beforeReady reports whether t was made by Start and has not called ready.
func beforeReady(t *Task) bool {
	s, ok := t.body.(*startBody)
	return ok && !s.isReady()
}
