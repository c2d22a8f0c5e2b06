package resource

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/multierr"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/group"
)

// A CutOffError is the error of a graceful close that ran out of time and
// cut off work it had accepted: the tasks of an opened resource still
// running when its close budget was spent (see [Open]), or the requests a
// server's drain cut off (see [Serve]). The work was cancelled, not lost
// silently: [Run] reports every CutOffError it meets and returns a
// non-zero exit code. Use it by pointer.
type CutOffError struct {
	// Resource names what was closing: the opened resource, or the server
	// ("http" and its address).
	Resource string
	// Limit is the close budget.
	Limit time.Duration
	// Cause is why the close was cut short before its budget was spent
	// ([Run]'s shutdown deadline, a second signal); nil when the budget
	// was spent.
	Cause error
	// CutOff lists what was cut off, oldest first: tasks by their path,
	// requests by method and path; each with how long it had run.
	CutOff []group.StuckTask
	// Err holds the failures of the resource, if any.
	Err error
}

// Error names the resource, its budget and everything that was cut off.
func (e *CutOffError) Error() string {
	var b strings.Builder
	if e.Cause != nil {
		fmt.Fprintf(&b, "resource: closing %s was cut short (%v) and cut off %d:", e.Resource, e.Cause, len(e.CutOff))
	} else {
		fmt.Fprintf(&b, "resource: closing %s took its whole budget of %v and cut off %d:", e.Resource, e.Limit, len(e.CutOff))
	}
	for _, c := range e.CutOff {
		fmt.Fprintf(&b, " %s (running %v);", c.Task, c.Age.Round(time.Millisecond))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " failures: %v", e.Err)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Unwrap returns the resource's failures, if any. It deliberately returns
// neither the Cause nor [context.DeadlineExceeded]: a group counts a task
// whose error matches its own context's as cancelled, not failed, and a
// cut-off must never be dropped that way when the parent's context has
// ended for the same reason. Match a cut-off with errors.As.
func (e *CutOffError) Unwrap() error { return e.Err }

// why says in a few words what cut c short, for Run's report.
func (e *CutOffError) why() string {
	if e.Cause != nil {
		return fmt.Sprintf("cut short: %v", e.Cause)
	}
	return fmt.Sprintf("budget %v", e.Limit)
}

// cutOffs returns every CutOffError in err's tree.
func cutOffs(err error) []*CutOffError {
	var out []*CutOffError
	var walk func(error)
	walk = func(err error) {
		switch x := err.(type) {
		case nil:
		case *CutOffError:
			out = append(out, x)
			walk(x.Err)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

// onlyCutOffs reports whether err is made only of CutOffErrors (and the
// notes that come with them), so that the exit code can say "cut off by
// the deadline" rather than "failed".
func onlyCutOffs(err error) bool {
	for _, e := range multierr.Errors(err) {
		if len(cutOffs(e)) == 0 {
			return false
		}
	}
	return err != nil
}

// drains records the longest drain configured for the tasks of an opened
// resource's group, which its close budget must cover. Serve finds it in
// its group's context.
type drains struct {
	mu  sync.Mutex // guards max
	max time.Duration
}

type drainsKey struct{}

// needDrain records that something in g drains for up to d once g starts
// closing. It does nothing for a group not made by Open.
func needDrain(g *group.Group, d time.Duration) {
	if dr, ok := g.Context().Value(drainsKey{}).(*drains); ok {
		dr.mu.Lock()
		dr.max = max(dr.max, d)
		dr.mu.Unlock()
	}
}

// longest returns the longest drain recorded; 0 for a nil drains.
func (dr *drains) longest() time.Duration {
	if dr == nil {
		return 0
	}
	dr.mu.Lock()
	defer dr.mu.Unlock()
	return dr.max
}

// closeGracefully closes an opened resource r, built in g with the Stack s,
// within its budget: it shuts g down (and r, if r is not g itself) without
// cancelling anything, so s's hooks run at once while the tasks finish
// what they accepted with their contexts intact; when the budget is spent,
// or hurry ends (Run's deadline, a second signal), it notes what still
// runs, cancels it, and returns a *CutOffError naming it.
func closeGracefully(name string, g *group.Group, s *Stack, r Resource, hurry context.Context, endHurry context.CancelCauseFunc) error {
	d := s.closeBudget()
	ctx, stop := context.WithCancelCause(context.WithoutCancel(g.Context()))
	defer stop(nil)
	var mu sync.Mutex // guards cut, hurried and cutAt
	var cut []group.StuckTask
	var hurried error // why, if not the budget
	cutAt := false
	limit := &cancel.TimeoutError{Name: "close " + name, Limit: d}
	cutOff := func(cause error) {
		mu.Lock()
		if !cutAt {
			cutAt = true
			cut = running(g, s)
			if cause != limit {
				hurried = cause
			}
		}
		mu.Unlock()
		endHurry(cause) // s's entries whose turn has not come run now
		stop(cause)
	}
	timer := time.AfterFunc(d, func() { cutOff(limit) })
	defer timer.Stop()
	defer context.AfterFunc(hurry, func() { cutOff(context.Cause(hurry)) })()

	var err error
	if r.Closing() == g.Closing() {
		err = g.Shutdown(ctx) // r is g, or embeds it
	} else {
		// r is built on something else (an executor on a subgroup of g,
		// say): both close gracefully, together, so that s's hooks still
		// run at the start of the turn.
		rerr := make(chan error, 1) // one send; received below
		go func() { rerr <- shutdownOrClose(ctx, r) }()
		err = g.Shutdown(ctx)
		err = multierr.Append(<-rerr, err)
	}
	mu.Lock()
	wasCut, list, why := cutAt, cut, hurried
	mu.Unlock()
	if g.State() == group.Closed {
		list = append(list, s.undone()...) // accepted, never taken
	}
	if len(list) == 0 {
		if wasCut && g.State() == group.Closed && r.Closing() == g.Closing() {
			// The budget ran out as the last task returned: nothing was
			// cut off, and Shutdown's note that it cancelled is no failure.
			return g.Wait()
		}
		return err
	}
	failures := err // still running after the grace: a ShutdownError names them
	if g.State() == group.Closed {
		failures = g.Wait() // returns at once, without the shutdown's note
	}
	return &CutOffError{Resource: name, Limit: d, Cause: why, CutOff: list, Err: failures}
}

// shutdownOrClose closes r gracefully if it can (a Shutdown(ctx) method,
// as a group or an executor has), else with Close.
func shutdownOrClose(ctx context.Context, r Resource) error {
	if sh, ok := r.(interface{ Shutdown(context.Context) error }); ok {
		return sh.Shutdown(ctx)
	}
	return r.Close()
}

// running lists what still runs in g and its subgroups — the work the
// budget cuts off — oldest first: every task not yet finished, except s's
// own (its closing sequence and its entries, which Stack reports itself)
// and the worker goroutines of executors (their jobs are listed).
func running(g *group.Group, s *Stack) []group.StuckTask {
	own := s.ownTasks()
	var out []group.StuckTask
	var walk func(sn group.Snapshot, top bool)
	walk = func(sn group.Snapshot, top bool) {
		for _, t := range sn.Tasks {
			if top && own[t.ID] {
				continue
			}
			name := t.Name
			if name == "" {
				name = fmt.Sprintf("#%d", t.ID)
			}
			out = append(out, group.StuckTask{Task: sn.Path + "/" + name, Age: t.Age})
		}
		for _, sub := range sn.Groups {
			if !strings.HasPrefix(sub.Path, sn.Path+"/") {
				continue // a linked resource: it reports for itself
			}
			if sn.Kind == "executor" && sub.Name == "workers" {
				continue
			}
			walk(sub, false)
		}
	}
	walk(g.Snapshot(), true)
	// Oldest first; tasks that never started (age 0) last.
	slices.SortStableFunc(out, func(a, b group.StuckTask) int { return cmp.Compare(b.Age, a.Age) })
	return out
}
