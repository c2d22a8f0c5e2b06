package resource_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
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
	waited := make(chan error, 1)
	go func() { waited <- g.Wait() }()
	err = recv(t, waited, "Wait after the listener broke")
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
	require.PanicsWithValue(t, "resource: nil Option given to Serve", func() { resource.Serve(g, &http.Server{}, ln, nil) })
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

// breakingListener accepts normally until broken is closed, then fails every
// Accept with a permanent error, as a listener whose socket went bad.
type breakingListener struct {
	net.Listener
	broken chan struct{}
}

var errListenerBroke = errors.New("listener broke")

func (l *breakingListener) Accept() (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	// Accept on the real listener in the background so that breaking the
	// listener ends a pending Accept.
	res := make(chan result, 1)
	go func() {
		c, err := l.Listener.Accept()
		res <- result{c, err}
	}()
	select {
	case r := <-res:
		return r.c, r.err
	case <-l.broken:
		_ = l.Listener.Close()
		if r := <-res; r.c != nil {
			_ = r.c.Close()
		}
		return nil, errListenerBroke
	}
}

// when the listener breaks, Serve's task returns the error and
// the group fails and closes, but srv is never shut down: keep-alive
// connections accepted before the break go on being served, so a handler
// runs after the group is Closed and the connections' goroutines leak.
// The contract: "no handler outlives the group".
func TestServe_listenerErrorLeavesConnectionsServed(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := &breakingListener{Listener: inner, broken: make(chan struct{})}
	g := group.New(context.Background())

	var closedCalls atomic.Int64 // handler calls made after g was Closed
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.State() == group.Closed {
			closedCalls.Add(1)
		}
		_, _ = io.WriteString(w, "ok")
	})}
	t.Cleanup(func() { _ = srv.Close() }) // what Serve should have done

	resource.Serve(g, srv, ln)

	// One keep-alive connection, made while the listener works.
	tr := &http.Transport{MaxIdleConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: bound}
	url := "http://" + inner.Addr().String() + "/"
	resp, err := c.Get(url)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())

	close(ln.broken)
	waited := make(chan error, 1)
	go func() { waited <- g.Wait() }()
	require.ErrorIs(t, recv(t, waited, "the group to fail"), errListenerBroke)
	require.Equal(t, group.Closed, g.State())

	// The group is Closed. The idle connection must be gone with it.
	resp, err = c.Get(url)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	require.Zero(t, closedCalls.Load(), "a handler ran after the group was Closed: srv was not shut down when its listener broke")
}

// the same missing shutdown hangs the group when a request is
// in flight as the listener breaks: the task waits for the handler
// (running.wait) with no deadline, and nothing ever closes its connection
// or cancels its context, so g.Wait never returns.
func TestServe_listenerErrorWithRequestInFlightHangs(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := &breakingListener{Listener: inner, broken: make(chan struct{})}
	entered := make(chan struct{}, 1)
	giveUp := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-r.Context().Done(): // a well-behaved handler
		case <-giveUp:
		}
	})}
	g := group.New(context.Background())
	resource.Serve(g, srv, ln, resource.DrainTimeout(100*time.Millisecond))
	inFlight := get("http://" + inner.Addr().String() + "/")
	recv(t, entered, "the request to reach the handler")

	close(ln.broken)
	waited := make(chan error, 1)
	go func() { waited <- g.Wait() }()
	gotWait := false
	defer func() {
		close(giveUp)
		if !gotWait {
			<-waited
		}
		_ = srv.Close()
		<-inFlight
	}()
	select {
	case err := <-waited:
		gotWait = true
		require.ErrorIs(t, err, errListenerBroke)
	case <-time.After(5 * time.Second):
		require.FailNow(t, "the group never closed: Serve waits for a handler whose connection it never closes after the listener broke")
	}
}

// a handler that hijacks its connection (a websocket) and then
// waits for its request's context is never told that the server shuts
// down: Shutdown and Close do not track hijacked connections and nothing
// cancels the request's context, so Serve's task waits for the handler
// forever and g.Close never returns, whatever DrainTimeout says.
func TestServe_hijackedHandlerHangsClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hijacked := make(chan struct{}, 1)
	giveUp := make(chan struct{}) // lets the handler go when the test ends
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		hijacked <- struct{}{}
		select {
		case <-r.Context().Done(): // a well-behaved handler
		case <-giveUp:
		}
	})}
	g := group.New(context.Background())
	resource.Serve(g, srv, ln, resource.DrainTimeout(100*time.Millisecond))

	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer client.Close()
	_, err = io.WriteString(client, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	recv(t, hijacked, "the handler to hijack")

	closed := make(chan error, 1)
	go func() { closed <- g.Close() }()
	gotClose := false
	defer func() {
		close(giveUp)
		if !gotClose {
			recv(t, closed, "Close once the handler gave up")
		}
	}()
	select {
	case <-closed:
		gotClose = true
	case <-time.After(5 * time.Second):
		require.FailNow(t, "g.Close hung on a hijacked handler that waits for its request's context (DrainTimeout 100ms)")
	}
}

// the same root cause without Hijack: a handler waiting on its
// request's context while the client is still sending the body (the
// server's background read has not started) is not cancelled by
// http.Server.Close after DrainTimeout, so the group never closes.
func TestServe_unreadBodyHandlerHangsClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	entered := make(chan struct{}, 1)
	giveUp := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-giveUp:
		}
	})}
	g := group.New(context.Background())
	resource.Serve(g, srv, ln, resource.DrainTimeout(100*time.Millisecond))

	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer client.Close()
	// A body of 1000 bytes of which only 10 are sent.
	_, err = io.WriteString(client, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
	require.NoError(t, err)
	recv(t, entered, "the handler to start")

	closed := make(chan error, 1)
	go func() { closed <- g.Close() }()
	gotClose := false
	defer func() {
		close(giveUp)
		if !gotClose {
			recv(t, closed, "Close once the handler gave up")
		}
	}()
	select {
	case <-closed:
		gotClose = true
	case <-time.After(5 * time.Second):
		require.FailNow(t, "g.Close hung on a handler waiting for its request's context (DrainTimeout 100ms)")
	}
}

// Pins behaviour: net/http recovers a handler's panic; the handler count
// still goes down, so the drain does not wait for the panicked handler.
func TestServe_panickingHandlerIsCountedOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })}
	g := group.New(context.Background())
	resource.Serve(g, srv, ln, resource.DrainTimeout(time.Minute))
	r := get("http://" + ln.Addr().String() + "/")
	require.Error(t, recv(t, r, "the aborted response").err)
	closed := make(chan error, 1)
	go func() { closed <- g.Close() }()
	require.NoError(t, recv(t, closed, "the group to close"))
}

// Pins behaviour: with srv.Handler nil, Serve serves http.DefaultServeMux.
func TestServe_nilHandlerServesDefaultServeMux(t *testing.T) {
	path := fmt.Sprintf("/review-%d", time.Now().UnixNano())
	http.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "default") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := group.New(context.Background())
	resource.Serve(g, &http.Server{}, ln)
	resp := recv(t, get("http://"+ln.Addr().String()+path), "the response")
	require.NoError(t, resp.err)
	require.Equal(t, "default", resp.body)
	closed := make(chan error, 1)
	go func() { closed <- g.Close() }()
	require.NoError(t, recv(t, closed, "the group to close"))
}

// Pins behaviour: over h2c (HTTP/2 without TLS), an in-flight request
// completes on a graceful close and the drain ends as soon as it has,
// well before DrainTimeout.
func TestServe_h2cInFlightRequestCompletes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	entered := make(chan string, 1)
	release := make(chan struct{})
	var protos http.Protocols
	protos.SetHTTP1(true)
	protos.SetUnencryptedHTTP2(true)
	srv := &http.Server{Protocols: &protos, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- r.Proto
		select {
		case <-release:
			_, _ = io.WriteString(w, "done")
		case <-r.Context().Done():
		}
	})}
	g := group.New(context.Background())
	resource.Serve(g, srv, ln, resource.DrainTimeout(time.Minute))

	var cp http.Protocols
	cp.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &cp}
	defer tr.CloseIdleConnections()
	got := make(chan response, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr, Timeout: bound}).Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- response{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- response{body: string(b), err: err}
	}()
	require.Equal(t, "HTTP/2.0", recv(t, entered, "the request"))

	closed := make(chan error, 1)
	go func() { closed <- g.Close() }()
	select {
	case <-closed:
		require.FailNow(t, "closed with a request in flight")
	case <-time.After(50 * time.Millisecond): // only to give Close a chance to misbehave
	}
	close(release)
	r := recv(t, got, "the response")
	require.NoError(t, r.err)
	require.Equal(t, "done", r.body)
	require.NoError(t, recv(t, closed, "the group to close"))
}
