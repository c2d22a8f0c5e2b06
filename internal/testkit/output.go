package testkit

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Output collects what a program under test writes, safe for concurrent
// writers, and lets a test wait until it shows a line: example programs'
// tests synchronise on their output, never on time.
type Output struct {
	mu      sync.Mutex
	text    strings.Builder
	changed chan struct{} // closed and replaced at every write
}

// NewOutput returns an empty Output.
func NewOutput() *Output { return &Output{changed: make(chan struct{})} }

// Write appends p and wakes WaitFor.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.text.Write(p)
	close(o.changed)
	o.changed = make(chan struct{})
	return len(p), nil
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.text.String()
}

// WaitFor waits until the output matches re and returns the first match's
// submatches. It fails the test if that takes longer than bound.
func (o *Output) WaitFor(t testing.TB, re *regexp.Regexp, bound time.Duration) []string {
	t.Helper()
	deadline := time.NewTimer(bound)
	defer deadline.Stop()
	for {
		o.mu.Lock()
		m := re.FindStringSubmatch(o.text.String())
		changed := o.changed
		o.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-changed:
		case <-deadline.C:
			require.FailNow(t, "timed out waiting for "+re.String(), "output so far:\n%s", o.String())
		}
	}
}
