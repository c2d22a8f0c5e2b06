package group

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"
)

// selfWaitCheck is how long a Wait, Close or Shutdown may block before it
// checks whether it is called from one of the group's own tasks.
//
// The check needs a goroutine profile, which stops the world and costs time
// in proportion to the number of goroutines, so it is not done up front:
// tasks that wait for subgroups they made are common and legitimate, and
// they mostly finish quickly. A wait that could never end is found after
// this delay instead of never. Only one check runs at a time in a process;
// a wait that finds another one running tries again later, waiting twice as
// long each time up to maxSelfWaitCheck, and keeps watching its group all
// the while.
const (
	selfWaitCheck    = time.Second
	maxSelfWaitCheck = time.Minute
)

// await waits until the group is Closed (and reports true) or stop is
// closed (false). When its caller is one of the group's own tasks, it
// returns ErrWaitInTask instead of waiting forever. stop may be nil.
func (g *Group) await(stop <-chan struct{}) (bool, error) {
	select {
	case <-g.done:
		return true, nil
	case <-stop:
		return false, nil
	default:
	}
	delay := selfWaitCheck
	check := time.NewTimer(delay)
	defer check.Stop()
	for {
		select {
		case <-g.done:
			return true, nil
		case <-stop:
			return false, nil
		case <-check.C:
		}
		if !inTask() {
			break // not a task: nothing to check, ever
		}
		if !profileMu.TryLock() {
			delay = min(2*delay, maxSelfWaitCheck)
			check.Reset(delay)
			continue
		}
		self := g.holdsCaller()
		profileMu.Unlock()
		if self {
			return false, ErrWaitInTask
		}
		break // the caller is not ours; it stays that way
	}
	select {
	case <-g.done:
		return true, nil
	case <-stop:
		return false, nil
	}
}

// runFunc is the name runtime.CallersFrames gives the function that runs every
// task, in its own goroutine (Task.run) or in a worker's (Task.Run).
const runFunc = "github.com/nursery-go/nursery/group.(*Task).execute"

// inTask reports whether the calling goroutine is running a task of some
// group (any group: which one is found by holdsCaller).
func inTask() bool {
	pcs := make([]uintptr, 256)
	for {
		n := runtime.Callers(2, pcs)
		if n < len(pcs) {
			pcs = pcs[:n]
			break
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if f.Function == runFunc {
			return true
		}
		if !more {
			return false
		}
	}
}

// profileMu makes callerGroup the only function of its name on any
// goroutine's stack while it takes its profile, so that the profile record
// holding it is the caller's own.
var profileMu sync.Mutex

// holdsCaller reports whether the caller is a task of g or of one of its
// subgroups. The caller holds profileMu.
func (g *Group) holdsCaller() bool {
	id, ok := callerGroup()
	return ok && (id == g.idPath || strings.HasPrefix(id, g.idPath+"/"))
}

// callerGroup returns the group id path in the calling goroutine's pprof
// labels. Go has no goroutine-local storage and no public way to read a
// goroutine's labels, except a goroutine profile, which lists each stack
// with its labels.
//
//go:noinline
func callerGroup() (string, bool) {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return "", false
	}
	const marker = "group.callerGroup+"
	key := `"` + labelGroupID + `":"`
	for _, rec := range strings.Split(buf.String(), "\n\n") {
		if !strings.Contains(rec, marker) {
			continue
		}
		_, rest, ok := strings.Cut(rec, key)
		if !ok {
			return "", false
		}
		id, _, ok := strings.Cut(rest, `"`)
		return id, ok
	}
	return "", false
}
