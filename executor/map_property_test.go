package executor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// An ordered Map over random inputs, with random worker counts, windows,
// item costs and failures, yields what a sequential loop over the same
// input yields: every item once, in order, with its own error.
func TestMapMatchesASequentialLoop(t *testing.T) {
	for trial := range 60 {
		rng := rand.New(rand.NewPCG(uint64(trial), 11))
		n := rng.IntN(300)
		workers := 1 + rng.IntN(8)
		window := 1 + rng.IntN(20)
		failEvery := 2 + rng.IntN(20)
		slowEvery := 1 + rng.IntN(10)
		hooks := rng.IntN(4) == 0
		t.Run(fmt.Sprintf("n=%d/workers=%d/window=%d/hooks=%v", n, workers, window, hooks), func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				opts := []executor.Option{executor.MaxWorkers(workers), executor.SuppressErrors()}
				if hooks {
					opts = append(opts, executor.Observe(executor.Hooks{TaskStart: func(*group.Task) error { return nil }}))
				}
				g := group.New(context.Background())
				ex := executor.New(g, opts...)
				fn := func(_ context.Context, v int) (int, error) {
					if v%slowEvery == 0 {
						time.Sleep(time.Duration(v%7) * time.Millisecond)
					}
					if v%failEvery == 0 {
						return 0, fmt.Errorf("item %d", v)
					}
					return 3*v + 1, nil
				}
				var wantVals []int
				var wantErrs []string
				for v := range n {
					out, err := fn(context.Background(), v)
					wantVals = append(wantVals, out)
					wantErrs = append(wantErrs, errText(err))
				}
				var gotVals []int
				var gotErrs []string
				for v, err := range executor.Map(context.Background(), ex, upTo(n), fn, executor.Window(window)) {
					gotVals = append(gotVals, v)
					gotErrs = append(gotErrs, errText(err))
				}
				require.Equal(t, wantVals, gotVals)
				require.Equal(t, wantErrs, gotErrs)
				require.NoError(t, ex.Wait())
				st := ex.Stats()
				require.Equal(t, st.Submitted, st.Succeeded+st.Failed+st.Canceled, "every job final")
				require.LessOrEqual(t, st.Submitted, int64(2*n), "at most a job for each item and one that found it taken")
				require.NoError(t, g.Close())
				synctest.Wait()
			})
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
