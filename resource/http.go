package resource

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"go.uber.org/multierr"

	"github.com/nursery-go/nursery/group"
)

// Serve serves srv on ln as a task of g and returns the task. It does not
// block. The task is named "http " and the listener's address.
//
// While g is open the task runs [http.Server.Serve]. When g leaves Open,
// gracefully or not, or the task is cancelled, the task stops accepting
// connections and drains: it calls [http.Server.Shutdown], which lets
// in-flight requests complete, with a context that the group's
// cancellation does not reach and that ends after [DrainTimeout]; if that
// runs out it calls [http.Server.Close] and fails with a [*CutOffError]
// naming the requests it cut off (method, path and how long each had run),
// or, when no handler was running (only connections were open), with an
// error matching [context.DeadlineExceeded].
// Opened with [Open], the resource's close budget covers DrainTimeout.
// Connections made after the drain has started
// are refused, since the listener is closed. If Serve fails instead (the
// listener broke), the task drains the connections it has in the same way
// and fails with the listener's error, which fails g under its error
// policy.
//
// Serve takes srv over: it wraps srv.Handler (or [http.DefaultServeMux]
// when that is nil) to count running handlers, and the task returns only
// once every handler has returned, so no handler outlives the group. It
// also sets srv.BaseContext (keeping the one srv had as the parent): every
// request's context is cancelled once the drain is over, so that handlers
// Shutdown does not wait for — those of hijacked connections (websockets)
// and those cut off by Close while still reading a request — learn that
// they must return. A handler that ignores its request's context is
// waited for, like a task that ignores its own. srv must not be served
// elsewhere. Serve
// closes ln, at once if g is not open (the task is then Refused). The
// tracking costs each request about 110 ns and no allocation in steady
// state (a map insert and delete under one mutex, from concurrent
// goroutines, on a shared 2-vCPU machine; counting alone cost about 40 ns
// before requests were named; see BenchmarkServeHandlerCount).
//
// Serve panics if g, srv, ln or an option is nil.
func Serve(g *group.Group, srv *http.Server, ln net.Listener, opts ...Option) *group.Task {
	if g == nil || srv == nil || ln == nil {
		panic("resource: Serve with nil group, server or listener")
	}
	o := options{drain: defaultDrainTimeout}
	apply("Serve", &o, opts)
	h := srv.Handler
	if h == nil {
		h = http.DefaultServeMux
	}
	addr := ln.Addr().String()
	var running handlers
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		running.enter(r)
		defer running.leave(r)
		h.ServeHTTP(w, r)
	})
	needDrain(g, o.drain) // an opened resource's budget covers the drain
	// Every request's context derives from reqs, cancelled once the drain
	// is over.
	reqs, endRequests := context.WithCancelCause(context.Background())
	if base := srv.BaseContext; base != nil {
		srv.BaseContext = func(l net.Listener) context.Context {
			c, cancel := context.WithCancelCause(base(l))
			context.AfterFunc(reqs, func() { cancel(context.Cause(reqs)) })
			return c
		}
	} else {
		srv.BaseContext = func(net.Listener) context.Context { return reqs }
	}
	t := g.Go(func(ctx context.Context) error {
		defer endRequests(nil)
		served := make(chan error, 1) // one send, so the goroutine never blocks
		go func() { served <- srv.Serve(ln) }()
		var serveErr error
		select {
		case serveErr = <-served:
			if errors.Is(serveErr, http.ErrServerClosed) {
				// Someone else shut srv down: not a failure, and the
				// Shutdown or Close they called drains the connections.
				running.wait()
				return nil
			}
			serveErr = fmt.Errorf("resource: http serve: %w", serveErr)
			served = nil
		case <-g.Closing():
		case <-ctx.Done():
		}
		deadline := time.Now().Add(o.drain)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		// Shielded: the group's cancellation is what brought us here and
		// must not cut the drain short; only the deadline does.
		sctx, stop := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		defer stop()
		err := srv.Shutdown(sctx)
		if err != nil {
			// The drain ran out: what still runs is cut off by Close, and
			// named, so that the cut is never silent.
			cut := running.list()
			if len(cut) > 0 {
				// Not wrapping the deadline: see CutOffError.Unwrap.
				err = &CutOffError{Resource: "http " + addr, Limit: o.drain, CutOff: cut, Err: srv.Close()}
			} else {
				err = multierr.Combine(fmt.Errorf("resource: http shutdown: %w", err), srv.Close())
			}
		}
		if served != nil {
			<-served // Serve returned ErrServerClosed as soon as Shutdown started
		}
		// What still runs Shutdown does not wait for: hijacked connections,
		// or requests cut off by Close. Tell them, then wait for them.
		endRequests(errDrained)
		running.wait()
		return multierr.Combine(serveErr, err)
	}, group.Name("http "+addr))
	if t.State() == group.Refused {
		_ = ln.Close() // Serve owns ln even when the group refused to serve it
	}
	return t
}

// errDrained is the cause of the requests' contexts once Serve's drain is
// over.
var errDrained = errors.New("resource: http server drained")

// handlers tracks running handlers, to name them if the drain cuts them
// off, and lets one goroutine wait for none. A sync.WaitGroup does not
// fit: a handler may start (Add from zero) while the task already waits,
// which WaitGroup forbids.
type handlers struct {
	mu   sync.Mutex                  // guards n, reqs and idle
	n    int                         // running handlers
	reqs map[*http.Request]time.Time // running handlers' requests and when they started
	idle chan struct{}               // closed when n drops to zero; nil when no one waits
}

func (h *handlers) enter(r *http.Request) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.reqs == nil {
		h.reqs = make(map[*http.Request]time.Time)
	}
	h.reqs[r] = now
	h.n++
}

func (h *handlers) leave(r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.reqs, r)
	h.n--
	if h.n == 0 && h.idle != nil {
		close(h.idle)
		h.idle = nil
	}
}

// list names the running requests, oldest first.
func (h *handlers) list() []group.StuckTask {
	now := time.Now()
	h.mu.Lock()
	out := make([]group.StuckTask, 0, len(h.reqs))
	for r, at := range h.reqs {
		out = append(out, group.StuckTask{Task: "request " + r.Method + " " + r.URL.RequestURI(), Age: now.Sub(at)})
	}
	h.mu.Unlock()
	slices.SortStableFunc(out, func(a, b group.StuckTask) int { return cmp.Compare(b.Age, a.Age) })
	return out
}

// wait blocks until no handler runs.
func (h *handlers) wait() {
	h.mu.Lock()
	if h.n == 0 {
		h.mu.Unlock()
		return
	}
	if h.idle == nil {
		h.idle = make(chan struct{})
	}
	idle := h.idle
	h.mu.Unlock()
	<-idle
}
