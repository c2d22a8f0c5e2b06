package testkit

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that keeps what a failing helper reports;
// FailNow ends the calling goroutine as the real one does.
type recorder struct {
	testing.TB
	msg    string
	failed bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) { r.msg += fmt.Sprintf(format, args...) }

func (r *recorder) FailNow() {
	r.failed = true
	runtime.Goexit()
}

func TestRecvWithin_timeoutShowsAllGoroutines(t *testing.T) {
	parked := make(chan struct{})
	defer close(parked)
	go func() { <-parked }() // a goroutine the report must show

	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		recvWithin(r, make(chan struct{}), "the thing", time.Millisecond)
	}()
	Recv(t, done, "recvWithin to give up")
	require.True(t, r.failed)
	require.Contains(t, r.msg, "timed out after 1ms waiting for the thing")
	require.Contains(t, r.msg, "TestRecvWithin_timeoutShowsAllGoroutines.func1")
}

func TestWithin_returns(t *testing.T) {
	ran := false
	Within(t, "a quick call", func() { ran = true })
	require.True(t, ran)
}

func TestStacks_growsPastItsFirstBuffer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	for range 300 {
		go func() { <-release }()
	}
	require.Greater(t, len(Stacks()), 1<<16)
}

func TestWithin_returnsThePanic(t *testing.T) {
	require.Equal(t, "boom", Within(t, "a panicking call", func() { panic("boom") }))
}

func TestReceive(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 7
	require.Equal(t, 7, Receive(t, ch, "a value"))
}
