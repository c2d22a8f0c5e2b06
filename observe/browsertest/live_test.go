package browsertest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe"
	"github.com/stretchr/testify/require"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the page's screenshot to docs/live-view.png")

// bound turns a hang into a failure; no step depends on it for timing.
const bound = 30 * time.Second

// screenshot is where -update-screenshot writes the page, for README.
var screenshot = filepath.Join("..", "..", "docs", "live-view.png")

// program is a server's tree as the page should show it: a listener,
// connections, an executor kept busy by two feeders (its queue full, their
// Submit calls blocked), and a subgroup stuck in a Shutdown that gave up on a task that
// ignores its context.
type program struct {
	root    *group.Group
	release chan struct{} // lets the stuck task return
}

func startProgram(t *testing.T) *program {
	p := &program{root: group.New(context.Background(), group.Name("server")), release: make(chan struct{})}
	wait := func(ctx context.Context) error {
		<-ctx.Done()
		return nil
	}
	p.root.Go(wait, group.Name("listener"))
	conns := p.root.Subgroup(group.Name("connections"))
	for i := 1; i <= 3; i++ {
		conns.Go(wait, group.Name(fmt.Sprintf("conn-%d", i)))
	}
	ex := executor.New(p.root, executor.MaxWorkers(4), executor.QueueDepth(2), executor.Name("crawl"),
		executor.SuppressErrors())
	for i := 1; i <= 2; i++ {
		p.root.Go(func(ctx context.Context) error {
			for n := 0; ; n++ {
				_, err := ex.Submit(ctx, func(ctx context.Context) error {
					// Simulated work: a fetch that takes 40 ms, one in
					// seven failing.
					select {
					case <-time.After(40 * time.Millisecond):
					case <-ctx.Done():
						return ctx.Err()
					}
					if n%7 == 0 {
						return errors.New("fetch failed")
					}
					return nil
				})
				if err != nil {
					return nil // the program stops
				}
			}
		}, group.Name(fmt.Sprintf("feeder-%d", i)))
	}
	stopping := p.root.Subgroup(group.Name("shutting-down"), group.ShutdownGrace(10*time.Millisecond))
	stopping.Go(func(context.Context) error {
		<-p.release // ignores its context
		return nil
	}, group.Name("wedged"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	var stuck *group.ShutdownError
	require.ErrorAs(t, stopping.Shutdown(ctx), &stuck)
	require.Len(t, stuck.Stuck, 1)
	return p
}

func (p *program) stop(t *testing.T) {
	close(p.release)
	require.NoError(t, p.root.Close())
}

// row is a row of the page's tree as the DOM has it.
type row struct {
	Class, Name, State, Text string
}

const rowsJS = `[...document.querySelectorAll('#tree .row')].map(e => ({
	Class: e.className, Name: e.dataset.name || '', State: e.dataset.state || '', Text: e.textContent}))`

func find(rows []row, kind, name string) (row, bool) {
	for _, r := range rows {
		if strings.Contains(" "+r.Class+" ", " "+kind+" ") && r.Name == name {
			return r, true
		}
	}
	return row{}, false
}

// taskNames lists the names of the task rows.
func taskNames(rows []row) []string {
	var names []string
	for _, r := range rows {
		if strings.Contains(r.Class, "task") {
			names = append(names, r.Name)
		}
	}
	return names
}

// run runs one action within bound.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	require.NoError(t, err)
	return v
}

// until waits, within bound, until the JavaScript expression is true.
func until(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	run(t, ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(bound)))
}

// type into an input of the page, as a user does.
func typeInto(t *testing.T, ctx context.Context, id, text string) {
	t.Helper()
	// Empty it first: the page reads the input event that follows.
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById('`+id+`'); e.value = ''; e.dispatchEvent(new Event('input')); })()`))
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#"+id), text))
}

func TestLivePage(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("this test needs Chromium (%v); install it: apt-get install -y chromium", err)
	}
	p := startProgram(t)
	defer p.stop(t)
	// Mounted under a prefix that the mux strips, as a proxy would: the
	// page must find its feed at whatever path the browser sees.
	mux := http.NewServeMux()
	mux.Handle("/debug/nursery", observe.Handler(p.root))
	srv := httptest.NewServer(http.StripPrefix("/ops", mux))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 3*bound) // the whole browser's life
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.WindowSize(1360, 900))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer func() {
		// Close the browser and wait for it, so that none of chromedp's
		// goroutines outlives the test.
		closing, stop := context.WithTimeout(browser, bound)
		defer stop()
		require.NoError(t, chromedp.Cancel(closing))
		cancelBrowser()
	}()

	// Script errors and Content-Security-Policy violations fail the test.
	var mu sync.Mutex
	var problems []string
	require.NoError(t, chromedp.Listen(browser, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			what := d.Text
			if d.Exception != nil {
				what += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("exception at line %d: %s", d.LineNumber+1, what))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, "console: "+ev.Entry.Text)
			}
		}
	}))

	run(t, browser, chromedp.Navigate(srv.URL+"/ops/debug/nursery?old=2s&stuck=1s"))
	run(t, browser, chromedp.WaitVisible(chromedp.CSS(`.row.task[data-name="listener"]`)))

	// The tree: groups and tasks with their states; the stuck task, and
	// the listener once it is older than old=2s, highlighted.
	until(t, browser, `document.querySelector('.row.task.stuck[data-name="wedged"]') && document.querySelector('.row.task.old[data-name="listener"]')`)
	rows := run(t, browser, chromedp.Evaluate[[]row](rowsJS))
	for _, want := range []struct{ kind, name, state string }{
		{"group", "server", "open"}, {"group", "connections", "open"}, {"group", "crawl", "open"},
		{"group", "shutting-down", "closing"}, {"task", "listener", "running"}, {"task", "conn-1", "running"},
		{"task", "conn-3", "running"}, {"task", "feeder-1", "running"}, {"task", "wedged", "running"},
	} {
		r, ok := find(rows, want.kind, want.name)
		require.True(t, ok, "no %s row %q in %v", want.kind, want.name, rows)
		require.Equal(t, want.state, r.State, "%s %q", want.kind, want.name)
	}
	crawl, _ := find(rows, "group", "crawl")
	require.Contains(t, crawl.Text, "executor")
	require.Regexp(t, `workers\s+\d/4 · waiting \d+ · blocked \d`, crawl.Text)
	wedged, _ := find(rows, "task", "wedged")
	require.Contains(t, wedged.Class, "stuck")
	require.Regexp(t, `stuck: shutdown past its deadline for \d`, wedged.Text)
	require.Contains(t, wedged.Text, "browsertest.startProgram")
	require.Contains(t, wedged.Text, "live_test.go:")
	for _, name := range []string{"conn-1", "feeder-1"} {
		r, _ := find(rows, "task", name)
		require.NotContains(t, r.Class, "stuck", name)
	}

	// The charts: a line per series once a few updates have come.
	until(t, browser, `document.querySelector('#chart-rates path[data-series="started"]').dataset.points >= 5`)
	charts := run(t, browser, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		[...document.querySelectorAll('.chart path[data-series]')].map(p => [p.closest('figure').id + '/' + p.dataset.series, p.dataset.points + ' ' + p.getAttribute('d')]))`))
	for _, series := range []string{"chart-tasks/running", "chart-rates/started", "chart-rates/succeeded",
		"chart-executors/workers", "chart-executors/cap", "chart-executors/blocked"} {
		require.Regexp(t, `^\d+ M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){3,}`, charts[series], series)
	}
	legend := run(t, browser, chromedp.Evaluate[string](`document.querySelector('#chart-rates .legend').textContent`))
	require.Regexp(t, `started [1-9]`, legend, "the feeders start tens of jobs a second")
	status := run(t, browser, chromedp.Evaluate[map[string]string](`({...document.getElementById('status').dataset})`))
	t.Logf("page: %s updates, %s B/s pulled, last fetch %s ms, last draw %s ms",
		status["updates"], status["bytesPerSecond"], status["fetchMs"], status["drawMs"])
	require.NotEmpty(t, status["bytesPerSecond"])
	require.Less(t, len(status["bytesPerSecond"]), 5, "under 10 KB/s")

	if *updateScreenshot {
		// Some history in the charts makes a better picture.
		until(t, browser, `document.querySelector('#chart-rates path[data-series="started"]').dataset.points >= 20`)
		png := run(t, browser, chromedp.FullScreenshot(100))
		require.NoError(t, os.WriteFile(screenshot, png, 0o644))
		t.Logf("wrote %s (%d bytes)", screenshot, len(png))
	}

	// Filters: a name shows the tasks that have it and their groups only.
	typeInto(t, browser, "f-name", "conn")
	until(t, browser, `!document.querySelector('.row.task[data-name="listener"]')`)
	rows = run(t, browser, chromedp.Evaluate[[]row](rowsJS))
	require.Equal(t, []string{"conn-1", "conn-2", "conn-3"}, taskNames(rows))
	_, ok := find(rows, "group", "crawl")
	require.False(t, ok, "a group with nothing that matches is hidden")
	require.Contains(t, run(t, browser, chromedp.Evaluate[string](`location.search`)), "name=conn", "the URL keeps the filter")

	// The search finds a task by its function and marks the match.
	typeInto(t, browser, "f-name", "")
	typeInto(t, browser, "f-q", "startProgram.func3")
	until(t, browser, `document.querySelectorAll('.row.task').length === 1`)
	rows = run(t, browser, chromedp.Evaluate[[]row](rowsJS))
	require.Equal(t, []string{"wedged"}, taskNames(rows))
	marked := run(t, browser, chromedp.Evaluate[string](`document.querySelector('.row.task mark').textContent`))
	require.Equal(t, "startProgram.func3", marked)

	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, problems, "the page logged errors")
}
