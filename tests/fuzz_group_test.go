package tests

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/nursery-go/nursery/group"
	"go.uber.org/multierr"
)

// Task kinds of FuzzGroupOps. Each task blocks until it is released or its
// context is cancelled; released, it does what its kind says; cancelled,
// it returns its context's error, except a catching task, which returns nil.
const (
	fzOK byte = iota
	fzFail
	fzPanic
	fzBlock
	fzCatch
	fzKinds
)

// fzTask is one task of a fuzz run with the state the model predicts.
type fzTask struct {
	id       int
	kind     byte
	sub      bool
	subGroup *fzGroup // the subgroup it was started in, if sub
	task     *group.Task
	release  chan struct{}
	want     group.TaskState
}

// fzGroup is the model of one group: whether it is open, its policy, the
// failures it reports from Wait and those its handler got.
type fzGroup struct {
	g          *group.Group
	open       bool
	closed     bool
	supervised bool
	failures   []int // task ids, each leaf of Wait's error
	raised     bool  // a failure holds a panic that Wait raises
	byParent   bool  // cancelled by its parent while open: Close reports it
	handled    []int
	got        [][]error // what the real handler got
}

// fzModel predicts a run of FuzzGroupOps.
type fzModel struct {
	t      *testing.T
	pae    bool
	root   *fzGroup
	sub    *fzGroup
	tasks  []*fzTask
	raised bool // a panic was raised already by a Close
}

// FuzzGroupOps decodes its input into a sequence of operations on a root
// group and one subgroup at a time (start a task of a kind, release a task,
// cancel a task, make, cancel or close the subgroup, cancel the root), runs
// them inside a synctest bubble, and after each one checks every task's
// state, the Stats and the groups' states against a model. At the end it
// closes the root and checks that its error and the handlers' hold exactly
// the failures the model predicts. The first byte chooses PanicsAsErrors
// and a supervised root.
func FuzzGroupOps(f *testing.F) {
	f.Add([]byte{0, 0, 8, 2, 1})
	f.Add([]byte{1, 0, 1, 2, 10, 3})
	f.Add([]byte{2, 0, 1, 2, 10, 11})
	f.Add([]byte{3, 2, 4, 12, 9, 17, 2, 10, 7, 6})
	f.Add([]byte{0, 4, 1, 9, 17, 25, 2, 10, 18, 7})
	f.Add([]byte{1, 4, 1, 9, 17, 5, 0, 2, 18, 6, 0})
	f.Add([]byte{2, 12, 1, 17, 33, 3, 11, 0, 16, 24, 7, 0})
	f.Add([]byte{0, 3, 24, 32, 11, 2, 6, 0, 4, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 || len(ops) > 64 {
			return
		}
		synctest.Test(t, func(t *testing.T) { runGroupOps(t, ops) })
	})
}

func runGroupOps(t *testing.T, ops []byte) {
	m := &fzModel{t: t, pae: ops[0]&1 != 0}
	m.root = &fzGroup{open: true, supervised: ops[0]&2 != 0}
	m.root.g = group.New(context.Background(), m.opts(m.root)...)
	for i, b := range ops[1:] {
		op, arg := b%8, int(b/8)
		switch op {
		case 0, 1:
			m.spawn(op == 1, byte(arg)%fzKinds)
		case 2:
			if len(m.tasks) > 0 {
				m.release(m.tasks[arg%len(m.tasks)])
			}
		case 3:
			if len(m.tasks) > 0 {
				m.cancelTask(m.tasks[arg%len(m.tasks)])
			}
		case 4:
			if m.sub == nil || m.sub.closed {
				m.newSub(arg%2 == 1)
			}
		case 5:
			if m.sub != nil {
				m.sub.g.Cancel()
				m.cancelGroup(m.sub)
			}
		case 6:
			m.root.g.Cancel()
			m.cancelGroup(m.root)
		case 7:
			if m.sub != nil {
				m.closeSub()
			}
		}
		synctest.Wait()
		m.settle()
		m.check(fmt.Sprintf("after op %d (%d, %d)", i, op, arg))
		if t.Failed() {
			t.FailNow()
		}
	}
	m.closeRoot()
}

func (m *fzModel) opts(fg *fzGroup) []group.Option {
	opts := []group.Option{quiet}
	if m.pae && fg == m.root {
		opts = append(opts, group.PanicsAsErrors())
	}
	if fg.supervised {
		opts = append(opts, group.OnError(func(err error) { fg.got = append(fg.got, []error{err}) }))
	}
	return opts
}

func (m *fzModel) newSub(supervised bool) {
	m.sub = &fzGroup{supervised: supervised, open: m.root.open, closed: !m.root.open}
	m.sub.g = m.root.g.Subgroup(m.opts(m.sub)...)
}

func (m *fzModel) spawn(sub bool, kind byte) {
	fg := m.root
	if sub {
		if m.sub == nil {
			return
		}
		fg = m.sub
	}
	ft := &fzTask{id: len(m.tasks) + 1, kind: kind, sub: sub, release: make(chan struct{})}
	if sub {
		ft.subGroup = m.sub
	}
	ft.task = fg.g.Go(func(ctx context.Context) error {
		select {
		case <-ft.release:
			switch kind {
			case fzFail:
				return &failError{ft.id}
			case fzPanic:
				panic(panicValue{ft.id})
			}
			return nil
		case <-ctx.Done():
			if kind == fzCatch {
				return nil
			}
			return ctx.Err()
		}
	})
	ft.want = group.Running
	if !fg.open {
		ft.want = group.Refused
	}
	m.tasks = append(m.tasks, ft)
}

// release lets a running task do what its kind says.
func (m *fzModel) release(ft *fzTask) {
	if ft.want != group.Running {
		return
	}
	close(ft.release)
	ft.release = nil
	switch ft.kind {
	case fzFail:
		ft.want = group.Failed
		m.fail(ft.owner(m), []int{ft.id}, false)
	case fzPanic:
		ft.want = group.Failed
		m.fail(ft.owner(m), []int{ft.id}, !m.pae)
	default:
		ft.want = group.Succeeded
	}
}

func (ft *fzTask) owner(m *fzModel) *fzGroup {
	if ft.sub {
		return ft.subGroup
	}
	return m.root
}

// fail delivers a failure (task ids, and whether it holds a raised panic)
// to fg under its policy.
func (m *fzModel) fail(fg *fzGroup, ids []int, raised bool) {
	if fg.supervised && !raised {
		fg.handled = append(fg.handled, ids...)
		return
	}
	fg.failures = append(fg.failures, ids...)
	fg.raised = fg.raised || raised
	m.cancelGroup(fg)
}

// cancelTask cancels one task: a waiting task returns its context's error
// and is Canceled, or nil and Succeeded if it catches cancellation.
func (m *fzModel) cancelTask(ft *fzTask) {
	ft.task.Cancel()
	if ft.want != group.Running {
		return
	}
	if ft.kind == fzCatch {
		ft.want = group.Succeeded
	} else {
		ft.want = group.Canceled
	}
}

// cancelGroup starts closing fg and cancels its tasks (and, for the root,
// the subgroup).
func (m *fzModel) cancelGroup(fg *fzGroup) {
	if !fg.open {
		return
	}
	fg.open = false
	for _, ft := range m.tasks {
		if ft.owner(m) == fg {
			if ft.want == group.Running {
				if ft.kind == fzCatch {
					ft.want = group.Succeeded
				} else {
					ft.want = group.Canceled
				}
			}
		}
	}
	if fg == m.root && m.sub != nil && m.sub.open {
		m.sub.byParent = true
		m.cancelGroup(m.sub)
	}
}

// settle closes a subgroup that is closing and has nothing running, and
// hands its failures to the root as one failure.
func (m *fzModel) settle() {
	s := m.sub
	if s == nil || s.open || s.closed {
		return
	}
	for _, ft := range m.tasks {
		if ft.subGroup == s && ft.want == group.Running {
			return
		}
	}
	s.closed = true
	if len(s.failures) > 0 {
		m.fail(m.root, s.failures, s.raised)
	}
}

func (m *fzModel) closeSub() {
	s := m.sub
	m.cancelGroup(s)
	m.settle()
	var err error
	v := within(m.t, "subgroup Close", func() { err = s.g.Close() })
	// The first Close to return in the tree raises a panic; later ones
	// return it as an error.
	m.checkRaise("subgroup Close", v, s.raised && !m.raised)
	if v != nil {
		m.raised = true
		return
	}
	// A subgroup that its parent cancelled reports that cancellation, with
	// the parent's cause; one its owner closed first does not.
	failures, canceled := splitCanceled(err)
	if canceled != s.byParent {
		m.t.Errorf("subgroup Close: error %v reports a cancellation: %v, want %v (cancelled by its parent)", err, canceled, s.byParent)
	}
	m.checkErr("subgroup Close", failures, s.failures)
}

// splitCanceled takes the reported cancellation out of a group's error:
// it returns the failures that are left and whether there was one.
func splitCanceled(err error) (error, bool) {
	var rest []error
	canceled := false
	// Only multierr's own combination is split: a reported cancellation
	// unwraps into context.Canceled and its cause, and stays whole.
	elems := []error{err}
	if m, ok := err.(interface{ Errors() []error }); ok {
		elems = m.Errors()
	}
	for _, e := range elems {
		if e == nil {
			continue
		}
		switch e.(type) {
		case *failError, *group.PanicError:
			rest = append(rest, e)
			continue
		}
		if errors.Is(e, context.Canceled) {
			canceled = true
			continue
		}
		rest = append(rest, e)
	}
	return multierr.Combine(rest...), canceled
}

// checkRaise checks that a Close raised a panic exactly when it must.
func (m *fzModel) checkRaise(what string, v any, want bool) {
	m.t.Helper()
	if (v != nil) != want {
		m.t.Errorf("%s: panicked with %v, want a panic: %v", what, v, want)
	}
	if v != nil {
		if _, ok := v.(*group.PanicError); !ok {
			m.t.Errorf("%s raised %T %v, not a *group.PanicError", what, v, v)
		}
	}
}

// checkErr checks that err holds exactly the failures of the tasks ids.
func (m *fzModel) checkErr(what string, err error, ids []int) {
	m.t.Helper()
	got := errIDs(m.t, what, err)
	want := slices.Clone(ids)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		m.t.Errorf("%s: error %v holds the failures of tasks %v, want %v", what, err, got, want)
	}
}

// errIDs returns the ids of the tasks whose failures err holds.
func errIDs(t *testing.T, what string, err error) []int {
	var ids []int
	leaves(err, func(e error) {
		var fe *failError
		var pe *group.PanicError
		switch {
		case errors.As(e, &fe):
			ids = append(ids, fe.id)
		case errors.As(e, &pe):
			if pv, ok := pe.Value.(panicValue); ok {
				ids = append(ids, pv.id)
				return
			}
			t.Errorf("%s: a panic of no task: %v", what, pe.Value)
		default:
			t.Errorf("%s: %T %v is no task's failure", what, e, e)
		}
	})
	return ids
}

func (m *fzModel) closeRoot() {
	m.cancelGroup(m.root)
	m.settle()
	var err error
	v := within(m.t, "root Close", func() { err = m.root.g.Close() })
	m.checkRaise("root Close", v, m.root.raised && !m.raised)
	if v != nil {
		err = m.root.g.Wait() // later calls return the panic as an error
	}
	m.checkErr("root Close", err, m.root.failures)
	for _, fg := range []*fzGroup{m.root, m.sub} {
		if fg == nil {
			continue
		}
		var got []int
		for _, errs := range fg.got {
			for _, e := range errs {
				got = append(got, errIDs(m.t, "handler", e)...)
			}
		}
		want := slices.Clone(fg.handled)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			m.t.Errorf("OnError handler got the failures of tasks %v, want %v", got, want)
		}
	}
	m.check("after the root's Close")
	if m.root.g.State() != group.Closed {
		m.t.Errorf("root is %v after Close", m.root.g.State())
	}
}

// check compares every task and group with the model.
func (m *fzModel) check(when string) {
	m.t.Helper()
	var want [2]group.Stats
	for _, ft := range m.tasks {
		if got := ft.task.State(); got != ft.want && !(ft.want == group.Running && got == group.Pending) {
			m.t.Errorf("%s: task %d (kind %d, in sub %v) is %v, want %v (err %v)", when, ft.id, ft.kind, ft.sub, got, ft.want, ft.task.Err())
		}
		i := 0
		if ft.sub {
			if ft.subGroup != m.sub {
				continue // an earlier subgroup
			}
			i = 1
		}
		w := &want[i]
		w.Spawned++
		switch ft.want {
		case group.Running:
			w.Running++
		case group.Succeeded:
			w.Succeeded++
		case group.Failed:
			w.Failed++
		case group.Canceled:
			w.Canceled++
		case group.Refused:
			w.Refused++
		}
	}
	for i, fg := range []*fzGroup{m.root, m.sub} {
		if fg == nil {
			continue
		}
		if got := fg.g.Stats(); got != want[i] {
			m.t.Errorf("%s: Stats of group %d: got %+v, want %+v", when, i, got, want[i])
		}
		if open := fg.g.State() == group.Open; open != fg.open {
			m.t.Errorf("%s: group %d is %v, model open: %v", when, i, fg.g.State(), fg.open)
		}
	}
}
