package tests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/resource"
)

// service is issue 24's service in miniature, run by resource.Run: an
// HTTP server on 127.0.0.1 whose handler does its work on an executor and
// puts an event into a queue, consumers that drain the queue, and a
// supervised periodic job. Opened in the order events, executor, jobs,
// http, it closes in the reverse order: the server stops accepting and
// drains first, then the job stops, then the executor finishes its jobs,
// then the queue is closed and drained.
type service struct {
	drain time.Duration // Serve's DrainTimeout

	addr   chan string   // the server's address, once it listens
	slowIn chan struct{} // closed when a /slow request is in its handler
	once   sync.Once

	accepted, answered, refused atomic.Int64 // requests that reached a handler; answered 2xx; refused 503
	queued, processed           atomic.Int64 // events accepted by the queue; handled by a consumer
	ticks                       atomic.Int64 // runs of the supervised job
}

func newService(drain time.Duration) *service {
	return &service{drain: drain, addr: make(chan string, 1), slowIn: make(chan struct{})}
}

func (sv *service) main(ctx context.Context, s *resource.Stack) error {
	events, err := resource.Open(ctx, s, "events", func(ctx context.Context, es *resource.Stack) (*resource.Queue[int], error) {
		q, err := resource.NewQueue[int](es, 64)
		for range 2 {
			es.Go(func(ctx context.Context) error {
				for _, err := range q.All(ctx) {
					if err != nil {
						return err
					}
					time.Sleep(time.Millisecond) // handling an event: slower than the requests come, so events queue up
					sv.processed.Add(1)
				}
				return nil
			})
		}
		return q, err
	})
	if err != nil {
		return err
	}
	ex, err := resource.Open(ctx, s, "executor", func(ctx context.Context, xs *resource.Stack) (*executor.Executor, error) {
		return executor.New(xs.Group, executor.MaxWorkers(8)), nil
	})
	if err != nil {
		return err
	}
	if _, err := resource.Open(ctx, s, "jobs", func(ctx context.Context, js *resource.Stack) (*resource.Stack, error) {
		resource.Supervise(js.Group, "tick", call.Interval(5*time.Millisecond, func(context.Context) error {
			sv.ticks.Add(1)
			return nil
		}), resource.Spec{})

		return js, nil
	}); err != nil {
		return err
	}
	if _, err := resource.Open(ctx, s, "http", func(ctx context.Context, hs *resource.Stack) (*resource.Stack, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
			sv.accepted.Add(1)
			n, err := executor.Exec(r.Context(), ex, func(context.Context) (int, error) {
				time.Sleep(time.Millisecond) // the request's work
				return int(sv.accepted.Load()), nil
			})
			if err == nil {
				err = events.Put(r.Context(), n)
			}
			switch {
			case errors.Is(err, executor.ErrClosed) || errors.Is(err, resource.ErrClosed):
				sv.refused.Add(1)
				http.Error(w, "shutting down", http.StatusServiceUnavailable)
			case err != nil:
				http.Error(w, err.Error(), http.StatusInternalServerError)
			default:
				sv.queued.Add(1)
				sv.answered.Add(1)
				_, _ = io.WriteString(w, "ok")
			}
		})
		mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
			sv.once.Do(func() { close(sv.slowIn) })
			select {
			case <-time.After(time.Minute): // longer than any budget here
				_, _ = io.WriteString(w, "late")
			case <-r.Context().Done():
			}
		})
		resource.Serve(hs.Group, &http.Server{Handler: mux}, ln, resource.DrainTimeout(sv.drain))
		sv.addr <- ln.Addr().String()
		return hs, nil
	}); err != nil {
		return err
	}
	<-ctx.Done() // the first signal
	return nil
}

// start runs the service under Run in a goroutine, with signals from the
// returned channel; the exit code arrives on the other.
func (sv *service) start(t *testing.T, out io.Writer) (chan<- os.Signal, <-chan int, string) {
	t.Helper()
	sigs := make(chan os.Signal, 1) // one signal per test
	code := make(chan int, 1)
	go func() {
		code <- resource.Run(context.Background(), sv.main, resource.Signals(sigs), resource.Output(out), resource.ShutdownTimeout(10*time.Second))
	}()
	select {
	case addr := <-sv.addr:
		return sigs, code, addr
	case c := <-code:
		t.Fatalf("the service ended before it listened, exit %d: %s", c, out)
	case <-time.After(bound):
		t.Fatalf("the service did not listen within %v", bound)
	}
	return nil, nil, ""
}

// syncWriter is a strings.Builder safe for concurrent use.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestShutdown_serviceUnderLoad: SIGTERM in the middle of a bounded load.
// Every request is either answered (2xx, or 503 when the service refused
// it) or refused before it was accepted (the connection was refused or
// closed before a handler saw it); every event the queue accepted is
// processed; the exit code is 0.
func TestShutdown_serviceUnderLoad(t *testing.T) {
	const clients = 8
	requests := int64(3000)
	if raceEnabled {
		requests = 1500
	}
	sv := newService(5 * time.Second)
	out := &syncWriter{}
	sigs, code, addr := sv.start(t, out)

	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: bound}
	var sent, ok2xx, got503, connRefused atomic.Int64
	var signalled atomic.Bool
	var mu sync.Mutex // guards unexpected
	var unexpected []string
	third := make(chan struct{})
	var thirdOnce sync.Once
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for sent.Add(1) <= requests {
				resp, err := client.Get("http://" + addr + "/work")
				if err != nil {
					if !signalled.Load() {
						mu.Lock()
						unexpected = append(unexpected, "before the signal: "+err.Error())
						mu.Unlock()
					}
					connRefused.Add(1)
					return // the server has gone: this client stops
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				switch {
				case resp.StatusCode/100 == 2:
					if ok2xx.Add(1) == requests/3 {
						thirdOnce.Do(func() { close(third) })
					}
				case resp.StatusCode == http.StatusServiceUnavailable:
					got503.Add(1)
				default:
					mu.Lock()
					unexpected = append(unexpected, resp.Status)
					mu.Unlock()
				}
			}
		})
	}
	clientsDone := make(chan struct{})
	go func() { wg.Wait(); close(clientsDone) }()

	select {
	case <-third:
	case <-clientsDone:
		t.Fatalf("the clients ended before a third of the load: %d answered, unexpected %v", ok2xx.Load(), unexpected)
	case <-time.After(bound):
		t.Fatalf("a third of the load was not answered within %v", bound)
	}
	signalled.Store(true)
	start := time.Now()
	sigs <- syscall.SIGTERM
	var exit int
	select {
	case exit = <-code:
	case <-time.After(bound):
		t.Fatalf("Run did not return within %v of SIGTERM", bound)
	}
	shutdown := time.Since(start)
	select {
	case <-clientsDone:
	case <-time.After(bound):
		t.Fatalf("the clients did not end within %v", bound)
	}

	t.Logf("requests %d (made %d), accepted %d, answered 2xx %d, refused 503 %d, refused before acceptance %d; queue accepted %d, processed %d; job ran %d times; shutdown %v",
		requests, ok2xx.Load()+got503.Load()+connRefused.Load(), sv.accepted.Load(), ok2xx.Load(), got503.Load(), connRefused.Load(),
		sv.queued.Load(), sv.processed.Load(), sv.ticks.Load(), shutdown.Round(time.Millisecond))
	require.Equal(t, resource.ExitOK, exit, out.String())
	require.Empty(t, unexpected, "responses that were neither 2xx nor 503, or errors before the signal")
	// Every request a handler saw was answered, and the answer reached the
	// client: the requests that failed were never accepted.
	require.Equal(t, sv.accepted.Load(), sv.answered.Load()+sv.refused.Load())
	require.Equal(t, sv.answered.Load(), ok2xx.Load())
	require.Equal(t, sv.refused.Load(), got503.Load())
	require.Equal(t, sv.queued.Load(), sv.processed.Load(), "events the queue accepted were not processed")
	require.Positive(t, sv.ticks.Load(), "the supervised job never ran")
	require.Less(t, shutdown, 5*time.Second, "the shutdown waited for a budget instead of for the work")
}

// TestShutdown_requestLongerThanTheBudget: a request that outlasts the
// server's drain is cut off, and that is not silent: Run returns a non-zero
// exit code and its report names the request.
func TestShutdown_requestLongerThanTheBudget(t *testing.T) {
	const drain = 200 * time.Millisecond
	sv := newService(drain)
	out := &syncWriter{}
	sigs, code, addr := sv.start(t, out)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	slow := make(chan error, 1) // one send
	go func() {
		resp, err := (&http.Client{Transport: tr, Timeout: bound}).Get("http://" + addr + "/slow")
		if err == nil {
			_ = resp.Body.Close()
			err = fmt.Errorf("answered %s", resp.Status)
		}
		slow <- err
	}()
	select {
	case <-sv.slowIn:
	case <-time.After(bound):
		t.Fatalf("the slow request did not reach its handler within %v", bound)
	}
	start := time.Now()
	sigs <- syscall.SIGTERM
	var exit int
	select {
	case exit = <-code:
	case <-time.After(bound):
		t.Fatalf("Run did not return within %v of SIGTERM", bound)
	}
	shutdown := time.Since(start)
	select {
	case err := <-slow:
		require.Error(t, err, "the cut-off request")
	case <-time.After(bound):
		t.Fatalf("the slow request did not end within %v", bound)
	}
	t.Logf("exit %d after %v; report:\n%s", exit, shutdown.Round(time.Millisecond), out)
	require.Equal(t, resource.ExitTimeout, exit)
	require.Contains(t, out.String(), "resource: cut off: request GET /slow in http 127.0.0.1:")
	require.GreaterOrEqual(t, shutdown, drain)
}
