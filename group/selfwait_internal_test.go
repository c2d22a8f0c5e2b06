package group

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"

	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// A task finds itself from its own stack trace: no goroutine profile, which
// stops the world for a time that grows with the number of goroutines.
func TestSelfWaitIsFoundWithoutAProfile(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		before := profilesTaken.Load()
		g := New(context.Background())
		sub := g.Subgroup()
		got := make(chan error, 1)
		var inner, outer *Task
		var addrs []uintptr
		var ok bool
		ready := make(chan struct{})
		inner = sub.Go(func(context.Context) error {
			<-ready
			addrs, ok = callerTasks()
			got <- g.Wait()
			return nil
		}, hold())
		outer = g.Go(func(context.Context) error { inner.runHeld(); return nil })
		close(ready)
		require.ErrorIs(t, <-got, ErrWaitInTask)
		require.True(t, ok, "the trace names the running tasks")
		require.Contains(t, addrs, uintptr(unsafe.Pointer(inner)))
		require.Contains(t, addrs, uintptr(unsafe.Pointer(outer)), "and the task running it")
		require.NoError(t, g.Close()) // closes sub, which nobody waits for
		require.Equal(t, before, profilesTaken.Load(), "no goroutine profile was taken")
	})
}

// BenchmarkSelfWaitCheck compares the two ways a wait finds whether its
// caller is a task of the group it waits for, with 10,000 other goroutines
// parked: the caller's own trace (trace) and the goroutine profile
// (profile), which grows with the number of goroutines.
func BenchmarkSelfWaitCheck(b *testing.B) {
	stop := make(chan struct{})
	var parked sync.WaitGroup
	defer parked.Wait()
	defer close(stop)
	for range 10_000 {
		parked.Go(func() { <-stop })
	}
	g := New(context.Background())
	defer g.Close()
	for _, bc := range []struct {
		name  string
		check func() bool
	}{
		{"trace", func() bool { addrs, ok := callerTasks(); return ok && g.holdsAny(addrs) }},
		{"profile", func() bool {
			profileMu.Lock()
			defer profileMu.Unlock()
			return g.holdsCaller()
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			done := make(chan bool)
			g.Go(func(context.Context) error {
				self := false
				for b.Loop() {
					self = bc.check()
				}
				done <- self
				return nil
			})
			if !<-done {
				b.Fatal("the check did not find its own task")
			}
		})
	}
}

// deep calls f under n more frames of its own. Its long name makes a
// trace of a hundred of them (a trace shows no more) outgrow the first
// buffer callerTasks reads it into.
func deep(n int, f func()) {
	deepFramesWhoseLongNameMakesAHundredOfThemOutgrowTheSixteenKilobytesCallerTasksFirstReadsOfItsOwnTraceSoItReadsItAgainIntoABufferTwiceAsLarge(n, f)
}

//go:noinline
func deepFramesWhoseLongNameMakesAHundredOfThemOutgrowTheSixteenKilobytesCallerTasksFirstReadsOfItsOwnTraceSoItReadsItAgainIntoABufferTwiceAsLarge(n int, f func()) {
	if n == 0 {
		f()
		return
	}
	deepFramesWhoseLongNameMakesAHundredOfThemOutgrowTheSixteenKilobytesCallerTasksFirstReadsOfItsOwnTraceSoItReadsItAgainIntoABufferTwiceAsLarge(n-1, f)
}

// A task that waits for its own group from deep inside its stack (more
// frames than the first buffers hold) is found all the same, still from
// its own trace.
func TestSelfWaitIsFoundUnderADeepStack(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		before := profilesTaken.Load()
		g := New(context.Background())
		got := make(chan error, 1)
		g.Go(func(context.Context) error {
			deep(1000, func() { got <- g.Wait() })
			return nil
		})
		require.ErrorIs(t, <-got, ErrWaitInTask)
		require.NoError(t, g.Close())
		require.Equal(t, before, profilesTaken.Load(), "no goroutine profile was taken")
	})
}

// A goroutine that is no task waits as long as the group runs, and the
// check costs it no goroutine profile.
func TestWaitFromOutsideAnyTaskTakesNoProfile(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		before := profilesTaken.Load()
		g := New(context.Background())
		release := make(chan struct{})
		g.Go(func(context.Context) error { <-release; return nil })
		got := make(chan error, 1)
		go func() { got <- g.Wait() }()
		time.Sleep(10 * selfWaitCheck) // fake time: several checks are due
		synctest.Wait()
		require.Empty(t, got, "Wait returned while its group runs")
		close(release)
		require.NoError(t, <-got)
		require.Equal(t, before, profilesTaken.Load(), "no goroutine profile was taken")
	})
}
