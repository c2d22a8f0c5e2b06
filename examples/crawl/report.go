package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/nursery-go/nursery/executor"
)

// sampleEvery is how often the monitor samples goroutines and heap for
// their peaks, unless -progress is shorter.
const sampleEvery = 100 * time.Millisecond

// monitor shows the progress line and samples the peaks. Its peak fields
// are written by run only and may be read once run has returned.
type monitor struct {
	ex  *executor.Executor
	cfg config
	p   *printer

	peakGoroutines int
	peakHeap       uint64 // bytes of heap in use (runtime.MemStats.HeapInuse)
}

func newMonitor(ex *executor.Executor, cfg config, p *printer) *monitor {
	return &monitor{ex: ex, cfg: cfg, p: p}
}

// run samples and shows progress until finished is closed, then takes a
// last sample and shows the final line.
func (m *monitor) run(start time.Time, finished <-chan struct{}) {
	sample := time.NewTicker(min(sampleEvery, m.cfg.progress))
	defer sample.Stop()
	var show <-chan time.Time // nil with -quiet: never ready
	if !m.cfg.quiet {
		t := time.NewTicker(m.cfg.progress)
		defer t.Stop()
		show = t.C
	}
	lastDone, lastAt := int64(0), start
	for {
		select {
		case <-finished:
			m.sample()
			if !m.cfg.quiet {
				st := m.ex.Stats()
				m.p.progress(m.line(st, done(st), time.Since(start)), true)
			}
			return
		case <-sample.C:
			m.sample()
		case now := <-show:
			m.sample()
			// The rate over the last period, not since the start: it
			// shows the crawl slowing down or speeding up.
			st := m.ex.Stats()
			d := done(st)
			m.p.progress(m.line(st, d-lastDone, now.Sub(lastAt)), false)
			lastDone, lastAt = d, now
		}
	}
}

// done returns how many jobs have finished.
func done(st executor.Stats) int64 { return st.Succeeded + st.Failed + st.Canceled }

// line formats a progress line: the pages done, n pages in d as the rate,
// the jobs running and queued, the producers blocked in Submit, and the
// heap in use. It fits in 80 columns, so that a terminal can rewrite it.
func (m *monitor) line(st executor.Stats, n int64, d time.Duration) string {
	total := max(m.cfg.pages, 1)
	return fmt.Sprintf("%d/%d %d%%  %.0f/s  running %d  queued %d  blocked %d/%d  heap %.0f MiB",
		done(st), m.cfg.pages, done(st)*100/int64(total), rate(n, d), st.Running, st.Waiting,
		st.Blocked, m.cfg.producers, float64(m.heap())/(1<<20))
}

// sample updates the peaks.
func (m *monitor) sample() {
	m.peakGoroutines = max(m.peakGoroutines, runtime.NumGoroutine())
	m.peakHeap = max(m.peakHeap, m.heap())
}

// heap returns the bytes of heap in use now. ReadMemStats stops the world
// for a few microseconds; ten times a second does not show.
func (m *monitor) heap() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// report is what the program found.
type report struct {
	cfg         config
	elapsed     time.Duration
	stats       executor.Stats
	counts      [nkinds]int64
	served      time.Duration // mean latency slept by the site
	seen        time.Duration // mean latency seen by the crawler
	peakGor     int
	peakHeap    uint64
	interrupted error // the cause of the early stop, nil if there was none
}

// write prints the report to w and reports whether nothing was lost: whether
// every job submitted is accounted for, in the executor's counts and in the
// crawler's.
func (r report) write(w io.Writer) bool {
	st, n := r.stats, r.counts
	finished := st.Succeeded + st.Failed
	var errs int64
	var kinds []string
	for k := http500; k < cancelled; k++ {
		errs += n[k]
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n[k]))
	}
	tput := rate(finished, r.elapsed)

	fmt.Fprintf(w, "\n")
	if r.interrupted != nil {
		fmt.Fprintf(w, "interrupted: %d of %d pages submitted, %d never submitted (%v)\n",
			st.Submitted, r.cfg.pages, int64(r.cfg.pages)-st.Submitted, r.interrupted)
	}
	fmt.Fprintf(w, "done:        %d pages in %v (%d ok, %d errors, %d cancelled)\n",
		finished, r.elapsed.Round(time.Millisecond), n[ok], errs, st.Canceled)
	fmt.Fprintf(w, "throughput:  %.0f pages/s\n", tput)
	if r.served > 0 {
		ideal := rate(int64(r.cfg.workers), r.served)
		fmt.Fprintf(w, "ideal:       %.0f pages/s = %d workers / %v mean latency served (%v configured)\n",
			ideal, r.cfg.workers, r.served.Round(10*time.Microsecond), r.cfg.latency)
		fmt.Fprintf(w, "ratio:       %.2f of ideal\n", tput/ideal)
	}
	fmt.Fprintf(w, "latency:     %v mean served by the site, %v mean seen by the crawler\n",
		r.served.Round(10*time.Microsecond), r.seen.Round(10*time.Microsecond))
	fmt.Fprintf(w, "peak:        %d goroutines, %s heap in use\n", r.peakGor, mib(r.peakHeap))
	fmt.Fprintf(w, "errors:      %d: %s\n", errs, strings.Join(kinds, ", "))
	fmt.Fprintf(w, "executor:    submitted %d, succeeded %d, failed %d, canceled %d; running %d, waiting %d, blocked %d\n",
		st.Submitted, st.Succeeded, st.Failed, st.Canceled, st.Running, st.Waiting, st.Blocked)

	// Nothing lost: every job the executor accepted ended in exactly one
	// final state, and the crawler saw each that ran. A job cancelled
	// before it started never ran, so the crawler counts only the
	// cancelled jobs that did.
	lost := st.Submitted - (st.Succeeded + st.Failed + st.Canceled)
	whole := lost == 0 && st.Succeeded == n[ok] && st.Failed == errs && n[cancelled] <= st.Canceled
	verdict := "nothing lost"
	if !whole {
		verdict = "LOST JOBS"
	}
	fmt.Fprintf(w, "accounting:  submitted %d = ok %d + errors %d + cancelled %d: %s\n",
		st.Submitted, st.Succeeded, st.Failed, st.Canceled, verdict)
	return whole
}

// rate returns n per second over d.
func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// mib formats bytes as MiB.
func mib(b uint64) string {
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
