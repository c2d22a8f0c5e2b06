package executor_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// outcome is one pair a stream yielded, or a sequential loop computed.
type outcome struct {
	v   int
	err string
}

func sortOutcomes(s []outcome) {
	slices.SortFunc(s, func(a, b outcome) int { return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.err, b.err)) })
}

// MapUnordered over random inputs, with random worker counts, windows,
// item costs, failures and hooks, never holds more than its window: the
// source is asked for an item only when taken minus yielded is below it,
// and the items whose function runs and whose result is not yet yielded
// never exceed it. With SuppressErrors it yields what a sequential loop
// yields, as a multiset: every item once, with its own result or error.
// Under fail-fast it yields every success its function returned, once,
// and at least one failure if any item failed, and only real failures.
func TestMapUnorderedMatchesASequentialLoop(t *testing.T) {
	for trial := range 80 {
		rng := rand.New(rand.NewPCG(uint64(trial), 23))
		n := rng.IntN(300)
		workers := 1 + rng.IntN(8)
		window := 1 + rng.IntN(20)
		failEvery := 2 + rng.IntN(40)
		slowEvery := 1 + rng.IntN(10)
		hooks := rng.IntN(4) == 0
		failFast := rng.IntN(3) == 0
		t.Run(fmt.Sprintf("n=%d/workers=%d/window=%d/hooks=%v/failfast=%v", n, workers, window, hooks, failFast), func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				opts := []executor.Option{executor.MaxWorkers(workers)}
				if !failFast {
					opts = append(opts, executor.SuppressErrors())
				}
				if hooks {
					opts = append(opts, executor.Observe(executor.Hooks{TaskStart: func(*group.Task) error { return nil }}))
				}
				g := group.New(context.Background())
				ex := executor.New(g, opts...)
				var running, most atomic.Int64 // items whose fn has begun and whose result is not yet yielded
				var mu sync.Mutex
				succeeded := map[int]int{} // item -> times fn returned a success
				fn := func(_ context.Context, v int) (int, error) {
					for k, m := running.Add(1), most.Load(); k > m && !most.CompareAndSwap(m, k); m = most.Load() {
					}
					if v%slowEvery == 0 {
						time.Sleep(time.Duration(v%7) * time.Millisecond)
					}
					if v%failEvery == 0 {
						return 0, fmt.Errorf("item %d", v)
					}
					mu.Lock()
					succeeded[v]++
					mu.Unlock()
					return 3*v + 1, nil
				}
				var want []outcome
				failures := map[string]bool{}
				for v := range n {
					out, err := fn(context.Background(), v)
					want = append(want, outcome{out, errText(err)})
					if err != nil {
						failures[err.Error()] = true
					}
				}
				running.Store(0)
				most.Store(0)
				clear(succeeded)

				taken, yielded := 0, 0
				src := func(yield func(int) bool) {
					for v := range n {
						if !failFast { // else items cut by the close are never yielded
							require.Less(t, taken-yielded, window, "an item taken with no room in the window")
						}
						taken++
						if !yield(v) {
							return
						}
					}
				}
				var got []outcome
				for v, err := range executor.MapUnordered(context.Background(), ex, src, fn, executor.Window(window)) {
					yielded++
					if err == nil || failures[err.Error()] {
						running.Add(-1) // its fn ran (a cancelled item's may not have)
					}
					got = append(got, outcome{v, errText(err)})
				}
				require.LessOrEqual(t, most.Load(), int64(window), "items in flight")
				sortOutcomes(want)
				sortOutcomes(got)
				if !failFast {
					require.Equal(t, n, taken)
					require.Equal(t, want, got)
					require.NoError(t, ex.Wait())
				} else {
					var wantOK []outcome
					for v, times := range succeeded {
						require.Equal(t, 1, times, "item %d ran twice", v)
						wantOK = append(wantOK, outcome{3*v + 1, ""})
					}
					sortOutcomes(wantOK)
					var gotOK []outcome
					errs := 0
					for _, o := range got {
						if o.err == "" {
							gotOK = append(gotOK, o)
							continue
						}
						errs++
						require.True(t, failures[o.err], "only real failures are yielded: %q", o.err)
					}
					require.Equal(t, wantOK, gotOK, "every success fn returned is yielded once")
					if len(failures) > 0 {
						require.Positive(t, errs)
						_ = ex.Wait()
					} else {
						require.Zero(t, errs)
						require.Equal(t, n, taken)
						require.NoError(t, ex.Wait())
					}
				}
				st := ex.Stats()
				require.Equal(t, st.Submitted, st.Succeeded+st.Failed+st.Canceled, "every job final")
				require.LessOrEqual(t, st.Submitted, int64(2*n), "at most a job for each item and one that found it taken")
				_ = g.Close()
				synctest.Wait()
			})
		})
	}
}
