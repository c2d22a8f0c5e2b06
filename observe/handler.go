package observe

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/nursery-go/nursery/group"
)

// defaultMaxTasks is how many tasks per group the text view and the live
// page list unless the request asks otherwise: enough to see what runs,
// few enough that an executor with a million jobs still renders.
const defaultMaxTasks = 100

// snapshot takes a root's snapshot. It is a variable so that a test can
// count the snapshots taken: none unless a request asks for the tree.
var snapshot = (*group.Group).Snapshot

// Handler returns an http.Handler that serves snapshots of the trees rooted
// at roots (see [group.Group.Snapshot]), taken when each request comes.
//
// A GET or HEAD request gets text, one tree per root, as
// [group.Snapshot.WriteText] writes it, listing at most 100 tasks per group
// unless the query says tasks=N (0: all). With format=json, or an Accept
// header that asks for application/json and not text, it gets a JSON array
// with one snapshot per root, every task included. With format=html, or an
// Accept header that asks for text/html as browsers do, it gets the live
// page, which takes no snapshot itself but polls format=live, the page's
// compact and filtered feed (see the package doc). Other methods get 405,
// and an unknown format or a bad tasks value 400.
//
// The handler can be called concurrently and while the groups change; it
// never blocks on their tasks. It only reads: no request changes the
// groups, so it needs no protection beyond what the data shown deserves
// (see "Access" in the package doc). It starts no goroutine and does
// nothing between requests.
//
// Handler panics if a root is nil.
func Handler(roots ...*group.Group) http.Handler {
	for _, g := range roots {
		if g == nil {
			panic("observe: Handler with a nil group")
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "observe: method not allowed", http.StatusMethodNotAllowed)
			return
		}
		q := r.URL.Query()
		maxTasks := defaultMaxTasks
		if s := q.Get("tasks"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				http.Error(w, "observe: tasks must be a number, 0 or more", http.StatusBadRequest)
				return
			}
			maxTasks = n
		}
		format := q.Get("format")
		if format == "" {
			format = "text"
			switch accept := r.Header.Get("Accept"); {
			case strings.Contains(accept, "text/html"):
				format = "html"
			case strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/"):
				format = "json"
			}
		}
		switch format {
		case "html":
			servePage(w)
			return
		case "live":
			serveLive(w, r, roots, maxTasks)
			return
		case "json", "text":
		default:
			http.Error(w, "observe: format must be text, json, html or live", http.StatusBadRequest)
			return
		}
		snaps := make([]group.Snapshot, len(roots))
		for i, g := range roots {
			snaps[i] = snapshot(g)
		}
		w.Header().Set("Cache-Control", "no-store")
		if format == "json" {
			w.Header().Set("Content-Type", "application/json")
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			_ = enc.Encode(snaps) // a failed write means the client left
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, s := range snaps {
			if err := s.WriteText(w, maxTasks); err != nil {
				return
			}
		}
	})
}
