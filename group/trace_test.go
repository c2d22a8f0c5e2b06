package group_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/trace"
	"strings"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// traceEvent is one user annotation of an execution trace, as
// go tool trace -d=parsed prints it.
type traceEvent struct {
	kind          string // TaskBegin, TaskEnd, RegionBegin, RegionEnd, Log
	id, parent    string // tasks: ID and Parent
	task          string // regions and logs: the task they belong to
	typ           string // tasks and regions: Type
	category, msg string // logs
}

var (
	traceLine  = regexp.MustCompile(`^M=-?\d+ P=-?\d+ G=-?\d+ (TaskBegin|TaskEnd|RegionBegin|RegionEnd|Log) Time=\d+ (.*)$`)
	traceField = regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S+)`)
)

// parseTrace runs go tool trace -d=parsed on the trace in file, which fails
// on a trace it cannot parse, and returns the user annotations in it.
func parseTrace(t *testing.T, file string) []traceEvent {
	t.Helper()
	gobin, err := exec.LookPath("go")
	require.NoError(t, err, "go tool trace checks the trace: the go command must be on PATH")
	out, err := exec.Command(gobin, "tool", "trace", "-d=parsed", file).CombinedOutput()
	require.NoError(t, err, "go tool trace could not parse the trace: %s", lastLines(out, 10))
	var evs []traceEvent
	for line := range strings.Lines(string(out)) {
		m := traceLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		ev := traceEvent{kind: m[1]}
		for _, f := range traceField.FindAllStringSubmatch(m[2], -1) {
			v := strings.Trim(f[2], `"`)
			switch f[1] {
			case "ID":
				ev.id = v
			case "Parent":
				ev.parent = v
			case "Task":
				ev.task = v
			case "Type":
				ev.typ = v
			case "Category":
				ev.category = v
			case "Message":
				ev.msg = v
			}
		}
		evs = append(evs, ev)
	}
	return evs
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// find returns the events of kind whose type (tasks, regions) or category
// (logs) is typ.
func find(evs []traceEvent, kind, typ string) []traceEvent {
	var found []traceEvent
	for _, ev := range evs {
		if ev.kind == kind && (ev.typ == typ || ev.category == typ) {
			found = append(found, ev)
		}
	}
	return found
}

// recordTrace records an execution trace while fn runs.
func recordTrace(t *testing.T, fn func()) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, trace.Start(&buf))
	defer trace.Stop()
	fn()
	trace.Stop()
	return buf.Bytes()
}

// writeTrace writes b to a file in a test directory and returns its name.
func writeTrace(t *testing.T, b []byte) string {
	file := filepath.Join(t.TempDir(), "out.trace")
	require.NoError(t, os.WriteFile(file, b, 0o644))
	return file
}

// TestTraceShowsTheTree records a trace of a traced group with a subgroup
// and checks that go tool trace reads the tree from it: each group a trace
// task under its parent's, each task a region in its group's task, a
// failure logged, and everything ended.
func TestTraceShowsTheTree(t *testing.T) {
	b := recordTrace(t, func() {
		g := group.New(context.Background(), group.Name("root"), group.Trace(), group.OnError(func(error) {}))
		sub := g.Subgroup(group.Name("sub"), group.OnError(func(error) {}))
		sub.Go(func(context.Context) error { return nil }, group.Name("fetch"))
		sub.Go(func(context.Context) error { return errors.New("boom") }, group.Name("store"))
		g.Go(func(context.Context) error { return nil })
		require.NoError(t, sub.Wait())
		require.NoError(t, g.Wait())
	})

	evs := parseTrace(t, writeTrace(t, b))
	roots := find(evs, "TaskBegin", "root")
	subs := find(evs, "TaskBegin", "root/sub")
	require.Len(t, roots, 1, "the root group is one trace task")
	require.Len(t, subs, 1, "the subgroup is one trace task")
	assert.Equal(t, roots[0].id, subs[0].parent, "the subgroup's task is under the root's")
	assert.Len(t, find(evs, "TaskEnd", "root"), 1, "the root's task ends when it is Closed")
	assert.Len(t, find(evs, "TaskEnd", "root/sub"), 1, "the subgroup's task ends when it is Closed")

	for typ, task := range map[string]string{"root/sub/fetch": subs[0].id, "root/sub/store": subs[0].id, "root/task": roots[0].id} {
		begins := find(evs, "RegionBegin", typ)
		require.Len(t, begins, 1, "region %s", typ)
		assert.Equal(t, task, begins[0].task, "region %s is in its group's trace task", typ)
		assert.Len(t, find(evs, "RegionEnd", typ), 1, "region %s ends", typ)
	}
	logs := find(evs, "Log", "nursery.error")
	require.Len(t, logs, 1)
	assert.Equal(t, subs[0].id, logs[0].task)
	assert.Equal(t, "boom", logs[0].msg)
}

// TestTraceWithoutTheOption checks that a group made without Trace leaves
// no annotation in a trace, where the test's own shows.
func TestTraceWithoutTheOption(t *testing.T) {
	b := recordTrace(t, func() {
		g := group.New(context.Background(), group.Name("plain"))
		g.Go(func(context.Context) error { return nil }, group.Name("fetch"))
		require.NoError(t, g.Wait())
		trace.Log(context.Background(), "test", "marker")
	})
	evs := parseTrace(t, writeTrace(t, b))
	require.Len(t, find(evs, "Log", "test"), 1, "the test's own annotation is read")
	for _, ev := range evs {
		assert.NotContains(t, ev.typ, "plain", "%+v", ev)
	}
}

// TestStuckTraceWritesTheMomentsBefore shuts down a group with a task that
// ignores its cancellation and checks that the flight recorder's window
// was written where the option said, that the ShutdownError says so, and
// that the trace holds the stuck task's region and the report.
func TestStuckTraceWritesTheMomentsBefore(t *testing.T) {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{})
	require.NoError(t, fr.Start())
	defer fr.Stop()
	file := filepath.Join(t.TempDir(), "stuck.trace")
	create := func() (io.WriteCloser, error) { return os.Create(file) }
	g := group.New(context.Background(), group.Name("svc"), group.Trace(),
		group.StuckTrace(fr, create), group.ShutdownGrace(time.Millisecond))
	started, release := make(chan struct{}), make(chan struct{})
	g.Go(func(context.Context) error {
		close(started)
		<-release // ignores its context: stuck until the test lets go
		return nil
	}, group.Name("stuck"))
	<-started

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no graceful part: cancel at once, then the grace
	err := g.Shutdown(ctx)
	close(release)
	require.NoError(t, g.Wait())

	se, ok := errors.AsType[*group.ShutdownError](err)
	require.True(t, ok, "Shutdown gave up: %v", err)
	require.Regexp(t, `^written to .*stuck\.trace \(\d+ bytes\)$`, se.Trace)
	assert.Contains(t, se.Error(), "execution trace written to "+file)

	evs := parseTrace(t, file)
	assert.NotEmpty(t, find(evs, "RegionBegin", "svc/stuck"), "the stuck task's region is in the window")
	logs := find(evs, "Log", "nursery.shutdown")
	require.Len(t, logs, 1, "the report is logged to the trace")
	assert.Contains(t, logs[0].msg, "svc/stuck")
}

// TestStuckTraceWhenItCannot checks what ShutdownError.Trace says when the
// flight recorder is not running or the writer cannot be made: nothing is
// written, and the report says why.
func TestStuckTraceWhenItCannot(t *testing.T) {
	for _, tt := range []struct {
		name   string
		start  bool
		create func() (io.WriteCloser, error)
		want   string
	}{
		{"recorder not running", false, func() (io.WriteCloser, error) {
			t.Error("create called with no recorder running")
			return nil, errors.New("unreachable")
		}, "not written: the flight recorder is not running"},
		{"create fails", true, func() (io.WriteCloser, error) {
			return nil, errors.New("disk full")
		}, "not written: disk full"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{})
			if tt.start {
				require.NoError(t, fr.Start())
				defer fr.Stop()
			}
			g := group.New(context.Background(), group.StuckTrace(fr, tt.create), group.ShutdownGrace(time.Millisecond))
			started, release := make(chan struct{}), make(chan struct{})
			g.Go(func(context.Context) error { close(started); <-release; return nil })
			<-started
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := g.Shutdown(ctx)
			close(release)
			require.NoError(t, g.Wait())
			se, ok := errors.AsType[*group.ShutdownError](err)
			require.True(t, ok, "Shutdown gave up: %v", err)
			assert.Equal(t, tt.want, se.Trace)
			assert.True(t, strings.HasSuffix(se.Error(), "execution trace "+tt.want), se.Error())
		})
	}
}

func TestStuckTraceMisuse(t *testing.T) {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{})
	create := func() (io.WriteCloser, error) { return nil, nil }
	assert.PanicsWithValue(t, "group: StuckTrace with nil flight recorder or create", func() { group.StuckTrace(nil, create) })
	assert.PanicsWithValue(t, "group: StuckTrace with nil flight recorder or create", func() { group.StuckTrace(fr, nil) })
}
