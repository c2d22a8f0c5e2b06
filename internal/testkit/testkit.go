// Package testkit holds the small helpers that the tests of several nursery
// packages share: bounded waits on channels and catching panics. It is for
// tests only.
package testkit

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// Bound is how long a test waits for something that must happen promptly.
// It only turns a hang into a failure; no test depends on it for timing.
const Bound = 10 * time.Second

// Recv fails the test unless ch is closed (or receives) within Bound. On
// a timeout the failure shows every goroutine's stack, so that the hang
// can be read from the log.
func Recv(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	recvWithin(t, ch, what, Bound)
}

func recvWithin(t testing.TB, ch <-chan struct{}, what string, bound time.Duration) {
	t.Helper()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case <-ch:
	case <-timer.C:
		require.FailNow(t, "timed out after "+bound.String()+" waiting for "+what, "all goroutines:\n%s", Stacks())
	}
}

// Within runs f, a blocking call such as wg.Wait or g.Wait, and fails the
// test with every goroutine's stack if f has not returned within Bound. It
// returns what f panicked with, or nil, so that the caller can raise it
// again in its own goroutine. f runs in a goroutine of its own, so it must
// not call t.FailNow (nor require): store what it returns in a variable
// and check that after Within. After a timeout f is left running; the test
// has failed anyway.
func Within(t testing.TB, what string, f func()) (panicked any) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		panicked = Catch(f)
	}()
	Recv(t, done, what)
	return panicked
}

// Receive returns the next value from ch, failing the test with every
// goroutine's stack if none comes within Bound.
func Receive[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(Bound)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		require.FailNow(t, "timed out after "+Bound.String()+" waiting for "+what, "all goroutines:\n%s", Stacks())
		panic("unreachable")
	}
}

// Stacks returns the stacks of all goroutines, as a crash prints them.
func Stacks() string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
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

// BubbleBound is how long a synctest bubble run by [Bubble] may take in
// real time. Bubbles run on a fake clock and usually end in milliseconds;
// it only turns a spin into a failure. A variable only so that the test
// of Bubble itself can shorten it.
var BubbleBound = 60 * time.Second

// Bubble runs f in a testing/synctest bubble, as synctest.Test does, and
// ends the test binary with every goroutine's stack if the bubble is
// still running after BubbleBound of real time. A bubble whose goroutines
// block for ever fails at once as a deadlock; one whose goroutines spin
// (a timer re-armed for zero, a loop that never yields to the clock) never
// deadlocks and never ends, and would otherwise hold the test until go
// test's own timeout, with no word of which test hung.
func Bubble(t *testing.T, f func(*testing.T)) {
	t.Helper()
	name := t.Name()
	done := make(chan struct{})
	watchdog := time.AfterFunc(BubbleBound, func() {
		select {
		case <-done:
		default:
			panic(fmt.Sprintf("testkit: %s: its synctest bubble is still running after %v of real time (spinning?); all goroutines:\n%s", name, BubbleBound, Stacks()))
		}
	})
	defer watchdog.Stop()
	defer close(done)
	synctest.Test(t, f)
}

// BubbleGoroutines counts the goroutines of the calling goroutine's
// synctest bubble, its own included: runtime.NumGoroutine counts the
// process's, among them goroutines of earlier tests still on their way
// out. It panics outside a bubble.
func BubbleGoroutines() int {
	stacks := Stacks()
	// The first header is the caller's: "goroutine 7 [running, synctest bubble 6]:".
	header, _, _ := strings.Cut(stacks, "\n")
	_, bubble, ok := strings.Cut(header, "synctest bubble ")
	if !ok {
		panic("testkit: BubbleGoroutines called outside a synctest bubble")
	}
	mark := "synctest bubble " + strings.TrimSuffix(bubble, "]:") + "]"
	n := 0
	for line := range strings.Lines(stacks) {
		if strings.HasPrefix(line, "goroutine ") && strings.Contains(line, mark) {
			n++
		}
	}
	return n
}
