package flow_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/stretchr/testify/require"
)

// A link is one stage of a random chain: its kind, its parameters and its
// limit of concurrent calls (0: none).
type link struct {
	kind   string // map, filter, flatmap, dropwhile
	k, c   int    // map: v*k + c; flatmap: v+j for j < (v mod k)
	m, r   int    // filter: keeps v with v mod m != r
	below  int    // dropwhile: drops while v < below
	failOn int    // map and flatmap fail on this value (when fails)
	fails  bool
	limit  int
}

// An elemErr is the failure of stage stage on the value v: it names the
// element, so that a test can tell which failure a chain ended with.
type elemErr struct{ stage, v int }

func (e elemErr) Error() string { return fmt.Sprintf("stage %d failed on %d", e.stage, e.v) }

func mod(v, m int) int { return ((v % m) + m) % m }

// randomChain draws one to four links.
func randomChain(rng *rand.Rand) []link {
	chain := make([]link, 1+rng.IntN(4))
	for i := range chain {
		l := link{limit: rng.IntN(5), failOn: rng.IntN(61) - 30, fails: rng.IntN(3) == 0}
		switch rng.IntN(4) {
		case 0:
			l.kind, l.k, l.c = "map", rng.IntN(5)-2, rng.IntN(11)-5
		case 1:
			l.kind, l.m = "filter", 2+rng.IntN(3)
			l.r = rng.IntN(l.m)
		case 2:
			l.kind, l.k = "flatmap", 1+rng.IntN(3)
		default:
			l.kind, l.below = "dropwhile", rng.IntN(41)-20
		}
		chain[i] = l
	}
	return chain
}

// sequential runs chain as a loop would: each value of in goes through
// every stage before the next one starts, and the first failure ends it.
func sequential(in []int, chain []link) ([]int, error) {
	var out []int
	dropping := make([]bool, len(chain))
	for i := range dropping {
		dropping[i] = true
	}
	var push func(s, v int) error
	push = func(s, v int) error {
		if s == len(chain) {
			out = append(out, v)
			return nil
		}
		l := chain[s]
		switch l.kind {
		case "map":
			if l.fails && v == l.failOn {
				return elemErr{s, v}
			}
			return push(s+1, v*l.k+l.c)
		case "filter":
			if mod(v, l.m) == l.r {
				return nil
			}
			return push(s+1, v)
		case "flatmap":
			if l.fails && v == l.failOn {
				return elemErr{s, v}
			}
			for j := range mod(v, l.k) {
				if err := push(s+1, v+j); err != nil {
					return err
				}
			}
			return nil
		default:
			if dropping[s] && v < l.below {
				return nil
			}
			dropping[s] = false
			return push(s+1, v)
		}
	}
	for _, v := range in {
		if err := push(0, v); err != nil {
			return out, err
		}
	}
	return out, nil
}

// stir yields the processor for some values, so that calls finish out of
// the order they started in.
func stir(v int) {
	if mod(v, 3) == 0 {
		runtime.Gosched()
	}
}

// concurrent builds chain from flow's stages over in. With stirred, some
// calls yield the processor (see stir); without, every call is cheap.
func concurrent(ctx context.Context, in []int, chain []link, stirred bool) flow.Seq[int] {
	stir := func(v int) {
		if stirred {
			stir(v)
		}
	}
	seq := flow.Slice(in)
	for s, l := range chain {
		switch l.kind {
		case "map":
			seq = flow.Map(ctx, seq, func(_ context.Context, v int) (int, error) {
				stir(v)
				if l.fails && v == l.failOn {
					return 0, elemErr{s, v}
				}
				return v*l.k + l.c, nil
			}, l.limit)
		case "filter":
			seq = flow.Filter(ctx, seq, func(_ context.Context, v int) (bool, error) {
				stir(v)
				return mod(v, l.m) != l.r, nil
			}, l.limit)
		case "flatmap":
			seq = flow.FlatMap(ctx, seq, func(_ context.Context, v int) ([]int, error) {
				stir(v)
				if l.fails && v == l.failOn {
					return nil, elemErr{s, v}
				}
				var vs []int
				for j := range mod(v, l.k) {
					vs = append(vs, v+j)
				}
				return vs, nil
			}, l.limit)
		default:
			seq = flow.DropWhile(ctx, seq, func(_ context.Context, v int) (bool, error) {
				stir(v)
				return v < l.below, nil
			}, l.limit)
		}
	}
	return seq
}

func describe(chain []link) string {
	parts := make([]string, len(chain))
	for i, l := range chain {
		parts[i] = fmt.Sprintf("%+v", l)
	}
	return strings.Join(parts, " | ")
}

// requireSameFailure checks that a chain ended with err as the loop ended
// with wantErr (nil: no failure, else the same element's error), and
// reports whether it failed.
func requireSameFailure(t *testing.T, msg string, wantErr, err error) bool {
	t.Helper()
	if wantErr == nil {
		require.NoError(t, err, msg)
		return false
	}
	var ee elemErr
	require.True(t, errors.As(err, &ee), "%s: %v", msg, err)
	require.Equal(t, wantErr, ee, msg)
	return true
}

// Random chains of Map, Filter, FlatMap and DropWhile, with random limits,
// over random inputs, yield what a sequential loop over the same input
// yields: the same values in the same order, and the same first failure
// (the one a loop meets first, whichever call failed first in time).
func TestRandomChainsMatchASequentialLoop(t *testing.T) {
	failed, empty := 0, 0
	for trial := range 300 {
		rng := rand.New(rand.NewPCG(uint64(trial), 7))
		in := make([]int, rng.IntN(80))
		for i := range in {
			in[i] = rng.IntN(61) - 30
		}
		chain := randomChain(rng)
		want, wantErr := sequential(in, chain)
		got, err := flow.Collect(concurrent(context.Background(), in, chain, true))
		msg := fmt.Sprintf("trial %d: in %v, chain %s", trial, in, describe(chain))
		require.True(t, slices.Equal(want, got), "%s\nwant %v\ngot  %v", msg, want, got)
		if len(want) == 0 {
			empty++
		}
		if requireSameFailure(t, msg, wantErr, err) {
			failed++
		}
	}
	// The draw exercises both endings, and mostly non-empty results.
	require.Greater(t, failed, 30, "chains that fail")
	require.Less(t, failed, 270, "chains that fail")
	require.Less(t, empty, 150, "chains that yield nothing")
}

// Long random chains with limits up to the pool's largest, over inputs of
// thousands of values, cheap calls or stirred ones, yield what a loop
// yields. Cheap calls over long inputs make the pool's workers claim runs
// of many values, and the input sizes fall on and around multiples of
// each window: a run that skipped, repeated or reordered a position, or
// a failure that did not count at its place within a run, would show.
func TestLongRandomChainsMatchASequentialLoop(t *testing.T) {
	limits := []int{1, 2, 3, 8, 64, 4096}
	failed := 0
	for trial := range 120 {
		rng := rand.New(rand.NewPCG(uint64(trial), 11))
		chain := randomChain(rng)
		if len(chain) > 3 {
			chain = chain[:3]
		}
		for i := range chain {
			chain[i].limit = limits[rng.IntN(len(limits))]
		}
		// n is a multiple of a window (2×limit) of the chain, give or take one.
		w := 2 * chain[0].limit
		n := (1+rng.IntN(3000/w+1))*w + rng.IntN(3) - 1
		in := make([]int, n)
		for i := range in {
			in[i] = rng.IntN(2001) - 1000
		}
		// Failures on values near the end of the input, after the runs
		// have grown.
		for i := range chain {
			chain[i].failOn = in[n/2+rng.IntN(n-n/2)] * max(1, chain[i].k)
		}
		want, wantErr := sequential(in, chain)
		got, err := flow.Collect(concurrent(context.Background(), in, chain, trial%2 == 0))
		msg := fmt.Sprintf("trial %d: n %d, chain %s", trial, n, describe(chain))
		require.True(t, slices.Equal(want, got), "%s\nwant %d values, got %d", msg, len(want), len(got))
		if requireSameFailure(t, msg, wantErr, err) {
			failed++
		}
	}
	require.Greater(t, failed, 10, "chains that fail")
	require.Less(t, failed, 110, "chains that fail")
}
