package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nursery-go/nursery/resource"
)

// site is the local web server that the crawler fetches from: every page
// takes a random time to serve, and some fail. It is a resource: its
// Stack's group serves it, and closing the group drains it.
type site struct {
	*resource.Stack
	addr string

	latency    time.Duration // mean time to serve a page
	dist       string        // how that time varies: exp, uniform or fixed
	errorRate  float64       // fraction of pages answered with 500
	notFound   float64       // fraction of pages answered with 404
	served     atomic.Int64  // requests answered
	latencySum atomic.Int64  // nanoseconds slept by the handlers that finished their sleep
	slept      atomic.Int64  // handlers that finished their sleep
}

// openSite listens on a free port of 127.0.0.1 and serves the site as a
// task of s's group until the group closes.
func openSite(s *resource.Stack, cfg config) (*site, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	st := &site{
		Stack:     s,
		addr:      ln.Addr().String(),
		latency:   cfg.latency,
		dist:      cfg.dist,
		errorRate: cfg.errorRate,
		notFound:  cfg.notFound,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page/{n}", st.page)
	// The crawler opens up to -workers connections and keeps them alive;
	// the read timeout only stops a stuck client from holding a handler.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	resource.Serve(s.Group, srv, ln)
	return st, nil
}

// delay draws the time to serve one page.
func (st *site) delay() time.Duration {
	mean := float64(st.latency)
	switch st.dist {
	case "exp":
		// Exponential: many fast pages and a long tail of slow ones,
		// as real servers have.
		return time.Duration(rand.ExpFloat64() * mean)
	case "uniform":
		return time.Duration(rand.Float64() * 2 * mean)
	default:
		return st.latency
	}
}

// page serves /page/{n}: it waits for a random delay (cut short when the
// client goes away), then answers 200 with a small body, or 500 or 404 at
// the configured rates.
func (st *site) page(w http.ResponseWriter, r *http.Request) {
	defer st.served.Add(1)
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		http.Error(w, "bad page number", http.StatusBadRequest)
		return
	}
	d := st.delay()
	t := time.NewTimer(d)
	select {
	case <-t.C:
		st.latencySum.Add(int64(d))
		st.slept.Add(1)
	case <-r.Context().Done():
		// The client gave up or the server is closing: nobody reads
		// the answer.
		t.Stop()
		return
	}
	switch p := rand.Float64(); {
	case p < st.errorRate:
		http.Error(w, "internal server error", http.StatusInternalServerError)
	case p < st.errorRate+st.notFound:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><body><h1>page %d</h1><p>%s</p></body></html>\n", n, strings.Repeat("lorem ipsum ", 20))
	}
}

// meanLatency returns the mean delay that the site's handlers have slept,
// the latency the crawler was actually served.
func (st *site) meanLatency() time.Duration {
	n := st.slept.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(st.latencySum.Load() / n)
}

// pageURL returns the address of page n.
func (st *site) pageURL(n int) string {
	return "http://" + st.addr + "/page/" + strconv.Itoa(n)
}
