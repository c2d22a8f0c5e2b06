package resource_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/group"
)

// bound is how long a test outside a synctest bubble waits for something
// that must happen promptly; it only turns a hang into a failure.
const bound = 10 * time.Second

// recv fails the test unless ch is closed (or receives) within bound.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(bound):
		require.FailNow(t, "timed out waiting for "+what)
	}
	panic("unreachable")
}

// journal records events in order, safely from many goroutines.
type journal struct {
	mu     sync.Mutex
	events []string
}

func (l *journal) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *journal) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

// quiet keeps expected panics out of the test log.
func quiet() group.Option { return group.OnPanic(func(*group.PanicError) {}) }
