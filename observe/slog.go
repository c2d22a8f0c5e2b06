package observe

import (
	"context"
	"log/slog"

	"github.com/nursery-go/nursery/group"
)

// Slog returns an observer, for [group.Observe], that writes each event to l: task starts,
// successes, cancellations and refusals at Debug, blocked submitters and
// groups closing at Debug, restarts at Warn, failures and panics at Error. Each record has
// the event's kind as its message and the attributes group (the group's
// path), task_id and task (the task's id and name, for task events), err,
// duration and attempt when they apply.
//
// A level that l does not enable costs one Enabled call per event, so
// Slog(l) with l at Info level costs little more for the many start and
// success events than no observer at all.
//
// Slog panics if l is nil.
func Slog(l *slog.Logger) func(group.Event) {
	if l == nil {
		panic("observe: Slog with a nil logger")
	}
	return slogObserver{l}.observe
}

type slogObserver struct{ l *slog.Logger }

func (o slogObserver) observe(e group.Event) {
	level := slog.LevelDebug
	switch e.Kind {
	case group.TaskFailed, group.TaskPanicked:
		level = slog.LevelError
	case group.TaskRestarted:
		level = slog.LevelWarn
	}
	ctx := context.Background()
	if !o.l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 6)
	if e.Group != nil {
		attrs = append(attrs, slog.String("group", e.Group.Path()))
	}
	if e.Task != nil {
		attrs = append(attrs, slog.Uint64("task_id", e.Task.ID()))
		if name := e.Task.Name(); name != "" {
			attrs = append(attrs, slog.String("task", name))
		}
	}
	if e.Err != nil {
		attrs = append(attrs, slog.Any("err", e.Err))
	}
	if e.Duration != 0 || e.Kind != group.TaskStarted && e.Kind != group.TaskRefused {
		attrs = append(attrs, slog.Duration("duration", e.Duration))
	}
	if e.Attempt != 0 {
		attrs = append(attrs, slog.Int("attempt", e.Attempt))
	}
	o.l.LogAttrs(ctx, level, e.Kind.String(), attrs...)
}
