package flow

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// newTestPool returns a pool of window slots as runPool makes it, for fn.
func newTestPool(window int, how failures, fn func(context.Context, int) (int, error)) *pool[int, int] {
	p := &pool[int, int]{
		fn:     fn,
		how:    how,
		ring:   make([]slot[int, int], ringSize(window)),
		maxRun: int64(min(window, maxRun)),
	}
	p.mask = int64(len(p.ring) - 1)
	p.run.Store(1)
	p.waiting.Store(-1)
	return p
}

// Workers claiming at once while tail moves take every position exactly
// once, in runs no longer than the run length they read, however the
// length changes meanwhile.
func TestClaimTakesEachPositionOnce(t *testing.T) {
	const n, claimers = 20000, 4
	for _, run := range []int64{1, 3, 16} {
		t.Run(fmt.Sprint("run=", run), func(t *testing.T) {
			p := newTestPool(32, inOrder, nil)
			p.maxRun = 16
			p.run.Store(run)
			taken := make([]int32, n)
			var mu sync.Mutex // guards taken, longest and past
			longest, past := int64(0), 0
			var wg sync.WaitGroup
			for c := range claimers {
				wg.Go(func() {
					for {
						i, k, tail := p.claim()
						if k == 0 {
							if p.tail.Load() == n {
								return
							}
							runtime.Gosched()
							continue
						}
						mu.Lock()
						if i+k > tail {
							past++
						}
						longest = max(longest, k)
						for j := i; j < i+k; j++ {
							taken[j]++
						}
						mu.Unlock()
						if c == 0 && run > 1 { // one claimer makes runs longer and shorter
							p.run.Store(1 + (i % 16))
						}
					}
				})
			}
			for tail := int64(1); tail <= n; tail++ {
				p.tail.Store(tail)
			}
			wg.Wait()
			for i, c := range taken {
				require.EqualValues(t, 1, c, "position %d claimed %d times", i, c)
			}
			require.Zero(t, past, "runs past tail")
			require.LessOrEqual(t, longest, int64(16))
			if run == 1 {
				require.EqualValues(t, 1, longest)
			} else {
				require.Greater(t, longest, int64(1), "no run longer than one")
			}
		})
	}
}

// The run length doubles while fewer values are published during a run
// than it ran, up to maxRun, and is one again as soon as as many are.
func TestRunLengthAdapts(t *testing.T) {
	p := newTestPool(64, inOrder, nil)
	require.EqualValues(t, 16, p.maxRun)
	var got []int64
	for _, step := range []struct{ n, published int64 }{
		{1, 0}, {2, 1}, {4, 3}, {8, 0}, {16, 2}, {16, 15}, // keeping up: 2, 4, 8, 16, 16, 16
		{16, 16}, // as many published as run: 1
		{1, 5},   // still behind: 1
		{1, 0},   // keeping up again: 2
	} {
		p.adapt(step.n, step.published)
		got = append(got, p.run.Load())
	}
	require.Equal(t, []int64{2, 4, 8, 16, 16, 16, 1, 1, 2}, got)
	// A window shorter than maxRun bounds the runs.
	p = newTestPool(2, inOrder, nil)
	p.adapt(1, 0)
	p.adapt(2, 0)
	require.EqualValues(t, 2, p.run.Load())
}

// runs marks the values it ran done as one run, in the slot of its first
// position, however it ends: all of them when it completes (in order, a
// failing call is kept and the run goes on); those before the call that
// failed in time, or that panicked; none when ctx had ended.
func TestRunsMarksWhatRan(t *testing.T) {
	fail := errors.New("fail")
	fn := func(_ context.Context, v int) (int, error) {
		switch v {
		case 13:
			return 0, fail
		case 17:
			panic("seventeen")
		}
		return v * 10, nil
	}
	// run fills the slots of positions i to j-1 with values i..j-1 and
	// runs them.
	run := func(p *pool[int, int], ctx context.Context, i, j int64) (panicked any, err error) {
		for k := i; k < j; k++ {
			p.slotOf(k).in = int(k)
		}
		defer func() { panicked = recover() }()
		return nil, p.runs(ctx, i, j)
	}
	ctx := context.Background()

	p := newTestPool(16, inOrder, fn)
	pv, err := run(p, ctx, 10, 16)
	require.NoError(t, err)
	require.Nil(t, pv)
	require.EqualValues(t, 16, p.slotOf(10).end.Load())
	require.ErrorIs(t, p.slotOf(13).err, fail, "in order, the failure is kept")
	require.Equal(t, 150, p.slotOf(15).out, "and the run goes on")
	require.Zero(t, p.slotOf(11).end.Load(), "only the run's first slot is marked")

	p = newTestPool(16, inTime, fn)
	pv, err = run(p, ctx, 10, 16)
	require.ErrorIs(t, err, fail)
	require.Nil(t, pv)
	require.EqualValues(t, 13, p.slotOf(10).end.Load(), "in time, the values before the failure")
	require.Zero(t, p.slotOf(14).out, "and none after it")

	p = newTestPool(16, inOrder, fn)
	pv, err = run(p, ctx, 14, 20)
	require.NoError(t, err)
	require.Equal(t, "seventeen", pv)
	require.EqualValues(t, 17, p.slotOf(14).end.Load(), "the values before the panic")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	p = newTestPool(16, inOrder, fn)
	pv, err = run(p, cctx, 1, 5)
	require.ErrorIs(t, err, context.Canceled)
	require.Nil(t, pv)
	require.Zero(t, p.slotOf(1).end.Load(), "nothing ran")
	require.Zero(t, p.slotOf(1).out)
}

// A mark left by an earlier use of a slot never passes for a later run:
// the ring is a power of two at least as long as the window.
func TestRingSize(t *testing.T) {
	for window, want := range map[int]int{1: 1, 2: 2, 3: 4, 6: 8, 16: 16, 17: 32, 2 * maxPoolLimit: 2 * maxPoolLimit} {
		require.Equal(t, want, ringSize(window), "window %d", window)
	}
}
