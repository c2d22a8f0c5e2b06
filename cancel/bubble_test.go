package cancel_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/cancel"
)

// TestBubbles runs every tool of the package in a synctest bubble, twice in
// one process. A package-level goroutine, timer or channel created in the
// first bubble would make the second one fail (a bubble may not use another
// bubble's timers and channels), and one left running would make the first
// one fail (synctest.Test waits for every goroutine of its bubble).
func TestBubbles(t *testing.T) {
	for i := range 2 {
		t.Run(fmt.Sprintf("works in bubble %d", i+1), func(t *testing.T) {
			synctest.Test(t, everything)
		})
	}
}

func everything(t *testing.T) {
	start := time.Now()
	graceful, hard, stopSignals := cancel.ShutdownOn(context.Background(), signalsAfter(time.Second))
	defer stopSignals()

	scope := cancel.NewScope(hard, start.Add(time.Hour))
	defer scope.Cancel()

	var wg sync.WaitGroup
	var hookErr, doneErr error
	wg.Go(func() {
		hookErr = cancel.OnCancel(func(ctx context.Context) error {
			return cancel.Shield(ctx, waitDone, cancel.Grace(time.Second), cancel.Ignore())
		})(graceful)
	})
	wg.Go(func() {
		doneErr = cancel.OnDone(graceful.Done(), func(ctx context.Context) error {
			return cancel.Timeout(ctx, "drain", 500*time.Millisecond, waitDone)
		})(scope.Context())
	})

	<-graceful.Done()
	require.Equal(t, time.Second, time.Since(start))
	scope.Extend(time.Hour)
	wg.Wait()
	require.ErrorIs(t, hookErr, cancel.ErrGraceExceeded)
	require.Equal(t, &cancel.TimeoutError{Name: "drain", Limit: 500 * time.Millisecond}, doneErr)
	require.Equal(t, 2*time.Second, time.Since(start))

	<-hard.Done()
	<-scope.Context().Done()
	require.Equal(t, 2*time.Second, time.Since(start))
	require.False(t, scope.Expired(), "the scope ended with hard, its parent")
}

// signalsAfter returns a channel that delivers two interrupts, d apart.
func signalsAfter(d time.Duration) <-chan os.Signal {
	ch := make(chan os.Signal, 2) // both sends fit: the timers never block
	time.AfterFunc(d, func() { ch <- os.Interrupt })
	time.AfterFunc(2*d, func() { ch <- os.Interrupt })
	return ch
}
