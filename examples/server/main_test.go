package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// bound only turns a hang into a failure; no test depends on it for timing.
const bound = 20 * time.Second

// output collects what the program writes (see testkit.Output).
type output struct{ *testkit.Output }

func newOutput() *output { return &output{testkit.NewOutput()} }

// waitFor waits until the output matches re and returns the first match's
// submatches.
func (o *output) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	return o.WaitFor(t, re, bound)
}

// start runs the program in a goroutine; its exit code arrives on the
// returned channel.
func start(args []string, out io.Writer, signals <-chan os.Signal) <-chan int {
	code := make(chan int, 1)
	go func() { code <- run(context.Background(), args, out, signals) }()
	return code
}

func exitCode(t *testing.T, code <-chan int, out *output) int {
	t.Helper()
	select {
	case c := <-code:
		return c
	case <-time.After(bound):
		require.FailNow(t, "the program did not end", "output so far:\n%s", out.String())
	}
	return -1
}

// requireInOrder checks that the lines appear in the output in this order.
func requireInOrder(t *testing.T, text string, lines ...string) {
	t.Helper()
	at := 0
	for _, l := range lines {
		i := strings.Index(text[at:], l+"\n")
		require.GreaterOrEqual(t, i, 0, "%q missing after position %d in:\n%s", l, at, text)
		at += i + len(l)
	}
}

var listening = regexp.MustCompile(`listening on http://(\S+) `)

// The shutdown sequence: jobs first, then the server, then the store.
var sequence = []string{"jobs: stopped", "http: draining", "http: stopped"}

func TestServer_stopsByItself(t *testing.T) {
	out := newOutput()
	// Real signals (nil): the program as `go run` starts it.
	code := start([]string{"-addr=127.0.0.1:0", "-stop-after=300ms", "-sync=10ms", "-report=50ms"}, out, nil)
	require.Equal(t, 0, exitCode(t, code, out), out.String())
	text := out.String()
	require.Regexp(t, listening, text)
	requireInOrder(t, text, append([]string{"stopping after 300ms"}, sequence...)...)
	require.Regexp(t, `store closed after \d+ visits\n$`, text)
}

func TestServer_ctrlC(t *testing.T) {
	out := newOutput()
	sigs := make(chan os.Signal, 1)
	code := start([]string{"-addr=127.0.0.1:0", "-report=10ms", "-sync=5ms", "-fail-after=1"}, out, sigs)
	addr := out.waitFor(t, listening)[1]
	// Both jobs have run (so their supervisors' tasks are running) once
	// each has printed.
	out.waitFor(t, regexp.MustCompile(`report: \d+ visits\n`))
	out.waitFor(t, regexp.MustCompile(`sync: .*; restart 1 in`))

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: bound}
	for i := 1; i <= 2; i++ {
		resp, err := client.Get("http://" + addr + "/")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("hello, visitor %d\n", i), string(body))
	}

	// One URL shows every running task with its name and age.
	resp, err := client.Get("http://" + addr + "/debug/nursery")
	require.NoError(t, err)
	tree, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Regexp(t, `^group \d+ "main" open`, string(tree))
	for _, want := range []string{`task 2 "main" running`, `"store" open`, `"http" open`,
		`"jobs" open`, `"report" running`, `"sync" running`} {
		require.Contains(t, string(tree), want)
	}
	require.Regexp(t, `task \d+ "sync" running \d+(\.\d+)?(ms|s)`, string(tree))

	// A browser gets the live page, which polls the same URL for its feed.
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/debug/nursery", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err = client.Do(req)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Contains(t, string(page), "<title>nursery · live tree</title>")
	resp, err = client.Get("http://" + addr + "/debug/nursery?format=live&name=sync")
	require.NoError(t, err)
	feed, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	require.Contains(t, string(feed), `"name":"sync","state":"running"`)
	require.NotContains(t, string(feed), `"name":"report"`, "the feed is filtered")

	sigs <- syscall.SIGINT
	require.Equal(t, 0, exitCode(t, code, out), out.String())
	text := out.String()
	requireInOrder(t, text, append([]string{"resource: cancel: received signal interrupt: shutting down (deadline 13s)"}, sequence...)...)
	require.True(t, strings.HasSuffix(text, "store closed after 2 visits\n"), text)

	_, err = net.DialTimeout("tcp", addr, bound)
	require.Error(t, err, "the server still accepts connections after the program ended")
}

func TestServer_syncJobIsRestarted(t *testing.T) {
	out := newOutput()
	sigs := make(chan os.Signal, 1)
	code := start([]string{"-addr=127.0.0.1:0", "-sync=1ms", "-fail-after=2"}, out, sigs)
	out.waitFor(t, regexp.MustCompile(`sync: sync 2: upstream connection lost; restart 1 in \d+ms\n`))
	out.waitFor(t, regexp.MustCompile(`sync: sync 4: upstream connection lost; restart 2 in \d+ms\n`))
	sigs <- syscall.SIGTERM
	require.Equal(t, 0, exitCode(t, code, out), out.String())
	requireInOrder(t, out.String(), sequence...)
}

func TestServer_badFlags(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"-sync=0"}, {"-fail-after=0"}, {"-stop-after=-1s"}, {"-drain=-1s"}} {
		out := newOutput()
		require.Equal(t, 2, run(context.Background(), args, out, nil), "args %v", args)
	}
	out := newOutput()
	require.Equal(t, 0, run(context.Background(), []string{"-h"}, out, nil), "-h asks for the usage")
	require.Contains(t, out.String(), "-stop-after")
}

func TestServer_listenFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	out := newOutput()
	// The address is taken: opening the server fails, and what was opened
	// before it (the store) is closed.
	code := run(context.Background(), []string{"-addr=" + ln.Addr().String()}, out, make(chan os.Signal))
	require.Equal(t, 1, code)
	text := out.String()
	require.Contains(t, text, `resource: open "http"`)
	require.Contains(t, text, "address already in use")
	require.Contains(t, text, "store closed after 0 visits")
}

// A slow request that began before Ctrl-C is answered: the server stops
// accepting but drains it.
func TestServer_slowRequestIsAnswered(t *testing.T) {
	out := newOutput()
	sigs := make(chan os.Signal, 1)
	code := start([]string{"-addr=127.0.0.1:0"}, out, sigs)
	addr := out.waitFor(t, listening)[1]
	out.waitFor(t, regexp.MustCompile(`press Ctrl-C to stop\n`)) // everything is open
	resp := slowGet(addr, "300ms")
	out.waitFor(t, regexp.MustCompile(`slow: 300ms request started\n`))
	sigs <- syscall.SIGTERM
	r := recvResponse(t, resp)
	require.NoError(t, r.err)
	require.Equal(t, "done after 300ms\n", r.body)
	require.Equal(t, 0, exitCode(t, code, out), out.String())
}

// A request longer than the drain is cut off, and the program says so: it
// names the request and exits with 3.
func TestServer_requestLongerThanTheDrainIsReported(t *testing.T) {
	out := newOutput()
	sigs := make(chan os.Signal, 1)
	code := start([]string{"-addr=127.0.0.1:0", "-drain=100ms"}, out, sigs)
	addr := out.waitFor(t, listening)[1]
	out.waitFor(t, regexp.MustCompile(`press Ctrl-C to stop\n`)) // everything is open
	resp := slowGet(addr, "1m")
	out.waitFor(t, regexp.MustCompile(`slow: 1m0s request started\n`))
	sigs <- syscall.SIGTERM
	require.Equal(t, 3, exitCode(t, code, out), out.String())
	require.Error(t, recvResponse(t, resp).err)
	require.Regexp(t, `resource: cut off: request GET /slow\?d=1m in http 127\.0\.0\.1:\d+ after \d+ms \(budget 100ms\)`, out.String())
}

type response struct {
	body string
	err  error
}

// slowGet asks for /slow?d=d in a goroutine; the result arrives on the
// channel.
func slowGet(addr, d string) <-chan response {
	out := make(chan response, 1) // one send
	go func() {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: bound}
		resp, err := c.Get("http://" + addr + "/slow?d=" + d)
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

func recvResponse(t *testing.T, ch <-chan response) response {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(bound):
		require.FailNow(t, "the slow request did not end")
	}
	return response{}
}
