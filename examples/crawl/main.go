// Crawl is coroexecutor's headline story run for real on one machine: a
// hundred thousand URLs, a thousand at a time, pushed through an
// executor.Executor with back-pressure, in flat memory.
//
// Run it with:
//
//	go run ./examples/crawl
//
// It starts a web site of its own on 127.0.0.1 (a task of the program's
// group) whose pages take a random time to serve — exponentially
// distributed around -latency — and fail with 500 or 404 now and then.
// Then -producers goroutines submit one job per page, an HTTP GET, to an
// executor with -workers workers: Submit blocks while every worker is busy
// and the executor's queue is full, so the producers never run more than
// -workers jobs ahead and memory does not grow with -pages. Failed pages
// are counted by kind and the crawl goes on (executor.SuppressErrors).
//
// While it runs, a progress line on stderr shows the pages done, the rate,
// the jobs running and queued, the producers blocked in Submit and the
// heap in use. At the end a report on stdout compares the throughput with
// the ideal one, workers / mean latency, which the crawl would reach if
// HTTP and scheduling cost nothing; gives the peak goroutines (the workers,
// and both ends of up to -workers HTTP connections, client and site being
// one process) and heap; counts the errors by kind; and proves that no job
// was lost: every job submitted succeeded, failed or was cancelled, as the
// executor's Stats and the crawler's own counts agree.
//
// Ctrl-C stops the producers and lets the jobs in flight finish (the site
// stays up for them, then closes); the report still prints and says how
// much was left undone. A second Ctrl-C cancels the jobs in flight, and
// the report counts them as cancelled.
//
// With the defaults, on two cores, the CPU that crawler and site share is
// the limit: the crawl reaches half to four fifths of the ideal rate and
// takes six to ten seconds. Try -workers=100 to see the rate follow
// workers / latency (0.95 of ideal),
// -pages=1000000 to see memory stay flat, or -latency=1ms to see the CPU
// become the limit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, nil))
}

// config holds the flags.
type config struct {
	pages     int
	workers   int
	producers int
	latency   time.Duration
	dist      string
	errorRate float64
	notFound  float64
	timeout   time.Duration
	progress  time.Duration
	quiet     bool
	grace     time.Duration
}

// run runs the program with args, writing the report to out and progress
// and diagnostics to diag, and returns its exit code. Signals come from the
// process when signals is nil, else from signals.
func run(ctx context.Context, args []string, out, diag io.Writer, signals <-chan os.Signal) int {
	var cfg config
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(diag)
	fs.IntVar(&cfg.pages, "pages", 100_000, "number of pages to crawl")
	fs.IntVar(&cfg.workers, "workers", 1000, "pages fetched at once (the executor's MaxWorkers)")
	fs.IntVar(&cfg.producers, "producers", 4, "goroutines submitting jobs")
	fs.DurationVar(&cfg.latency, "latency", 50*time.Millisecond, "mean time the site takes to serve a page")
	fs.StringVar(&cfg.dist, "dist", "exp", "distribution of the latency: exp, uniform (0 to 2x) or fixed")
	fs.Float64Var(&cfg.errorRate, "error-rate", 0.01, "fraction of pages answered with 500")
	fs.Float64Var(&cfg.notFound, "notfound-rate", 0.005, "fraction of pages answered with 404")
	fs.DurationVar(&cfg.timeout, "timeout", 2*time.Second, "time limit of one fetch")
	fs.DurationVar(&cfg.progress, "progress", 500*time.Millisecond, "period of the progress line")
	fs.BoolVar(&cfg.quiet, "quiet", false, "no progress line")
	fs.DurationVar(&cfg.grace, "grace", 10*time.Second, "after Ctrl-C, how long jobs in flight may take before they are cancelled")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // -h: the usage was asked for and printed
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(diag, "crawl: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if err := cfg.check(); err != nil {
		fmt.Fprintln(diag, "crawl:", err)
		return 2
	}
	p := &printer{w: diag, terminal: isTerminal(diag)}
	opts := []resource.Option{resource.Output(p), resource.ShutdownTimeout(cfg.grace)}
	if signals != nil {
		opts = append(opts, resource.Signals(signals))
	}
	return resource.Run(ctx, func(ctx context.Context, s *resource.Stack) error {
		return crawl(ctx, s, cfg, out, p)
	}, opts...)
}

// check reports what is wrong with the flags.
func (cfg config) check() error {
	switch {
	case cfg.pages < 0:
		return fmt.Errorf("-pages must not be negative")
	case cfg.workers < 1 || cfg.producers < 1:
		return fmt.Errorf("-workers and -producers must be at least 1")
	case cfg.latency < 0 || cfg.timeout <= 0 || cfg.progress <= 0 || cfg.grace < 0:
		return fmt.Errorf("-latency and -grace must not be negative, -timeout and -progress must be positive")
	case cfg.dist != "exp" && cfg.dist != "uniform" && cfg.dist != "fixed":
		return fmt.Errorf("-dist must be exp, uniform or fixed, not %q", cfg.dist)
	case cfg.errorRate < 0 || cfg.notFound < 0 || cfg.errorRate+cfg.notFound > 1:
		return fmt.Errorf("-error-rate and -notfound-rate must be fractions that add up to at most 1")
	}
	return nil
}

// crawl opens the site, crawls it and prints the report. It runs as Run's
// main: ctx ends at the first Ctrl-C.
func crawl(ctx context.Context, s *resource.Stack, cfg config, out io.Writer, p *printer) error {
	st, err := resource.Open(ctx, s, "site", func(ctx context.Context, s *resource.Stack) (*site, error) {
		return openSite(s, cfg)
	})
	if err != nil {
		return err
	}
	// One keep-alive connection per worker at most: without the limits a
	// burst would open (and then close) connections beyond the pool and
	// run out of ephemeral ports within seconds.
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.workers, MaxConnsPerHost: cfg.workers}
	defer tr.CloseIdleConnections()
	c := &crawler{client: &http.Client{Transport: tr}, timeout: cfg.timeout}

	ex := executor.New(s.Group, executor.Name("crawl"), executor.MaxWorkers(cfg.workers), executor.SuppressErrors())
	// At Ctrl-C, Run shuts the program's group down and the Stack closes
	// what was opened, newest first. This hook is newer than the site, so
	// the site stays up until the jobs in flight have finished instead of
	// failing them by closing under them. The hook has the Stack's close
	// timeout (5s); every fetch has -timeout, so the jobs in flight and
	// the few queued behind them end well within it unless -timeout is
	// raised. If they do not, the site closes anyway and they fail: that
	// is reported by the crawl, not a failure of the hook.
	if err := s.OnClose("crawl", func(ctx context.Context) error {
		select {
		case <-ex.Group().Done():
		case <-ctx.Done():
		}
		return nil
	}); err != nil {
		return err
	}

	fmt.Fprintf(out, "crawling %d pages of http://%s with %d workers and %d producers; latency %s %v, %.1f%% 500s, %.1f%% 404s\n",
		cfg.pages, st.addr, cfg.workers, cfg.producers, cfg.dist, cfg.latency, 100*cfg.errorRate, 100*cfg.notFound)
	start := time.Now()
	mon := newMonitor(ex, cfg, p)
	finished := make(chan struct{})
	watch := s.Go(func(context.Context) error {
		mon.run(start, finished)
		return nil
	}, group.Name("progress"))

	// The producers: each takes the next page and submits it. Submit blocks
	// while the executor is full; that is the back-pressure that keeps the
	// crawl in flat memory however many pages there are.
	var next atomic.Int64
	producers := s.Subgroup(group.Name("producers"))
	for range cfg.producers {
		//nurseryvet:ignore=outerctx main's ctx ends at the first Ctrl-C and stops the producers; their own contexts end only when the graceful shutdown cancels
		producers.Go(func(context.Context) error {
			for {
				i := next.Add(1) - 1
				if i >= int64(cfg.pages) {
					return nil
				}
				// ctx is main's: it ends at Ctrl-C, which stops the
				// producers; the jobs have contexts of their own and go on.
				if _, err := ex.Submit(ctx, c.job(st.pageURL(int(i)))); err != nil {
					return nil // Ctrl-C, or the executor was closed
				}
			}
		})
	}
	_ = producers.Wait() // producers never fail
	// With SuppressErrors, Wait returns no job's failure; a second Ctrl-C
	// cancels the jobs in flight, which the report counts.
	_ = ex.Wait()
	elapsed := time.Since(start)
	close(finished)
	<-watch.Done()
	tr.CloseIdleConnections()

	r := report{
		cfg:         cfg,
		elapsed:     elapsed,
		stats:       ex.Stats(),
		counts:      c.snapshot(),
		served:      st.meanLatency(),
		seen:        c.meanLatency(),
		peakGor:     mon.peakGoroutines,
		peakHeap:    mon.peakHeap,
		interrupted: context.Cause(ctx),
	}
	if !r.write(out) {
		return errors.New("jobs were lost: see the accounting line")
	}
	return nil
}

// printer writes to w, one goroutine at a time, and remembers whether a
// progress line is open on a terminal.
type printer struct {
	mu       sync.Mutex // serializes writes to w; guards open
	w        io.Writer
	terminal bool // w is a terminal: the progress line is rewritten in place
	open     bool // a progress line without its newline is on the terminal
}

// Write writes b (Run's messages) on a line of its own.
func (p *printer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		p.w.Write([]byte("\n"))
		p.open = false
	}
	return p.w.Write(b)
}

// progress shows line: in place on a terminal, else as a line of its own.
func (p *printer) progress(line string, final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.terminal {
		fmt.Fprintln(p.w, line)
		return
	}
	// \r returns to the start of the line, \x1b[K clears what is left of
	// the previous one.
	fmt.Fprintf(p.w, "\r%s\x1b[K", line)
	p.open = !final
	if final {
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
