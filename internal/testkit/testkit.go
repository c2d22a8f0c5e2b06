// Package testkit holds the small helpers that the tests of several nursery
// packages share: bounded waits on channels and catching panics. It is for
// tests only.
package testkit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Bound is how long a test waits for something that must happen promptly.
// It only turns a hang into a failure; no test depends on it for timing.
const Bound = 10 * time.Second

// Recv fails the test unless ch is closed (or receives) within Bound.
func Recv(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(Bound):
		require.FailNow(t, "timed out waiting for "+what)
	}
}

// NotClosed fails the test if ch is closed now.
func NotClosed(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
		require.FailNow(t, what+" is closed too early")
	default:
	}
}

// Catch runs f and returns what it panicked with, or nil.
func Catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
