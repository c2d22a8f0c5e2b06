package prom

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nursery-go/nursery/group"
)

// Observe records an event, for [group.Observe] on a root group:
//
//	root := group.New(ctx, group.Observe(c.Observe))
//
// It records how long each task that ran took, by final state, the
// panics, the supervised restarts and how long blocked submitters waited.
// The task counts come from [Collector.AddGroup], not from here. A task
// cancelled before it ran has no duration; neither, on a clock too coarse
// to see it, does one cancelled within its first tick (the event that
// ends a cancelled task tells whether it ran only by a duration above 0).
//
// Each event costs a map lookup and one or two updates of a histogram or
// counter; see BenchmarkGoWithObserver for the measured cost per task.
func (c *Collector) Observe(e group.Event) {
	switch e.Kind {
	case group.TaskSucceeded, group.TaskFailed, group.TaskPanicked, group.TaskCanceled:
		o := c.observers(e.Group.Path())
		if e.Kind == group.TaskPanicked {
			o.panics.Inc()
		}
		// Only a cancelled task can end without having run, with a
		// duration of 0; a task that ran may also take 0 on a coarse
		// clock (or a synctest bubble's), and its duration counts.
		if e.Kind != group.TaskCanceled || e.Duration > 0 {
			st := finalState(e.Kind)
			o.duration[st].get(func() prometheus.Observer {
				return c.duration.WithLabelValues(o.path, st.String())
			}).Observe(e.Duration.Seconds())
		}
	case group.TaskRestarted:
		c.observers(e.Group.Path()).restarts.Inc()
	case group.SubmitBlocked:
		o := c.observers(e.Group.Path())
		o.blocked.get(func() prometheus.Observer {
			return c.blocked.WithLabelValues(o.path)
		}).Observe(e.Duration.Seconds())
	}
}

// groupObs holds one group path's children of the vectors, looked up once.
// The counters are made with it, so that a group shows 0 panics before its
// first; each histogram at its first observation, so that a group shows no
// empty histogram for a state its tasks never end in, or of waits when it
// is not an executor.
type groupObs struct {
	path     string // the metric path: the label value
	panics   prometheus.Counter
	restarts prometheus.Counter
	duration [group.Canceled + 1]lazyObserver // by final state
	blocked  lazyObserver
}

// A lazyObserver is a child of a histogram vector made at its first use.
type lazyObserver struct {
	once sync.Once
	o    prometheus.Observer
}

func (l *lazyObserver) get(child func() prometheus.Observer) prometheus.Observer {
	l.once.Do(func() { l.o = child() })
	return l.o
}

// maxRawPaths bounds the paths with ids that observers keeps: a program
// that makes an unnamed subgroup per request has as many of those as
// requests, and past the bound each costs its conversion instead.
const maxRawPaths = 1024

// observers returns the observers for the group at path, without an
// allocation for a path seen before.
func (c *Collector) observers(path string) *groupObs {
	if v, ok := c.byPath.Load(path); ok {
		return v.(*groupObs)
	}
	mp := metricPath(path)
	v, ok := c.byPath.Load(mp)
	if !ok {
		o := &groupObs{
			path:     mp,
			panics:   c.panics.WithLabelValues(mp),
			restarts: c.restarts.WithLabelValues(mp),
		}
		v, _ = c.byPath.LoadOrStore(mp, o)
	}
	if mp != path && c.rawPaths.Load() < maxRawPaths {
		c.rawPaths.Add(1)
		c.byPath.Store(path, v)
	}
	return v.(*groupObs)
}

// finalState is the final state that an event ending a task reports.
func finalState(k group.EventKind) group.TaskState {
	switch k {
	case group.TaskSucceeded:
		return group.Succeeded
	case group.TaskCanceled:
		return group.Canceled
	}
	return group.Failed
}
