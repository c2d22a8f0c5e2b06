package flow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nursery-go/nursery/internal/testkit"
)

// bounded runs f in a goroutine and waits at most 10s for it (fake time
// inside a synctest bubble). If f is still blocked it fails t, calls unstick
// so that f can end, and waits for it: a hang is reported, never left
// behind, unless unstick is nil: then f is abandoned (it cannot be
// released, and goleak reports it too). It returns what f panicked with, if
// anything.
func bounded(t *testing.T, what string, unstick func(), f func()) (panicked any) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		var p any
		defer func() { done <- p }()
		p = testkit.Catch(f)
	}()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case p := <-done:
		return p
	case <-timer.C:
		t.Errorf("%s: still blocked after 10s", what)
		if unstick == nil {
			return nil
		}
		unstick()
		return <-done
	}
}

// workerGoroutines counts the goroutines that are executor workers or flow's
// pool workers.
func workerGoroutines() int {
	stacks := testkit.Stacks()
	return strings.Count(stacks, "executor.(*Executor).work(") + strings.Count(stacks, "flow.(*pool[...]).worker")
}
