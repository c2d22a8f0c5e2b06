package otel

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/nursery-go/nursery/group"
)

// Attribute keys on spans and metrics. nursery.group holds the same path
// as the pprof label [group.LabelGroup].
const (
	keyGroup    = attribute.Key("nursery.group")
	keyTaskName = attribute.Key("nursery.task.name")
	keyTaskID   = attribute.Key("nursery.task.id")
	keyState    = attribute.Key("nursery.task.state")
	keyAttempt  = attribute.Key("nursery.restart.attempt")
	keyBackoff  = attribute.Key("nursery.restart.backoff")
)

// spans keeps the span of each group not yet Closed that has, or has a
// subgroup with, a task that ran, and starts the tasks' spans under them.
//
// A group's span starts when it is first needed, as the parent of a task's
// span or of a subgroup's, under its parent group's span (started first if
// need be); it ends on the group's GroupClosed event, which comes after
// every task and subgroup of the group has ended (so after their spans
// have) and before anyone waiting for the group is woken.
type spans struct {
	tracer trace.Tracer
	live   sync.Map   // *group.Group → *groupSpan, read on every task start
	mu     sync.Mutex // serialises starting group spans (see groupSpan)
}

// A groupSpan is the span of one group.
type groupSpan struct {
	span trace.Span
	ctx  context.Context // holds span: the parent of the spans below it
}

func newSpans(tr trace.Tracer) *spans {
	return &spans{tracer: tr}
}

// start starts the span of the task that e reports starting.
func (s *spans) start(e group.Event) trace.Span {
	gs := s.groupSpan(e.Group)
	name := e.Task.Name()
	attrs := []attribute.KeyValue{keyGroup.String(e.Group.Path()), keyTaskID.Int64(int64(e.Task.ID()))}
	if name != "" {
		attrs = append(attrs, keyTaskName.String(name))
	} else {
		name = "#" + strconv.FormatUint(e.Task.ID(), 10)
	}
	_, sp := s.tracer.Start(gs.ctx, name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return sp
}

// endTask ends a task's span as the event e that ends the task says.
// Succeeded and canceled tasks keep the status Unset: a cancellation is how
// structured concurrency stops work, not an error of the task.
func endTask(sp trace.Span, e group.Event) {
	state := finalState(e.Kind)
	sp.SetAttributes(keyState.String(state.String()))
	switch e.Kind {
	case group.TaskPanicked:
		attrs := []attribute.KeyValue{semconv.ExceptionMessage(e.Err.Error())}
		var pe *group.PanicError
		if errors.As(e.Err, &pe) {
			attrs = append(attrs,
				semconv.ExceptionType(fmt.Sprintf("%T", pe.Value)),
				semconv.ExceptionStacktrace(string(pe.Stack)))
		}
		sp.AddEvent("exception", trace.WithAttributes(attrs...))
		sp.SetStatus(codes.Error, e.Err.Error())
	case group.TaskFailed:
		sp.RecordError(e.Err)
		sp.SetStatus(codes.Error, e.Err.Error())
	}
	sp.End()
}

// restartEvent adds a supervisor's restart, reported by e, to the span of
// the supervisor's task.
func restartEvent(sp trace.Span, e group.Event) {
	attrs := []attribute.KeyValue{keyAttempt.Int(e.Attempt), keyBackoff.Float64(e.Duration.Seconds())}
	if e.Err != nil {
		attrs = append(attrs, semconv.ExceptionMessage(e.Err.Error()))
	}
	sp.AddEvent("nursery.task.restart", trace.WithAttributes(attrs...))
}

// groupSpan returns g's span, starting it (and those of its ancestors that
// have none) the first time g is seen.
//
// It is called for a task of g, or of a subgroup of g, that is starting,
// so neither g nor any of its ancestors is Closed yet: none of their spans
// can have ended, and a span started here is ended by a GroupClosed that
// is still to come.
func (s *spans) groupSpan(g *group.Group) *groupSpan {
	if v, ok := s.live.Load(g); ok {
		return v.(*groupSpan)
	}
	// Under the lock, so that two tasks of a new group starting at once
	// start one span for it, not two (LoadOrStore alone would leave the
	// loser's span started and never ended).
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groupSpanLocked(g)
}

func (s *spans) groupSpanLocked(g *group.Group) *groupSpan {
	if v, ok := s.live.Load(g); ok {
		return v.(*groupSpan)
	}
	var parent context.Context
	if p := g.Parent(); p != nil {
		parent = s.groupSpanLocked(p).ctx
	} else {
		// A root's context derives from the one it was made with, so a
		// root made inside a traced request hangs under the request's
		// span. Only the span context is kept, not the group's context
		// and the values and cancellation it carries.
		parent = trace.ContextWithSpanContext(context.Background(), trace.SpanContextFromContext(g.Context()))
	}
	gs := &groupSpan{}
	gs.ctx, gs.span = s.tracer.Start(parent, g.Name(),
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(keyGroup.String(g.Path())))
	s.live.Store(g, gs)
	return gs
}

// closed ends the span of the group that e reports Closed, with the status
// Error if the group failed. A group that has no span (none of its tasks
// or its subgroups' ran, or it was born Closed) gets none now: a span
// started for it would hang under a parent span that may have ended.
//
// No lock is needed: the group is Closed, so no task of it or of a
// subgroup will start, and groupSpan is never called for it again.
func (s *spans) closed(e group.Event) {
	v, ok := s.live.LoadAndDelete(e.Group)
	if !ok {
		return
	}
	gs := v.(*groupSpan)
	if e.Err != nil {
		// e.Err is the group's combined failures, nil if it had none:
		// cancelled or not, a group that only stopped did not fail.
		gs.span.SetStatus(codes.Error, e.Err.Error())
	}
	gs.span.End()
}

// finalState is the final state that an event ending a task reports.
func finalState(k group.EventKind) group.TaskState {
	switch k {
	case group.TaskSucceeded:
		return group.Succeeded
	case group.TaskCanceled:
		return group.Canceled
	case group.TaskRefused:
		return group.Refused
	}
	return group.Failed
}
