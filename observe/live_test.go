package observe_test

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe"
	"github.com/stretchr/testify/require"
)

// browserAccept is what Chromium sends when it opens a page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

// serve makes one request to h and returns the recorded response.
func serve(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// A browser gets the live page, self-contained: its script and style are
// inline and named by the Content-Security-Policy, and it refers to no
// other URL.
func TestHandler_page(t *testing.T) {
	root := group.New(context.Background(), group.Name("server"))
	defer root.Close()
	h := observe.Handler(root)
	for _, how := range [][]string{{"/", "Accept", browserAccept}, {"/?format=html"}, {"/?format=html", "Accept", "application/json"}} {
		w := serve(h, http.MethodGet, how[0], how[1:]...)
		require.Equal(t, http.StatusOK, w.Code, how)
		require.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"), how)
		require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		page := w.Body.String()
		require.True(t, strings.HasPrefix(page, "<!doctype html>"), how)
		require.Contains(t, page, `<main id="tree">`)
		require.Contains(t, page, "format: 'live'", "the script is inlined")

		for _, external := range []string{"http://", "https://", "src=", "href=", "@import", "url("} {
			require.NotContains(t, page, external, "the page must load nothing but its own feed")
		}
		csp := w.Header().Get("Content-Security-Policy")
		require.Contains(t, csp, "default-src 'none'")
		require.Contains(t, csp, "connect-src 'self'")
		for _, tag := range []string{"style", "script"} {
			m := regexp.MustCompile(`(?s)<`+tag+`>(.*?)</`+tag+`>`).FindAllStringSubmatch(page, -1)
			require.Len(t, m, 1, "one inline %s", tag)
			sum := sha256.Sum256([]byte(m[0][1]))
			require.Contains(t, csp, tag+"-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'",
				"the policy lets the browser run the inline %s", tag)
		}
	}
	head := serve(h, http.MethodHead, "/?format=html")
	require.Equal(t, http.StatusOK, head.Code)
	require.Equal(t, "text/html; charset=utf-8", head.Header().Get("Content-Type"))

	// Tools and people at a terminal still get text and JSON.
	for accept, want := range map[string]string{"": "text/plain; charset=utf-8", "*/*": "text/plain; charset=utf-8",
		"text/plain": "text/plain; charset=utf-8", "application/json": "application/json"} {
		w := serve(h, http.MethodGet, "/", "Accept", accept)
		require.Equal(t, want, w.Header().Get("Content-Type"), "Accept: %q", accept)
	}
	require.Equal(t, http.StatusBadRequest, serve(h, http.MethodGet, "/?format=svg").Code)
}

// feed is the part of the format=live response the tests read.
type feed struct {
	Now    int64 `json:"now_ms"`
	Totals struct {
		Groups, Pending, Running, Executors int
		MaxWorkers                          int64 `json:"max_workers"`
		Workers, Waiting, Blocked           int64
	} `json:"totals"`
	Stats   map[string][5]int64 `json:"stats"`
	Strings []string            `json:"strings"`
	Roots   []*feedGroup        `json:"roots"`
}

type feedGroup struct {
	ID, Name, Path, Kind, State string
	Live, Match                 int
	Info                        map[string]int64
	Tasks                       []struct {
		ID         uint64
		Name       string
		State      string
		Age        int64 `json:"age_ms"`
		Fn, At     int
		IsInternal bool `json:"internal"`
	}
	MoreTasks  int `json:"more_tasks"`
	Groups     []*feedGroup
	MoreGroups int `json:"more_groups"`
}

func getFeed(t *testing.T, h http.Handler, query string) feed {
	t.Helper()
	w := serve(h, http.MethodGet, "/?format=live"+query)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var f feed
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &f))
	return f
}

// names lists the group and task names of the tree, depth first, as
// "group/task" paths.
func names(gs []*feedGroup) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Path)
		for _, tk := range g.Tasks {
			out = append(out, g.Path+":"+tk.Name)
		}
		out = append(out, names(g.Groups)...)
	}
	return out
}

// The page's feed: the tree cut to the filters and the limit, totals and
// counts of the whole tree, each function named once.
func TestHandler_liveFeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		root := group.New(context.Background(), group.Name("server"))
		defer root.Close() // on a failed assertion too, so that the bubble can end
		root.Go(block, group.Name("listener"))
		time.Sleep(time.Minute)
		ex := executor.New(root, executor.MaxWorkers(2), executor.Name("crawl"))
		for range 5 {
			_, err := ex.Enqueue(block)
			require.NoError(t, err)
		}
		jobs := root.Subgroup(group.Name("jobs"))
		jobs.Go(block, group.Name("report"))
		jobs.Go(func(context.Context) error { return nil }, group.Name("once"))
		synctest.Wait()
		h := observe.Handler(root)

		f := getFeed(t, h, "")
		require.Equal(t, time.Now().UnixMilli(), f.Now)
		require.Equal(t, []string{"server", "server:listener", "server/crawl", "server/crawl:", "server/crawl:",
			"server/crawl:", "server/crawl:", "server/crawl:", "server/crawl/workers", "server/jobs", "server/jobs:report"}, names(f.Roots))
		require.Equal(t, 4, f.Totals.Groups, "the executor's workers are a group of their own")
		require.Equal(t, 4, f.Totals.Running, "the listener, the report, two jobs")
		require.Equal(t, 3, f.Totals.Pending, "three jobs wait for a worker")
		require.Equal(t, 1, f.Totals.Executors)
		require.Equal(t, int64(2), f.Totals.MaxWorkers)
		require.Equal(t, int64(2), f.Totals.Workers)
		require.Equal(t, int64(3), f.Totals.Waiting)
		require.Equal(t, [5]int64{2, 1, 0, 0, 0}, f.Stats[f.Roots[0].Groups[1].ID], "jobs: 2 spawned, 1 succeeded")
		listener := f.Roots[0].Tasks[0]
		require.Equal(t, "running", listener.State)
		require.Equal(t, time.Minute.Milliseconds(), listener.Age)
		require.Equal(t, "github.com/nursery-go/nursery/observe_test.block", f.Strings[listener.Fn])
		require.Contains(t, f.Strings[listener.At], "observe_test.go:")
		crawl := f.Roots[0].Groups[0]
		require.Equal(t, "executor", crawl.Kind)
		require.Equal(t, int64(3), crawl.Info["waiting"])
		require.Len(t, f.Strings, 3, `"", block's name and its place, once for six tasks`)

		// The limit cuts tasks and groups alike, and says how many.
		f = getFeed(t, h, "&tasks=1")
		require.Equal(t, []string{"server", "server:listener", "server/crawl", "server/crawl:", "server/crawl/workers"}, names(f.Roots))
		require.Equal(t, 4, f.Roots[0].Groups[0].MoreTasks)
		require.Equal(t, 1, f.Roots[0].MoreGroups)
		require.Equal(t, 4, f.Totals.Groups, "totals ignore the limit")

		for _, tt := range []struct {
			query, why string
			want       []string
		}{
			{"&name=REPORT", "a task's name, any case", []string{"server", "server/jobs", "server/jobs:report"}},
			{"&name=crawl", "a group's name shows the group whole", []string{"server", "server/crawl", "server/crawl:",
				"server/crawl:", "server/crawl:", "server/crawl:", "server/crawl:", "server/crawl/workers"}},
			{"&name=jobs&state=pending", "names and state together", []string{"server"}},
			{"&q=observe_test.go", "search finds spawn sites", []string{"server", "server:listener", "server/crawl", "server/crawl:",
				"server/crawl:", "server/crawl:", "server/crawl:", "server/crawl:", "server/jobs", "server/jobs:report"}},
			{"&q=list", "search finds names", []string{"server", "server:listener"}},
			{"&state=pending", "state", []string{"server", "server/crawl", "server/crawl:", "server/crawl:", "server/crawl:"}},
			{"&min_age=30s", "age", []string{"server", "server:listener"}},
			{"&state=draining", "nothing closes", []string{"server"}},
		} {
			require.Equal(t, tt.want, names(getFeed(t, h, tt.query).Roots), "%s: %s", tt.query, tt.why)
		}
		f = getFeed(t, h, "&state=running")
		require.Equal(t, 2, f.Roots[0].Groups[0].Match)
		require.Equal(t, 5, f.Roots[0].Groups[0].Live)

		// A root that is also a subgroup of another is shown twice and
		// counted once.
		f = getFeed(t, observe.Handler(root, jobs), "")
		require.Len(t, f.Roots, 2)
		require.Equal(t, "server/jobs", f.Roots[1].Path)
		require.Equal(t, 4, f.Totals.Groups)
		require.Equal(t, 4, f.Totals.Running)

		for _, bad := range []string{"&state=stuck", "&min_age=10", "&min_age=-1s", "&tasks=x"} {
			require.Equal(t, http.StatusBadRequest, serve(h, http.MethodGet, "/?format=live"+bad).Code, bad)
		}

		// A task that ignores its cancelled context keeps its group
		// closing: it drains.
		release := make(chan struct{})
		stopping := root.Subgroup(group.Name("stopping"))
		stopping.Go(func(context.Context) error { <-release; return nil }, group.Name("wedged"))
		stopping.Cancel()
		synctest.Wait()
		f = getFeed(t, h, "&state=draining")
		require.Equal(t, []string{"server", "server/stopping", "server/stopping:wedged"}, names(f.Roots))
		require.Equal(t, "closing", f.Roots[0].Groups[0].State)
		close(release)
		require.NoError(t, root.Close())
		f = getFeed(t, h, "")
		require.Equal(t, "closed", f.Roots[0].State)
		require.Equal(t, []string{"server"}, names(f.Roots))
	})
}

// The feed is compressed for clients that accept it.
func TestHandler_liveFeedGzip(t *testing.T) {
	root := group.New(context.Background(), group.Name("server"))
	ex := executor.New(root, executor.MaxWorkers(4), executor.Name("crawl"))
	for range 50 {
		_, err := ex.Enqueue(block)
		require.NoError(t, err)
	}
	h := observe.Handler(root)
	plain := serve(h, http.MethodGet, "/?format=live")
	require.Empty(t, plain.Header().Get("Content-Encoding"))
	for _, ae := range []string{"gzip", "br, gzip;q=0.5, deflate"} {
		w := serve(h, http.MethodGet, "/?format=live", "Accept-Encoding", ae)
		require.Equal(t, "gzip", w.Header().Get("Content-Encoding"), ae)
		require.Equal(t, "Accept-Encoding", w.Header().Get("Vary"))
		zr, err := gzip.NewReader(w.Body)
		require.NoError(t, err)
		body, err := io.ReadAll(zr)
		require.NoError(t, err)
		var f feed
		require.NoError(t, json.Unmarshal(body, &f))
		require.Equal(t, 50, f.Totals.Running+f.Totals.Pending)
		require.Less(t, w.Body.Len()*3, len(body), "compressed to less than a third")
		var fp feed
		require.NoError(t, json.Unmarshal(plain.Body.Bytes(), &fp))
		require.Equal(t, names(fp.Roots), names(f.Roots))
	}
	require.Empty(t, serve(h, http.MethodGet, "/?format=live", "Accept-Encoding", "gzip;q=0").Header().Get("Content-Encoding"))
	require.NoError(t, root.Close())
}

// thousandTasks makes a tree of 1,000 live tasks, as a busy server might
// have: an executor with 100 workers busy and 700 jobs waiting, and ten
// connections with 20 named tasks each.
func thousandTasks(tb testing.TB) *group.Group {
	root := group.New(context.Background(), group.Name("server"))
	tb.Cleanup(func() { _ = root.Close() })
	ex := executor.New(root, executor.MaxWorkers(100), executor.Name("crawl"))
	for range 800 {
		_, err := ex.Enqueue(block)
		require.NoError(tb, err)
	}
	for i := range 10 {
		conn := root.Subgroup(group.Name(fmt.Sprintf("conn-%d", i)))
		for j := range 20 {
			conn.Go(block, group.Name(fmt.Sprintf("stream-%d", j)))
		}
	}
	return root
}

// BenchmarkHandler measures one update of the live page (format=live, as
// the page asks for it, plain and compressed) against the JSON and text
// views of the same tree of 1,000 tasks; B/update is the response's size.
func BenchmarkHandler(b *testing.B) {
	h := observe.Handler(thousandTasks(b))
	for _, bm := range []struct{ name, target, encoding string }{
		{"live", "/?format=live", ""},
		{"live-gzip", "/?format=live", "gzip"},
		{"json", "/?format=json", ""},
		{"text", "/?tasks=100", ""},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			size := 0
			for b.Loop() {
				w := serve(h, http.MethodGet, bm.target, "Accept-Encoding", bm.encoding)
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size), "B/update")
		})
	}
}
