package executor_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// quiet keeps expected panics out of the test log.
func quiet() group.Option { return group.OnPanic(func(*group.PanicError) {}) }

// highWater tracks how many jobs run at once and the most that ever did.
type highWater struct {
	now, max atomic.Int64
}

func (h *highWater) enter() {
	n := h.now.Add(1)
	for {
		m := h.max.Load()
		if n <= m || h.max.CompareAndSwap(m, n) {
			return
		}
	}
}

func (h *highWater) exit() { h.now.Add(-1) }

// gate is a job body that signals when it starts and then blocks until
// released or cancelled.
type gate struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate() *gate {
	return &gate{started: make(chan struct{}, 1024), release: make(chan struct{})}
}

func (g *gate) job(ctx context.Context) error {
	g.started <- struct{}{}
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

func nop(context.Context) error { return nil }

// busy returns an executor of g with one worker, busy on a job that waits
// for the returned gate, and opts.
func busy(t *testing.T, g *group.Group, opts ...executor.Option) (*executor.Executor, *gate) {
	t.Helper()
	ex := executor.New(g, append([]executor.Option{executor.MaxWorkers(1)}, opts...)...)
	gt := newGate()
	_, err := ex.Submit(context.Background(), gt.job)
	require.NoError(t, err)
	return ex, gt
}

// The bounded waits and panic catching shared with other packages' tests.
const bound = testkit.Bound

var (
	recv      = testkit.Recv
	notClosed = testkit.NotClosed
	catch     = testkit.Catch
)
