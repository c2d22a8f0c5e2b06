package group

import (
	"context"
	"fmt"
	"io"
	"runtime/trace"
)

// Trace makes the group and its subgroups show in execution traces
// (runtime/trace, go tool trace): each group made while tracing is on is a
// trace task under its parent's, of the type of its path, ended when the
// group is Closed; each task runs in a trace region named after its group
// and its name ("root/fetch", or "root/task" when it has none), in which a
// failure is logged under the category "nursery.error". go tool trace then
// shows the tree, how long each group and task lived and where their
// goroutines spent the time.
//
// When no trace is being recorded, the option costs one atomic load per
// task and nothing more: see BenchmarkGoTraced. A group made while tracing
// is off is no trace task even if tracing starts later; its tasks' regions
// still show, under the nearest group that is one.
func Trace() Option { return optionFunc(func(o *options) { o.trace = true }) }

// traceGroup makes g a trace task under whatever task pctx carries, if g
// is traced and a trace is being recorded, and returns the context g
// derives from.
func (g *Group) traceGroup(pctx context.Context) context.Context {
	if !g.opts.trace || !trace.IsEnabled() {
		return pctx
	}
	ctx, tt := trace.NewTask(pctx, g.path)
	g.traceTask = tt
	return ctx
}

// runTraced runs t's body in a trace region named after t.
func (t *Task) runTraced() error {
	ctx := context.Context((*taskCtx)(t))
	name := t.meta.name
	if name == "" {
		name = "task"
	}
	r := trace.StartRegion(ctx, t.meta.g.path+"/"+name)
	defer r.End()
	err := t.body.runTask(ctx)
	if err != nil {
		trace.Log(ctx, "nursery.error", err.Error())
	}
	return err
}

// StuckTrace makes [Group.Shutdown] keep a record of the moment it gives
// up: when tasks are still running after the grace period, it logs its
// report to the execution trace (category "nursery.shutdown") and writes
// the flight recorder fr's window, the last seconds of execution trace,
// to a writer made by create, which it then closes. [ShutdownError.Trace]
// says where it went, or why it did not. Open the file with go tool trace
// to see what every goroutine was doing as the shutdown ran out of time.
// Combined with [Trace], the stuck tasks' regions name them.
//
// fr belongs to the caller, who starts it (see [trace.FlightRecorder]; at
// most one runs in a process) and stops it. While fr is not running,
// Shutdown writes nothing. Subgroups inherit the option.
//
// StuckTrace panics if fr or create is nil.
func StuckTrace(fr *trace.FlightRecorder, create func() (io.WriteCloser, error)) Option {
	if fr == nil || create == nil {
		panic("group: StuckTrace with nil flight recorder or create")
	}
	st := &stuckTrace{fr: fr, create: create}
	return optionFunc(func(o *options) { o.stuckTrace = st })
}

// stuckTrace is StuckTrace's configuration.
type stuckTrace struct {
	fr     *trace.FlightRecorder
	create func() (io.WriteCloser, error)
}

// record logs the report of e to the trace and writes fr's window. It
// returns what ShutdownError.Trace says.
func (st *stuckTrace) record(e *ShutdownError) string {
	if !st.fr.Enabled() {
		return "not written: the flight recorder is not running"
	}
	trace.Log(context.Background(), "nursery.shutdown", e.Error())
	w, err := st.create()
	if err != nil {
		return "not written: " + err.Error()
	}
	n, err := st.fr.WriteTo(w)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	where := "written"
	if f, ok := w.(interface{ Name() string }); ok {
		where += " to " + f.Name()
	}
	if err != nil {
		return fmt.Sprintf("%s, cut short after %d bytes: %v", where, n, err)
	}
	return fmt.Sprintf("%s (%d bytes)", where, n)
}
