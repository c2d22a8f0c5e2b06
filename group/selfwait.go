package group

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// selfWaitCheck is how long a Wait, Close or Shutdown may block before it
// checks whether it is called from one of the group's own tasks.
//
// The check reads the task the caller runs from the caller's own stack
// trace (callerTasks) and looks for it in the group's tree, which costs in
// proportion to the tasks of the group waited for; tasks that wait for
// subgroups they made are common and legitimate, and mostly finish
// quickly, so it is not done up front. When the trace cannot tell, it
// takes a goroutine profile instead, which stops the world: only one such
// check runs at a time in a process; a wait that finds another one running
// tries again later, waiting twice as long each time up to
// maxSelfWaitCheck, and keeps watching its group all the while.
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
		if addrs, ok := callerTasks(); ok {
			if g.holdsAny(addrs) {
				return false, ErrWaitInTask
			}
			break
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
// task, in its own goroutine (Task.run) or in a worker's (runHeld).
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

// callerTasks returns the addresses of the tasks the calling goroutine
// runs (one, or more when a task runs a held task in its own goroutine), as
// its own stack trace prints them: the receiver of each Task.execute
// frame. It costs a trace of this goroutine only, and stops nothing. It
// reports false when a frame's receiver is not printed reliably (the
// trace marks such a value with "?"); the caller then takes the goroutine
// profile.
func callerTasks() ([]uintptr, bool) {
	buf := make([]byte, 16<<10)
	for {
		n := runtime.Stack(buf, false)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	const frame = runFunc + "("
	var addrs []uintptr
	for s := string(buf); ; {
		i := strings.Index(s, frame)
		if i < 0 {
			break
		}
		s = s[i+len(frame):]
		end := strings.IndexAny(s, ",)")
		if end < 0 {
			return nil, false
		}
		a, err := strconv.ParseUint(strings.TrimPrefix(s[:end], "0x"), 16, 64)
		if err != nil || strings.HasPrefix(s[end:], ",?") || strings.HasPrefix(s[end:], ")?") || strings.Contains(s[:end], "?") {
			return nil, false
		}
		addrs = append(addrs, uintptr(a))
	}
	return addrs, len(addrs) > 0
}

// holdsAny reports whether one of the tasks at addrs is a live task of g or
// of one of its subgroups. It compares addresses only: a task that the
// calling goroutine runs is live, so its address is not reused.
func (g *Group) holdsAny(addrs []uintptr) bool {
	found := false
	g.eachTask(func(t *Task) {
		if slices.Contains(addrs, uintptr(unsafe.Pointer(t))) {
			found = true
		}
	})
	if found {
		return true
	}
	g.mu.Lock()
	subs := g.subsLocked()
	g.mu.Unlock()
	for _, sg := range subs {
		if sg.holdsAny(addrs) {
			return true
		}
	}
	return false
}

// profilesTaken counts the goroutine profiles taken, for tests.
var profilesTaken atomic.Int64

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
	profilesTaken.Add(1)
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
