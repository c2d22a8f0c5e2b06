package observe

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nursery-go/nursery/group"
)

// The live page's feed (format=live) is the tree cut to what the page
// shows, so that a page left open on a busy program pulls a few KB a
// second: tasks that pass the page's filters, at most tasks=N per group
// (100 unless the query says otherwise, 0: all) and as many subgroups per
// group, with each function name and spawn site sent once per response.
// Beside the cut tree it carries what the charts need from the whole tree:
// totals, and every group's counts so that the page can tell how many
// tasks started and ended between two polls. Its fields are the page's own
// and may change; tools read format=json.

// liveFeed is one response of the feed.
type liveFeed struct {
	Now    int64      `json:"now_ms"` // the server's clock, Unix milliseconds
	Totals liveTotals `json:"totals"`
	// Stats holds each group's counts, by group id: spawned, succeeded,
	// failed, canceled, refused.
	Stats map[string][5]int64 `json:"stats"`
	// Strings are the function names and spawn sites that tasks refer to
	// by index; index 0 is "".
	Strings []string     `json:"strings"`
	Roots   []*liveGroup `json:"roots"`
}

// liveTotals sums the whole tree, filters and limits aside.
type liveTotals struct {
	Groups     int   `json:"groups"`
	Pending    int   `json:"pending"`
	Running    int   `json:"running"`
	Oldest     int64 `json:"oldest_ms"` // the oldest running task's age
	Executors  int   `json:"executors"`
	MaxWorkers int64 `json:"max_workers"`
	Workers    int64 `json:"workers"`
	Waiting    int64 `json:"waiting"`
	Blocked    int64 `json:"blocked"`
}

// liveGroup is a group as the page shows it.
type liveGroup struct {
	ID    string      `json:"id"`
	Name  string      `json:"name,omitempty"`
	Path  string      `json:"path"`
	Kind  string      `json:"kind,omitempty"`
	State group.State `json:"state"`
	Cause string      `json:"cause,omitempty"`
	Age   int64       `json:"age_ms"`
	// Overdue is how long ago a Shutdown of the group (or above it) ran
	// out of time: its running tasks are stuck once past the page's
	// threshold.
	Overdue int64            `json:"overdue_ms,omitempty"`
	Info    map[string]int64 `json:"info,omitempty"`
	Live    int              `json:"live"`  // live tasks
	Match   int              `json:"match"` // live tasks that pass the filters
	Tasks   []liveTask       `json:"tasks,omitempty"`
	// MoreTasks and MoreGroups count what passed the filters but was cut
	// by the limit.
	MoreTasks  int          `json:"more_tasks,omitempty"`
	Groups     []*liveGroup `json:"groups,omitempty"`
	MoreGroups int          `json:"more_groups,omitempty"`
}

// newLiveGroup returns the group of s as the page shows it, without its
// tasks and subgroups.
func newLiveGroup(s *group.Snapshot) *liveGroup {
	return &liveGroup{ID: s.ID, Name: s.Name, Path: s.Path, Kind: s.Kind, State: s.State, Cause: s.Cause,
		Age: s.Age.Milliseconds(), Overdue: s.Overdue.Milliseconds(), Info: s.Info, Live: len(s.Tasks)}
}

// liveTask is a task as the page shows it.
type liveTask struct {
	ID       uint64          `json:"id"`
	Name     string          `json:"name,omitempty"`
	State    group.TaskState `json:"state"`
	Age      int64           `json:"age_ms"`
	Func     int             `json:"fn,omitempty"` // index in liveFeed.Strings
	Origin   int             `json:"at,omitempty"` // index in liveFeed.Strings
	Internal bool            `json:"internal,omitempty"`
}

// liveFilter is what the page asks to see: tasks whose name or group path
// contains name, whose name, function, spawn site or group path contains
// q (both case-insensitive), in a state, at least minAge old.
type liveFilter struct {
	name, q string // lower case
	state   string // "", "running", "pending" or "draining" (in a group that is closing)
	minAge  time.Duration
}

func parseLiveFilter(q url.Values) (liveFilter, bool) {
	f := liveFilter{name: strings.ToLower(q.Get("name")), q: strings.ToLower(q.Get("q")), state: q.Get("state")}
	switch f.state {
	case "", "running", "pending", "draining":
	default:
		return f, false
	}
	if s := q.Get("min_age"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return f, false
		}
		f.minAge = d
	}
	return f, true
}

func (f liveFilter) active() bool { return f != liveFilter{} }

// onlyText reports whether the filter is about names alone, so that a
// group whose path matches is shown even with no live task.
func (f liveFilter) onlyText() bool { return f.state == "" && f.minAge == 0 }

func contains(s, lowerSub string) bool {
	return lowerSub == "" || strings.Contains(strings.ToLower(s), lowerSub)
}

func (f liveFilter) task(g *group.Snapshot, t *group.TaskSnapshot) bool {
	switch {
	case f.state == "running" && t.State != group.Running,
		f.state == "pending" && t.State != group.Pending,
		f.state == "draining" && g.State == group.Open,
		t.Age < f.minAge:
		return false
	}
	return (contains(t.Name, f.name) || contains(g.Path, f.name)) &&
		(contains(t.Name, f.q) || contains(t.Func, f.q) || contains(t.Origin, f.q) || contains(g.Path, f.q))
}

// liveBuilder cuts snapshots into a feed.
type liveBuilder struct {
	f     liveFilter
	max   int // per group; 0: all
	feed  liveFeed
	index map[string]int // position of each string in feed.Strings
}

func (b *liveBuilder) intern(s string) int {
	if s == "" {
		return 0
	}
	i, ok := b.index[s]
	if !ok {
		i = len(b.feed.Strings)
		b.index[s] = i
		b.feed.Strings = append(b.feed.Strings, s)
	}
	return i
}

// add adds s and its subgroups to the totals and returns what the page
// shows of it: nil if nothing in it passes an active filter.
func (b *liveBuilder) add(s *group.Snapshot) *liveGroup {
	// A group under two roots (a root that is also a subgroup of
	// another) is shown twice but counted once.
	_, twice := b.feed.Stats[s.ID]
	tot := &b.feed.Totals
	if twice {
		tot = &liveTotals{}
	}
	tot.Groups++
	st := s.Stats
	b.feed.Stats[s.ID] = [5]int64{st.Spawned, st.Succeeded, st.Failed, st.Canceled, st.Refused}
	if s.Kind == "executor" {
		tot.Executors++
		tot.MaxWorkers += s.Info["max_workers"]
		tot.Workers += s.Info["workers"]
		tot.Waiting += s.Info["waiting"]
		tot.Blocked += s.Info["blocked"]
	}
	n := newLiveGroup(s)
	for i := range s.Tasks {
		t := &s.Tasks[i]
		if t.State == group.Running {
			tot.Running++
			tot.Oldest = max(tot.Oldest, t.Age.Milliseconds())
		} else {
			tot.Pending++
		}
		if !b.f.task(s, t) {
			continue
		}
		n.Match++
		if b.max > 0 && len(n.Tasks) == b.max {
			n.MoreTasks++
			continue
		}
		n.Tasks = append(n.Tasks, liveTask{ID: t.ID, Name: t.Name, State: t.State, Age: t.Age.Milliseconds(),
			Func: b.intern(t.Func), Origin: b.intern(t.Origin), Internal: t.Internal})
	}
	keep := !b.f.active() || n.Match > 0 ||
		b.f.onlyText() && contains(s.Path, b.f.name) && contains(s.Path, b.f.q)
	for i := range s.Groups {
		c := b.add(&s.Groups[i])
		if c == nil {
			continue
		}
		keep = true
		if b.max > 0 && len(n.Groups) == b.max {
			n.MoreGroups++
			continue
		}
		n.Groups = append(n.Groups, c)
	}
	if !keep {
		return nil
	}
	return n
}

// gzipWriters reuses compressors: each holds some hundreds of KB.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	return w
}}

// serveLive writes the feed for the trees at roots.
func serveLive(w http.ResponseWriter, r *http.Request, roots []*group.Group, maxTasks int) {
	f, ok := parseLiveFilter(r.URL.Query())
	if !ok {
		http.Error(w, "observe: state must be running, pending or draining, and min_age a duration", http.StatusBadRequest)
		return
	}
	b := liveBuilder{f: f, max: maxTasks, index: map[string]int{},
		feed: liveFeed{Stats: map[string][5]int64{}, Strings: []string{""}, Roots: make([]*liveGroup, len(roots))}}
	for i, g := range roots {
		s := snapshot(g)
		if b.feed.Roots[i] = b.add(&s); b.feed.Roots[i] == nil {
			// A root is always shown, empty if nothing in it passes.
			b.feed.Roots[i] = newLiveGroup(&s)
		}
	}
	b.feed.Now = time.Now().UnixMilli()
	body, err := json.Marshal(&b.feed)
	if err != nil { // cannot happen: the feed holds only strings, numbers and maps of them
		http.Error(w, "observe: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	h.Set("Vary", "Accept-Encoding")
	// Compression takes a JSON feed to a fifth or less of its size; it is
	// worth its CPU only past a packet or so.
	if len(body) > 1024 && acceptsGzip(r) {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(body) // a bytes.Buffer takes every write
		_ = zw.Close()
		gzipWriters.Put(zw)
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body) // a failed write means the client left
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip
// without refusing it (q=0).
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return strings.ReplaceAll(params, " ", "") != "q=0"
		}
	}
	return false
}
