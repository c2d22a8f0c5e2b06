package main

import (
	"context"
	"os"
	"regexp"
	"strconv"
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
const bound = 60 * time.Second

// output collects what the program writes (see testkit.Output).
type output struct{ *testkit.Output }

func newOutput() *output { return &output{testkit.NewOutput()} }

// waitFor waits until the output matches re and returns the first match's
// submatches.
func (o *output) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	return o.WaitFor(t, re, bound)
}

// program is one run of the program in a goroutine.
type program struct {
	out, diag *output
	signals   chan os.Signal
	code      chan int
}

// start runs the program with args; signals come from the test only.
func start(args ...string) *program {
	p := &program{out: newOutput(), diag: newOutput(), signals: make(chan os.Signal, 1), code: make(chan int, 1)}
	go func() { p.code <- run(context.Background(), args, p.out, p.diag, p.signals) }()
	return p
}

// exit waits for the program to end and returns its exit code.
func (p *program) exit(t *testing.T) int {
	t.Helper()
	select {
	case c := <-p.code:
		return c
	case <-time.After(bound):
		require.FailNow(t, "the program did not end", "stdout:\n%s\nstderr:\n%s", p.out, p.diag)
	}
	return -1
}

// accounting is the report's last line, which proves nothing was lost.
var accounting = regexp.MustCompile(`(?m)^accounting:  submitted (\d+) = ok (\d+) \+ errors (\d+) \+ cancelled (\d+): nothing lost$`)

// counts parses the accounting line of a report and checks that it adds
// up: submitted, ok, errors, cancelled.
func counts(t *testing.T, report string) (submitted, ok, errs, cancelled int) {
	t.Helper()
	m := accounting.FindStringSubmatch(report)
	require.NotNil(t, m, "no accounting line in:\n%s", report)
	n := make([]int, 4)
	for i := range n {
		var err error
		n[i], err = strconv.Atoi(m[i+1])
		require.NoError(t, err)
	}
	require.Equal(t, n[0], n[1]+n[2]+n[3], report)
	return n[0], n[1], n[2], n[3]
}

// number returns the integer after label in text.
func number(t *testing.T, text, label string) int {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + ` (\d+)`).FindStringSubmatch(text)
	require.NotNil(t, m, "no %q in:\n%s", label, text)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

func TestCrawl_smallRun(t *testing.T) {
	p := start("-pages=2000", "-workers=100", "-latency=1ms", "-progress=10ms")
	require.Equal(t, 0, p.exit(t), "stderr:\n%s", p.diag)
	report := p.out.String()

	require.Regexp(t, `^crawling 2000 pages of http://127\.0\.0\.1:\d+ with 100 workers and 4 producers; latency exp 1ms, 1\.0% 500s, 0\.5% 404s\n`, report)
	submitted, ok, errs, cancelled := counts(t, report)
	require.Equal(t, 2000, submitted)
	require.Equal(t, 0, cancelled)
	require.Regexp(t, `(?m)^done:        2000 pages in \S+ \(`+strconv.Itoa(ok)+` ok, `+strconv.Itoa(errs)+` errors, 0 cancelled\)$`, report)
	// The errors by kind add up to the errors.
	require.Equal(t, errs, number(t, report, "http 500")+number(t, report, "http 404")+
		number(t, report, "http other")+number(t, report, "timeout")+number(t, report, "network"))
	for _, line := range []string{
		`(?m)^throughput:  \d+ pages/s$`,
		`(?m)^ideal:       \d+ pages/s = 100 workers / \S+ mean latency served \(1ms configured\)$`,
		`(?m)^ratio:       \d+\.\d\d of ideal$`,
		`(?m)^latency:     \S+ mean served by the site, \S+ mean seen by the crawler$`,
		`(?m)^peak:        \d+ goroutines, \d+\.\d MiB heap in use$`,
		`(?m)^executor:    submitted 2000, succeeded \d+, failed \d+, canceled 0; running 0, waiting 0, blocked 0$`,
	} {
		require.Regexp(t, line, report)
	}
	require.NotContains(t, report, "interrupted")
	// Peak goroutines: at least the workers, and nowhere near one per page.
	peak := number(t, report, "peak:       ")
	require.GreaterOrEqual(t, peak, 100)
	require.Less(t, peak, 2000)

	// Not a terminal: progress comes as plain lines, the last one final.
	diag := p.diag.String()
	require.NotContains(t, diag, "\r")
	require.Regexp(t, `(?m)^2000/2000 100%  \d+/s  running 0  queued 0  blocked 0/4  heap \d+ MiB\n$`, diag)
}

func TestCrawl_outcomesByKind(t *testing.T) {
	tests := []struct {
		name          string
		give          []string
		wantOK        int
		want500       int
		want404       int
		wantErrorLine string
	}{
		{"no errors", []string{"-error-rate=0", "-notfound-rate=0"}, 300, 0, 0,
			"errors:      0: http 500 0, http 404 0, http other 0, timeout 0, network 0"},
		{"every page fails", []string{"-error-rate=1", "-notfound-rate=0"}, 0, 300, 0,
			"errors:      300: http 500 300, http 404 0, http other 0, timeout 0, network 0"},
		{"every page is missing", []string{"-error-rate=0", "-notfound-rate=1"}, 0, 0, 300,
			"errors:      300: http 500 0, http 404 300, http other 0, timeout 0, network 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(append([]string{"-pages=300", "-workers=20", "-latency=0", "-quiet"}, tt.give...)...)
			require.Equal(t, 0, p.exit(t), "stderr:\n%s", p.diag)
			report := p.out.String()
			submitted, ok, errs, _ := counts(t, report)
			require.Equal(t, 300, submitted)
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.want500+tt.want404, errs)
			require.Contains(t, report, "\n"+tt.wantErrorLine+"\n")
			require.Empty(t, p.diag.String(), "-quiet shows no progress")
		})
	}
}

func TestCrawl_timeouts(t *testing.T) {
	// Every page takes an hour; every fetch gives up after a millisecond.
	p := start("-pages=50", "-workers=10", "-latency=1h", "-dist=fixed", "-timeout=1ms", "-quiet")
	require.Equal(t, 0, p.exit(t), "stderr:\n%s", p.diag)
	report := p.out.String()
	submitted, ok, errs, cancelled := counts(t, report)
	require.Equal(t, []int{50, 0, 50, 0}, []int{submitted, ok, errs, cancelled})
	require.Contains(t, report, "\nerrors:      50: http 500 0, http 404 0, http other 0, timeout 50, network 0\n")
}

func TestCrawl_ctrlC(t *testing.T) {
	// Far more pages than the test lets it crawl: the interrupt ends it.
	p := start("-pages=1000000", "-workers=50", "-latency=1ms", "-progress=10ms", "-grace=1h")
	// Some pages are done: a progress line starts with a count above zero.
	p.diag.waitFor(t, regexp.MustCompile(`(?m)^[1-9]\d*/1000000 `))
	p.signals <- syscall.SIGINT
	require.Equal(t, 0, p.exit(t), "stderr:\n%s", p.diag)

	require.Contains(t, p.diag.String(), "resource: cancel: received signal interrupt: shutting down (deadline 1h0m0s)\n")
	report := p.out.String()
	submitted, ok, errs, cancelled := counts(t, report)
	// A graceful stop: the producers stop, the jobs in flight finish and
	// the site stays up for them, so none is cancelled.
	require.Equal(t, 0, cancelled)
	require.Less(t, submitted, 1000000)
	require.Contains(t, report, "\ninterrupted: "+strconv.Itoa(submitted)+" of 1000000 pages submitted, "+
		strconv.Itoa(1000000-submitted)+" never submitted (cancel: received signal interrupt)\n")
	require.Contains(t, report, "\ndone:        "+strconv.Itoa(ok+errs)+" pages in ")
}

func TestCrawl_secondCtrlCCancelsJobsInFlight(t *testing.T) {
	// Pages that take an hour: the jobs run until they are cancelled.
	p := start("-pages=1000", "-workers=20", "-latency=1h", "-dist=fixed", "-timeout=2h", "-grace=1h", "-progress=10ms")
	p.diag.waitFor(t, regexp.MustCompile(`running 20 `))
	p.signals <- syscall.SIGINT
	// The first Ctrl-C stops the producers; the jobs in flight would run
	// for an hour.
	p.diag.waitFor(t, regexp.MustCompile(`shutting down \(deadline 1h0m0s\)\n`))
	p.signals <- syscall.SIGINT
	require.Equal(t, 128+int(syscall.SIGINT), p.exit(t), "stderr:\n%s", p.diag)

	require.Contains(t, p.diag.String(), "stopped hard")
	report := p.out.String()
	submitted, ok, errs, cancelled := counts(t, report)
	// 20 running, and up to 20 more queued behind them, all cancelled.
	require.GreaterOrEqual(t, submitted, 20)
	require.LessOrEqual(t, submitted, 40)
	require.Equal(t, []int{0, 0, submitted}, []int{ok, errs, cancelled})
	require.Contains(t, report, "\ninterrupted: "+strconv.Itoa(submitted)+" of 1000 pages submitted")
}

func TestCrawl_badFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-nope"}, {"-pages=-1"}, {"-workers=0"}, {"-producers=0"}, {"-latency=-1ms"},
		{"-timeout=0"}, {"-progress=0"}, {"-dist=normal"}, {"-error-rate=0.7", "-notfound-rate=0.5"},
		{"-error-rate=-0.1"}, {"-grace=-1s"}, {"extra"},
	} {
		out, diag := newOutput(), newOutput()
		require.Equal(t, 2, run(context.Background(), args, out, diag, make(chan os.Signal)), "args %v", args)
		require.Empty(t, out.String(), "args %v", args)
		require.NotEmpty(t, diag.String(), "args %v", args)
	}
	out, diag := newOutput(), newOutput()
	require.Equal(t, 0, run(context.Background(), []string{"-h"}, out, diag, make(chan os.Signal)), "-h asks for the usage")
	require.Contains(t, diag.String(), "-workers")
}

func TestPrinter_terminal(t *testing.T) {
	var b strings.Builder
	p := &printer{w: &b, terminal: true}
	p.progress("1/2", false)
	p.progress("2/2", false)
	p.Write([]byte("a message\n")) // from Run: on a line of its own
	p.progress("2/2 done", true)
	require.Equal(t, "\r1/2\x1b[K\r2/2\x1b[K\na message\n\r2/2 done\x1b[K\n", b.String())
}
