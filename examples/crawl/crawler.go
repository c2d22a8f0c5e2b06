package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// kind is how one fetch ended.
type kind int

const (
	ok        kind = iota
	http500        // the site answered 500
	http404        // the site answered 404
	httpOther      // another status that is not 200
	timeout        // the fetch took longer than -timeout
	netError       // the request failed: connection refused, reset, ...
	cancelled      // the job was cancelled (a second Ctrl-C)
	nkinds
)

var kindNames = [nkinds]string{"ok", "http 500", "http 404", "http other", "timeout", "network", "cancelled"}

func (k kind) String() string { return kindNames[k] }

// errTimeout is the cause of a fetch's context when -timeout runs out.
var errTimeout = errors.New("fetch timed out")

// crawler fetches pages and counts how each fetch ended.
type crawler struct {
	client  *http.Client
	timeout time.Duration

	counts     [nkinds]atomic.Int64
	latencySum atomic.Int64 // nanoseconds from request to body read, over every fetch that got a response
	responses  atomic.Int64
}

// job returns the executor job that fetches url.
func (c *crawler) job(url string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		k, err := c.fetch(ctx, url)
		c.counts[k].Add(1)
		return err
	}
}

// fetch GETs url and reads the page. Its error fails the job, except that
// a cancelled job returns its context's cause, so that the executor counts
// it as cancelled rather than failed.
func (c *crawler) fetch(ctx context.Context, url string) (kind, error) {
	start := time.Now()
	rctx, stop := context.WithTimeoutCause(ctx, c.timeout, errTimeout)
	defer stop()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
	if err != nil {
		return netError, err
	}
	resp, err := c.client.Do(req)
	if err == nil {
		// Read to the end, so that the connection goes back to the pool.
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	switch {
	case ctx.Err() != nil:
		return cancelled, context.Cause(ctx)
	case errors.Is(context.Cause(rctx), errTimeout):
		return timeout, fmt.Errorf("GET %s: %w", url, errTimeout)
	case err != nil:
		return netError, err
	}
	c.latencySum.Add(int64(time.Since(start)))
	c.responses.Add(1)
	switch resp.StatusCode {
	case http.StatusOK:
		return ok, nil
	case http.StatusInternalServerError:
		return http500, fmt.Errorf("GET %s: %s", url, resp.Status)
	case http.StatusNotFound:
		return http404, fmt.Errorf("GET %s: %s", url, resp.Status)
	default:
		return httpOther, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
}

// snapshot returns the counts by kind.
func (c *crawler) snapshot() [nkinds]int64 {
	var n [nkinds]int64
	for k := range n {
		n[k] = c.counts[k].Load()
	}
	return n
}

// meanLatency returns the mean time from request to the page read, as the
// crawler sees it: the site's delay plus HTTP and waiting for the CPU.
func (c *crawler) meanLatency() time.Duration {
	n := c.responses.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(c.latencySum.Load() / n)
}
