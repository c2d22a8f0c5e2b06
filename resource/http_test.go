package resource_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

// blockingServer serves one handler that reports each request on entered
// and answers only once release is closed (or its request ends).
type blockingServer struct {
	srv             *http.Server
	ln              net.Listener
	entered         chan struct{}
	release         chan struct{}
	shutdownStarted chan struct{}
}

func newBlockingServer(t *testing.T) *blockingServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	b := &blockingServer{
		ln:              ln,
		entered:         make(chan struct{}, 1), // one request per test
		release:         make(chan struct{}),
		shutdownStarted: make(chan struct{}),
	}
	b.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b.entered <- struct{}{}
			select {
			case <-b.release:
				_, _ = io.WriteString(w, "done")
			case <-r.Context().Done():
			}
		}),
	}
	// Called by Shutdown after it has closed the listener.
	b.srv.RegisterOnShutdown(func() { close(b.shutdownStarted) })
	return b
}

func (b *blockingServer) url() string { return "http://" + b.ln.Addr().String() + "/" }

type response struct {
	body string
	err  error
}

// get requests url in a goroutine whose result arrives on the channel.
func get(url string) <-chan response {
	out := make(chan response, 1)
	go func() {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		defer c.CloseIdleConnections()
		resp, err := c.Get(url)
		if err != nil {
			out <- response{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		out <- response{body: string(body), err: err}
	}()
	return out
}

func TestServe_gracefulShutdownCompletesInFlightRequests(t *testing.T) {
	for _, how := range []string{"Shutdown", "Close"} {
		t.Run(how, func(t *testing.T) {
			b := newBlockingServer(t)
			g := group.New(context.Background())
			task := resource.Serve(g, b.srv, b.ln)
			require.Equal(t, "http "+b.ln.Addr().String(), task.Name())

			inFlight := get(b.url())
			recv(t, b.entered, "the request to reach the handler")

			closed := make(chan error, 1)
			go func() {
				if how == "Shutdown" {
					closed <- g.Shutdown(context.Background())
				} else {
					closed <- g.Close() // cancels the task: the drain is shielded
				}
			}()
			recv(t, b.shutdownStarted, "the server's shutdown")

			// The listener is closed: a new connection is refused.
			_, err := net.DialTimeout("tcp", b.ln.Addr().String(), bound)
			require.Error(t, err)
			select {
			case <-closed:
				require.FailNow(t, "the group closed while a request was in flight")
			default:
			}

			close(b.release)
			resp := recv(t, inFlight, "the in-flight response")
			require.NoError(t, resp.err)
			require.Equal(t, "done", resp.body)
			require.NoError(t, recv(t, closed, "the group to close"))
			require.Equal(t, group.Succeeded, task.State())
		})
	}
}

func TestServe_drainTimeoutClosesConnections(t *testing.T) {
	b := newBlockingServer(t)
	g := group.New(context.Background())
	task := resource.Serve(g, b.srv, b.ln, resource.DrainTimeout(time.Millisecond))
	inFlight := get(b.url())
	recv(t, b.entered, "the request to reach the handler")
	closed := make(chan error, 1)
	go func() { closed <- g.Close() }()
	// The handler is never released: after the drain timeout the server
	// closes the connection, which ends the request's context, and the
	// task returns once the handler has.
	err := recv(t, closed, "the group to close")
	// The request that was cut off is named, not only the deadline.
	var co *resource.CutOffError
	require.ErrorAs(t, err, &co)
	require.Equal(t, "http "+b.ln.Addr().String(), co.Resource)
	require.Equal(t, time.Millisecond, co.Limit)
	require.Len(t, co.CutOff, 1)
	require.Equal(t, "request GET /", co.CutOff[0].Task)
	require.Equal(t, group.Failed, task.State())
	require.Error(t, recv(t, inFlight, "the cut-off response").err)
}

// brokenListener fails every Accept.
type brokenListener struct{ net.Listener }

var errBroken = errors.New("listener broke")

func (brokenListener) Accept() (net.Conn, error) { return nil, errBroken }

func TestServe_listenerErrorFailsTheGroup(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	g := group.New(context.Background())
	resource.Serve(g, &http.Server{}, brokenListener{ln})
	err = g.Wait()
	require.ErrorIs(t, err, errBroken)
	require.Contains(t, err.Error(), "resource: http serve")
}

func TestServe_serverShutDownElsewhere(t *testing.T) {
	b := newBlockingServer(t)
	g := group.New(context.Background())
	task := resource.Serve(g, b.srv, b.ln)
	// Serve may not have started yet; Shutdown makes it return at once
	// either way.
	require.NoError(t, b.srv.Shutdown(context.Background()))
	<-task.Done()
	require.NoError(t, task.Err())
	require.NoError(t, g.Close())
}

func TestServe_asAResource(t *testing.T) {
	b := newBlockingServer(t)
	close(b.release)
	parent, err := resource.NewStack(group.New(context.Background()))
	require.NoError(t, err)
	_, err = resource.Open(context.Background(), parent, "http", func(ctx context.Context, s *resource.Stack) (*resource.Stack, error) {
		resource.Serve(s.Group, b.srv, b.ln)
		return s, nil
	})
	require.NoError(t, err)
	resp := recv(t, get(b.url()), "a response")
	require.NoError(t, resp.err)
	require.Equal(t, "done", resp.body)
	require.NoError(t, parent.Close())
	_, err = net.DialTimeout("tcp", b.ln.Addr().String(), bound)
	require.Error(t, err)
}

func TestServe_badInput(t *testing.T) {
	g := group.New(context.Background())
	defer g.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	const want = "resource: Serve with nil group, server or listener"
	require.PanicsWithValue(t, want, func() { resource.Serve(nil, &http.Server{}, ln) })
	require.PanicsWithValue(t, want, func() { resource.Serve(g, nil, ln) })
	require.PanicsWithValue(t, want, func() { resource.Serve(g, &http.Server{}, nil) })
	require.PanicsWithValue(t, "resource: nil ServeOption", func() { resource.Serve(g, &http.Server{}, ln, nil) })
	require.PanicsWithValue(t, "resource: DrainTimeout must not be negative", func() { resource.DrainTimeout(-1) })
}

func TestServe_closedGroupClosesTheListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := group.New(context.Background())
	require.NoError(t, g.Close())
	task := resource.Serve(g, &http.Server{}, ln)
	require.Equal(t, group.Refused, task.State())
	_, err = net.DialTimeout("tcp", ln.Addr().String(), bound)
	require.Error(t, err)
}
