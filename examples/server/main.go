// Server is a small HTTP service with two supervised background jobs, run
// by resource.Run: an HTTP server that counts visits in a store, a
// periodic report of the count, and a sync job that loses its upstream now
// and then and is restarted with backoff.
//
// Run it with:
//
//	go run ./examples/server
//
// and stop it with Ctrl-C: it prints its shutdown sequence, the jobs first,
// then the server (in-flight requests complete), then the store they both
// use, because resources close in reverse order of opening. A second
// Ctrl-C stops it hard. With -stop-after=5s it stops by itself. While it
// runs, open http://127.0.0.1:8080/debug/nursery in a browser: a live page
// shows every running task with its group, name and age, the supervised
// jobs restarting, and charts of tasks started and ended. The same URL
// gives text to curl, and JSON with ?format=json.
//
// http://127.0.0.1:8080/slow?d=3s answers after 3 s. Press Ctrl-C while it
// runs: the server stops accepting but lets it finish, within -drain (8 s
// by default). A request longer than that is cut off, and the program
// says so: it prints the request, how long it had run, and exits with 3.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/observe"
	"github.com/nursery-go/nursery/resource"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, nil))
}

// config holds the flags.
type config struct {
	addr       string
	stopAfter  time.Duration
	report     time.Duration
	sync       time.Duration
	syncsPerUp int
	drain      time.Duration
}

// run runs the program with args, writing to out, and returns its exit
// code. Signals come from the process when signals is nil, else from
// signals.
func run(ctx context.Context, args []string, out io.Writer, signals <-chan os.Signal) int {
	var cfg config
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.DurationVar(&cfg.stopAfter, "stop-after", 0, "stop by itself after this long (0: run until Ctrl-C)")
	fs.DurationVar(&cfg.report, "report", 2*time.Second, "period of the report job")
	fs.DurationVar(&cfg.sync, "sync", 500*time.Millisecond, "period of the sync job")
	fs.IntVar(&cfg.syncsPerUp, "fail-after", 3, "the sync job loses its upstream after this many syncs")
	fs.DurationVar(&cfg.drain, "drain", 8*time.Second, "how long the server lets in-flight requests finish at shutdown")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // -h: the usage was asked for and printed
		}
		return 2
	}
	if cfg.report <= 0 || cfg.sync <= 0 || cfg.syncsPerUp < 1 || cfg.stopAfter < 0 || cfg.drain < 0 {
		fmt.Fprintln(out, "server: -report and -sync must be positive, -fail-after at least 1, -stop-after and -drain not negative")
		return 2
	}
	p := &printer{w: out}
	// The whole shutdown gets the drain and some time for the rest.
	opts := []resource.Option{resource.Output(p), resource.ShutdownTimeout(cfg.drain + 5*time.Second)}
	if signals != nil {
		opts = append(opts, resource.Signals(signals))
	}
	return resource.Run(ctx, func(ctx context.Context, s *resource.Stack) error {
		return serve(ctx, s, cfg, p)
	}, opts...)
}

// serve opens the store, the server and the jobs into s, in that order,
// and waits for the signal (or for -stop-after).
func serve(ctx context.Context, s *resource.Stack, cfg config, p *printer) error {
	root := s.Group // the program's root group: resources opened into s show under it
	st, err := resource.Open(ctx, s, "store", func(ctx context.Context, s *resource.Stack) (*store, error) {
		st := &store{Stack: s}
		return st, s.OnClose("store", func(ctx context.Context) error {
			p.printf("store closed after %d visits", st.visits.Load())
			return nil
		})
	})
	if err != nil {
		return err
	}
	if _, err := resource.Open(ctx, s, "http", func(ctx context.Context, s *resource.Stack) (*resource.Stack, error) {
		ln, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			return nil, err
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello, visitor %d\n", st.visits.Add(1))
		})
		// A slow request: it is answered even if the program is asked to
		// stop meanwhile, as long as it ends within the drain.
		mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
			d, err := time.ParseDuration(r.URL.Query().Get("d"))
			if err != nil {
				http.Error(w, "want ?d=DURATION", http.StatusBadRequest)
				return
			}
			p.printf("slow: %v request started", d)
			select {
			case <-time.After(d):
				fmt.Fprintf(w, "done after %v\n", d)
			case <-r.Context().Done(): // cut off: the drain ran out
			}
		})
		// Every running task of the program, with its name and age: a live
		// page for browsers, text for curl, JSON with ?format=json. It only
		// reads; on a public listener, wrap it in your own authentication.
		mux.Handle("/debug/nursery", observe.Handler(root))
		srv := &http.Server{Handler: mux}
		// The resource's close budget covers the drain.
		served := resource.Serve(s.Group, srv, ln, resource.DrainTimeout(cfg.drain))
		p.printf("listening on http://%s (open http://%s/debug/nursery in a browser to watch the tasks live)", ln.Addr(), ln.Addr())
		// When the group closes, the server's task drains in-flight
		// requests; meanwhile the hooks run, the last registered first.
		if err := s.OnClose("http stopped", func(ctx context.Context) error {
			return stopped(ctx, p, "http", served)
		}); err != nil {
			return nil, err
		}
		return s, s.OnClose("http draining", func(ctx context.Context) error {
			p.printf("http: draining")
			return nil
		})
	}, resource.CloseTimeout(cfg.drain)); err != nil { // its hooks wait for the drain
		return err
	}
	if _, err := resource.Open(ctx, s, "jobs", func(ctx context.Context, s *resource.Stack) (*resource.Stack, error) {
		report := resource.Supervise(s.Group, "report", call.Interval(cfg.report, func(ctx context.Context) error {
			p.printf("report: %d visits", st.visits.Load())
			return nil
		}), resource.Spec{})

		syncs := 0
		sync := resource.Supervise(s.Group, "sync", func(ctx context.Context) error {
			return syncLoop(ctx, cfg, &syncs, p)
		}, syncSupervision(func(r resource.Restart) {
			p.printf("sync: %v; restart %d in %v", r.Err, r.Restart, r.Delay.Round(time.Millisecond))
		}))
		return s, s.OnClose("jobs", func(ctx context.Context) error {
			return stopped(ctx, p, "jobs", report, sync)
		})
	}); err != nil {
		return err
	}

	if cfg.stopAfter > 0 {
		t := time.NewTimer(cfg.stopAfter)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
			p.printf("stopping after %v", cfg.stopAfter)
		}
	} else {
		p.printf("press Ctrl-C to stop")
		<-ctx.Done() // Run reports the signal
	}
	return nil
}

// syncSupervision is how the sync job is supervised: restarts after 100 ms
// doubling up to 5 s, and an escalation that stops the program when the
// restart count, which halves every 5 s the job runs, goes above 10. With
// the default flags the job fails after 1.5 s of work or so, which keeps
// the count near 5; a job that fails faster than it can do any work
// escalates at its 11th failure.
func syncSupervision(onRestart func(resource.Restart)) resource.Spec {
	return resource.Spec{
		Backoff:   call.Backoff{Base: 100 * time.Millisecond, Max: 5 * time.Second},
		Threshold: 10,
		Decay:     5 * time.Second,
		OnRestart: onRestart,
	}
}

// stopped waits, within the hook's deadline, until every one of ws is
// done, and says so.
func stopped(ctx context.Context, p *printer, what string, ws ...interface{ Done() <-chan struct{} }) error {
	for _, w := range ws {
		select {
		case <-w.Done():
		case <-ctx.Done():
			return fmt.Errorf("%s did not stop: %w", what, ctx.Err())
		}
	}
	p.printf("%s: stopped", what)
	return nil
}

// store is the state the server and the jobs share: a resource that
// closes last.
type store struct {
	*resource.Stack
	visits atomic.Int64
}

// errUpstream is what the sync job meets now and then.
var errUpstream = errors.New("upstream connection lost")

// syncLoop syncs every cfg.sync and loses its upstream after
// cfg.syncsPerUp syncs; the supervisor restarts it.
func syncLoop(ctx context.Context, cfg config, syncs *int, p *printer) error {
	t := time.NewTicker(cfg.sync)
	defer t.Stop()
	for i := 1; ; i++ {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-t.C:
		}
		*syncs++ // only this job's runs touch it, one at a time
		if i == cfg.syncsPerUp {
			return fmt.Errorf("sync %d: %w", *syncs, errUpstream)
		}
	}
}

// printer writes whole lines to w, one goroutine at a time.
type printer struct {
	mu sync.Mutex // serializes writes to w
	w  io.Writer
}

func (p *printer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.w.Write(b)
}

func (p *printer) printf(format string, args ...any) {
	fmt.Fprintf(p, format+"\n", args...)
}
