package flow_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errBoom = errors.New("boom")

// gauge counts calls in flight and remembers the most at once.
type gauge struct{ now, peak atomic.Int64 }

func (g *gauge) enter() {
	n := g.now.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
}

func (g *gauge) leave() { g.now.Add(-1) }

// upTo returns a Seq of 0..n-1.
func upTo(n int) flow.Seq[int] {
	return func(yield func(int, error) bool) {
		for i := range n {
			if !yield(i, nil) {
				return
			}
		}
	}
}

// forever returns a Seq of 0, 1, 2, … that counts what it has yielded.
func forever(pulled *atomic.Int64) flow.Seq[int] {
	return func(yield func(int, error) bool) {
		for i := 0; ; i++ {
			pulled.Add(1)
			if !yield(i, nil) {
				return
			}
		}
	}
}

// TestStagesKeepOrderAndLimit runs each stage with random durations in a
// synctest bubble and checks the output against a sequential loop and the
// concurrency against the limit.
func TestStagesKeepOrderAndLimit(t *testing.T) {
	for _, limit := range []int{1, 3, 8} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(testSeed(t), 0))
				delays := make([]time.Duration, 200)
				for i := range delays {
					delays[i] = time.Duration(rng.IntN(50)) * time.Millisecond
				}
				var g gauge
				work := func(ctx context.Context, i int) {
					g.enter()
					defer g.leave()
					time.Sleep(delays[i])
				}
				ctx := context.Background()
				n := len(delays)

				sq, err := flow.Collect(flow.Map(ctx, upTo(n), func(ctx context.Context, i int) (int, error) {
					work(ctx, i)
					return i * i, nil
				}, limit))
				require.NoError(t, err)
				want := make([]int, n)
				for i := range want {
					want[i] = i * i
				}
				require.Equal(t, want, sq)
				assert.Equal(t, int64(limit), g.peak.Load(), "Map's most calls at once")

				g.peak.Store(0)
				odd := func(ctx context.Context, i int) (bool, error) { work(ctx, i); return i%2 == 1, nil }
				odds, err := flow.Collect(flow.Filter(ctx, upTo(n), odd, limit))
				require.NoError(t, err)
				even := func(ctx context.Context, i int) (bool, error) { ok, err := odd(ctx, i); return !ok, err }
				evens, err := flow.Collect(flow.Filter(ctx, upTo(n), even, limit))
				require.NoError(t, err)
				var wantOdds, wantEvens []int
				for i := range n {
					if i%2 == 1 {
						wantOdds = append(wantOdds, i)
					} else {
						wantEvens = append(wantEvens, i)
					}
				}
				require.Equal(t, wantOdds, odds)
				require.Equal(t, wantEvens, evens)
				assert.Equal(t, int64(limit), g.peak.Load(), "Filter's most calls at once")

				pairs, err := flow.Collect(flow.FlatMap(ctx, upTo(n), func(ctx context.Context, i int) ([]int, error) {
					work(ctx, i)
					return []int{i, -i}, nil
				}, limit))
				require.NoError(t, err)
				require.Len(t, pairs, 2*n)
				for i := range n {
					require.Equal(t, []int{i, -i}, pairs[2*i:2*i+2])
				}

				// DropWhile: the predicate is true below 100, false at 100,
				// and true again at 102, 105, …, which are kept all the same.
				rest, err := flow.Collect(flow.DropWhile(ctx, upTo(n), func(ctx context.Context, i int) (bool, error) {
					work(ctx, i)
					return i < 100 || i%3 == 0, nil
				}, limit))
				require.NoError(t, err)
				wantRest := make([]int, 0, n-100)
				for i := 100; i < n; i++ {
					wantRest = append(wantRest, i)
				}
				require.Equal(t, wantRest, rest)
			})
		})
	}
}

// TestNoLimitRunsEverythingAtOnce: with limit 0, n calls that each wait for
// all n to have started can only finish if all run at once. A smaller limit
// would leave the bubble deadlocked, which synctest reports.
func TestNoLimitRunsEverythingAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 300 // more than the ordered window's first allocation
		var arrived atomic.Int64
		all := make(chan struct{})
		barrier := func(ctx context.Context, i int) (int, error) {
			if arrived.Add(1) == n {
				close(all)
			}
			<-all
			return i, nil
		}
		vs, err := flow.Collect(flow.Map(context.Background(), upTo(n), barrier, 0))
		require.NoError(t, err)
		require.Len(t, vs, n)
		for i, v := range vs {
			require.Equal(t, i, v)
		}
		arrived.Store(0)
		all = make(chan struct{})
		require.NoError(t, flow.Each(context.Background(), upTo(n), func(ctx context.Context, i int) error {
			_, err := barrier(ctx, i)
			return err
		}, 0))
		// A limit above what flow's pool takes goes through an executor
		// and binds all the same.
		arrived.Store(0)
		all = make(chan struct{})
		vs, err = flow.Collect(flow.Map(context.Background(), upTo(n), barrier, 5000))
		require.NoError(t, err)
		require.Len(t, vs, n)
	})
}

// TestPipelineStagesOverlap: two stages with one call at a time each, 1s
// per call, over 3 values take 4s when the stages run concurrently (6s if
// one waited for the other).
func TestPipelineStagesOverlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		slow := func(ctx context.Context, i int) (int, error) {
			time.Sleep(time.Second)
			return i + 1, nil
		}
		start := time.Now()
		vs, err := flow.Collect(flow.Map(ctx, flow.Map(ctx, upTo(3), slow, 1), slow, 1))
		require.NoError(t, err)
		require.Equal(t, []int{2, 3, 4}, vs)
		require.Equal(t, 4*time.Second, time.Since(start))
	})
}

// TestBoundedReadAhead: a stage reads at most twice its limit ahead of the
// value its consumer is handling, even from an endless source.
func TestBoundedReadAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var pulled atomic.Int64
		id := func(_ context.Context, i int) (int, error) { return i, nil }
		for v, err := range flow.Map(context.Background(), forever(&pulled), id, 3) {
			require.NoError(t, err)
			synctest.Wait() // let every worker run as far as it can
			require.LessOrEqual(t, pulled.Load(), int64(v+1+2*3+1), "read ahead at value %d", v)
			if v == 50 {
				break
			}
		}
	})
}

// TestBreakCancelsAndJoins: leaving the range cancels the calls in flight
// and returns only after they have returned.
func TestBreakCancelsAndJoins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var pulled, started, running, canceled atomic.Int64
		three := make(chan struct{})
		fn := func(ctx context.Context, i int) (int, error) {
			if i == 0 {
				<-three // the value is yielded while 1, 2 and 3 run
				return 0, nil
			}
			if started.Add(1) == 3 {
				close(three)
			}
			running.Add(1)
			defer running.Add(-1)
			<-ctx.Done()
			canceled.Add(1)
			return 0, ctx.Err()
		}
		for v, err := range flow.Map(context.Background(), forever(&pulled), fn, 4) {
			require.NoError(t, err)
			require.Equal(t, 0, v)
			synctest.Wait()
			break
		}
		require.Zero(t, running.Load(), "calls still running after the range")
		require.GreaterOrEqual(t, started.Load(), int64(3))
		require.Equal(t, started.Load(), canceled.Load())
	})
}

// TestMapFailsInOrder: a failure counts at its place: the values before it
// come first even when they finish later, then the failure, and the calls
// after it are cancelled.
func TestMapFailsInOrder(t *testing.T) {
	// Limit 4 runs on flow's worker pool; 5000, above its largest limit,
	// through an executor.
	for _, limit := range []int{4, 5000} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var started, canceled atomic.Int64
				fn := func(ctx context.Context, i int) (int, error) {
					switch {
					case i < 2:
						time.Sleep(time.Second) // finish after the failure
						return i, nil
					case i == 2:
						return 0, errBoom
					}
					started.Add(1)
					<-ctx.Done()
					canceled.Add(1)
					return 0, ctx.Err()
				}
				vs, err := flow.Collect(flow.Map(context.Background(), upTo(100), fn, limit))
				require.ErrorIs(t, err, errBoom)
				require.Equal(t, []int{0, 1}, vs)
				require.Positive(t, started.Load(), "calls after the failure ran")
				require.Equal(t, started.Load(), canceled.Load(), "and were cancelled and joined")
			})
		})
	}
}

// TestSourceErrorEndsTheStage: a failing source ends the stage after the
// values before the failure, and reaches the end of a pipeline.
func TestSourceErrorEndsTheStage(t *testing.T) {
	src := func(yield func(int, error) bool) {
		for i := range 3 {
			if !yield(i, nil) {
				return
			}
		}
		yield(0, errBoom)
	}
	ctx := context.Background()
	id := func(_ context.Context, i int) (int, error) { return i, nil }
	keep := func(context.Context, int) (bool, error) { return true, nil }
	vs, err := flow.Collect(flow.Filter(ctx, flow.Map(ctx, src, id, 2), keep, 2))
	require.ErrorIs(t, err, errBoom)
	require.Equal(t, []int{0, 1, 2}, vs)
	sum, err := flow.Reduce(ctx, flow.Map(ctx, src, id, 0), func(_ context.Context, acc, v int) (int, error) { return acc + v, nil }, 0)
	require.ErrorIs(t, err, errBoom)
	require.Equal(t, 3, sum)
	require.ErrorIs(t, flow.Each(ctx, src, func(context.Context, int) error { return nil }, 1), errBoom)
}

// TestContextEnds: a context that ends stops every function with its cause;
// one that ended before starts nothing.
func TestContextEnds(t *testing.T) {
	cause := errors.New("stop now")
	t.Run("during", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			fn := func(ctx context.Context, i int) (int, error) {
				if i == 5 {
					cancel(cause)
				}
				<-ctx.Done()
				return 0, ctx.Err()
			}
			var pulled atomic.Int64
			_, err := flow.Collect(flow.Map(ctx, forever(&pulled), fn, 6))
			require.ErrorIs(t, err, cause)

			ctx, cancel = context.WithCancelCause(context.Background())
			defer cancel(nil)
			require.ErrorIs(t, flow.Each(ctx, upTo(10), func(ctx context.Context, i int) error {
				_, err := fn(ctx, i)
				return err
			}, 0), cause)
		})
	})
	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(cause)
		called := false
		fn := func(context.Context, int) (int, error) { called = true; return 0, nil }
		_, err := flow.Collect(flow.Map(ctx, upTo(10), fn, 2))
		require.ErrorIs(t, err, cause)
		_, err = flow.Reduce(ctx, upTo(10), func(_ context.Context, a, v int) (int, error) { called = true; return a, nil }, 0)
		require.ErrorIs(t, err, cause)
		_, err = flow.Gather(ctx, 0, func(context.Context) (int, error) { called = true; return 0, nil })
		require.ErrorIs(t, err, cause)
		_, err = flow.Race(ctx, func(context.Context) (int, error) { called = true; return 0, nil })
		require.ErrorIs(t, err, cause)
		rs := flow.GatherAll(ctx, 0, func(context.Context) (int, error) { called = true; return 0, nil })
		require.ErrorIs(t, rs[0].Err, cause)
		require.ErrorIs(t, flow.Each(ctx, upTo(3), func(context.Context, int) error { called = true; return nil }, 0), cause)
		require.False(t, called)
	})
}

// TestPanicReachesTheCaller: a panic in a call is raised in the ranging
// goroutine as a *group.PanicError after the other calls were cancelled
// and joined.
func TestPanicReachesTheCaller(t *testing.T) {
	var running atomic.Int64
	fn := func(ctx context.Context, i int) (int, error) {
		if i == 3 {
			panic("kaboom")
		}
		running.Add(1)
		defer running.Add(-1)
		<-ctx.Done()
		return 0, ctx.Err()
	}
	for name, call := range map[string]func(){
		"Map": func() { _, _ = flow.Collect(flow.Map(context.Background(), upTo(10), fn, 5)) },
		"Each": func() {
			_ = flow.Each(context.Background(), upTo(10), func(ctx context.Context, i int) error { _, err := fn(ctx, i); return err }, 0)
		},
		"Race": func() {
			_, _ = flow.Race(context.Background(),
				func(ctx context.Context) (int, error) { return fn(ctx, 0) },
				func(ctx context.Context) (int, error) { return fn(ctx, 3) })
		},
		"GatherAll": func() {
			flow.GatherAll(context.Background(), 0,
				func(ctx context.Context) (int, error) { return fn(ctx, 0) },
				func(ctx context.Context) (int, error) { return fn(ctx, 3) })
		},
	} {
		t.Run(name, func(t *testing.T) {
			v := testkit.Catch(call)
			require.NotNil(t, v, "no panic")
			var pe *group.PanicError
			if err, ok := v.(error); ok && errors.As(err, &pe) {
				require.Equal(t, "kaboom", pe.Value)
			} else {
				require.Failf(t, "not a PanicError", "%T %v", v, v)
			}
			require.Zero(t, running.Load())
		})
	}
}

// TestEveryAndSomeStopEarly: the deciding verdict cancels the calls still
// running, whatever their place in the input.
func TestEveryAndSomeStopEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var started, canceled atomic.Int64
		pred := func(verdict bool) func(context.Context, int) (bool, error) {
			return func(ctx context.Context, i int) (bool, error) {
				if i == 7 {
					return verdict, nil
				}
				started.Add(1)
				<-ctx.Done()
				canceled.Add(1)
				return !verdict, ctx.Err()
			}
		}
		// Every call before the deciding one blocks: only the verdict can
		// end the call.
		ok, err := flow.Every(context.Background(), upTo(10), pred(false), 0)
		require.NoError(t, err)
		require.False(t, ok)
		require.Equal(t, started.Load(), canceled.Load())

		started.Store(0)
		canceled.Store(0)
		ok, err = flow.Some(context.Background(), upTo(10), pred(true), 0)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, started.Load(), canceled.Load())

		ok, err = flow.Every(context.Background(), upTo(0), pred(false), 0)
		require.NoError(t, err)
		require.True(t, ok, "every of nothing")
		ok, err = flow.Some(context.Background(), upTo(0), pred(true), 0)
		require.NoError(t, err)
		require.False(t, ok, "some of nothing")

		// An error that comes before any verdict is the answer.
		_, err = flow.Every(context.Background(), upTo(10), func(ctx context.Context, i int) (bool, error) {
			if i == 2 {
				return false, errBoom
			}
			<-ctx.Done()
			return true, ctx.Err()
		}, 0)
		require.ErrorIs(t, err, errBoom)
	})
}

// TestFirstIsInInputOrder: a match found later in time but earlier in the
// input wins, and failures after the match do not count.
func TestFirstIsInInputOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pred := func(ctx context.Context, i int) (bool, error) {
			switch i {
			case 2:
				time.Sleep(time.Second)
				return true, nil
			case 4:
				return true, nil
			case 5:
				return false, errBoom
			}
			return false, nil
		}
		v, err := flow.First(context.Background(), upTo(8), pred, -1, 0)
		require.NoError(t, err)
		require.Equal(t, 2, v)

		v, err = flow.First(context.Background(), upTo(8), func(_ context.Context, i int) (bool, error) {
			return false, nil
		}, -1, 3)
		require.NoError(t, err)
		require.Equal(t, -1, v)

		v, err = flow.First(context.Background(), upTo(8), func(_ context.Context, i int) (bool, error) {
			if i == 1 {
				return false, errBoom
			}
			return i == 6, nil
		}, -1, 2)
		require.ErrorIs(t, err, errBoom)
		require.Equal(t, -1, v)
	})
}

func TestRace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var canceled atomic.Int64
		blocked := func(ctx context.Context) (int, error) {
			<-ctx.Done()
			canceled.Add(1)
			return 0, ctx.Err()
		}
		late := func(ctx context.Context) (int, error) {
			time.Sleep(time.Second)
			return 7, nil
		}
		failing := func(context.Context) (int, error) { return 0, errBoom }
		start := time.Now()
		v, err := flow.Race(context.Background(), blocked, failing, late, blocked)
		require.NoError(t, err)
		require.Equal(t, 7, v)
		require.Equal(t, time.Second, time.Since(start))
		require.Equal(t, int64(2), canceled.Load(), "losers cancelled and joined")

		other := errors.New("other")
		_, err = flow.Race(context.Background(), failing, func(context.Context) (int, error) {
			time.Sleep(time.Second)
			return 0, other
		})
		require.ErrorIs(t, err, errBoom)
		require.ErrorIs(t, err, other)

		_, err = flow.Race[int](context.Background())
		require.ErrorIs(t, err, flow.ErrNoFunctions)

		ctx, cancel := context.WithTimeoutCause(context.Background(), time.Minute, errors.New("too slow"))
		defer cancel()
		_, err = flow.Race(ctx, blocked, failing)
		require.ErrorContains(t, err, "too slow")
		require.ErrorIs(t, err, errBoom)
	})
}

func TestGatherFailsFast(t *testing.T) {
	for _, limit := range []int{0, 2, 1} { // all at once, and through an executor
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var started, canceled atomic.Int64
				blocked := func(ctx context.Context) (int, error) {
					started.Add(1)
					<-ctx.Done()
					canceled.Add(1)
					return 0, ctx.Err()
				}
				ok := func(context.Context) (int, error) { return 1, nil }
				failing := func(context.Context) (int, error) {
					time.Sleep(time.Second)
					return 0, errBoom
				}
				vs, err := flow.Gather(context.Background(), limit, ok, failing, blocked, blocked)
				require.ErrorIs(t, err, errBoom)
				require.Equal(t, []int{1}, vs)
				require.Equal(t, started.Load(), canceled.Load())

				// GatherAll keeps going past failures, and a context that
				// ends gives its cause to what did not finish.
				ctx, cancel := context.WithTimeoutCause(context.Background(), 2*time.Second, errors.New("deadline"))
				defer cancel()
				rs := flow.GatherAll(ctx, limit, ok, failing, blocked, ok)
				require.Len(t, rs, 4)
				require.Equal(t, flow.Result[int]{Value: 1}, rs[0])
				require.ErrorIs(t, rs[1].Err, errBoom)
				require.ErrorContains(t, rs[2].Err, "deadline")
				if limit != 1 {
					require.Equal(t, flow.Result[int]{Value: 1}, rs[3], "ran")
				} else {
					require.ErrorContains(t, rs[3].Err, "deadline", "never ran")
				}
			})
		})
	}
}

func TestRepeatLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g gauge
		start := time.Now()
		vs, err := flow.Repeat(context.Background(), 10, func(_ context.Context, i int) (int, error) {
			g.enter()
			defer g.leave()
			time.Sleep(time.Second)
			return i, nil
		}, 3)
		require.NoError(t, err)
		require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, vs)
		require.Equal(t, int64(3), g.peak.Load())
		require.Equal(t, 4*time.Second, time.Since(start)) // ⌈10/3⌉ rounds
		vs, err = flow.Repeat(context.Background(), 0, func(_ context.Context, i int) (int, error) { return i, nil }, 0)
		require.NoError(t, err)
		require.Empty(t, vs)
	})
}

func TestUntilWhilstStopAtErrors(t *testing.T) {
	ctx := context.Background()
	n := 0
	step := func(context.Context) (int, error) {
		n++
		if n == 3 {
			return 0, errBoom
		}
		return n, nil
	}
	vs, err := flow.Until(ctx, step, func(context.Context) (bool, error) { return false, nil })
	require.ErrorIs(t, err, errBoom)
	require.Equal(t, []int{1, 2}, vs)

	n = 0
	vs, err = flow.Whilst(ctx, step, func(context.Context) (bool, error) { return n < 1, nil })
	require.NoError(t, err)
	require.Equal(t, []int{1}, vs)
	vs, err = flow.Whilst(ctx, step, func(context.Context) (bool, error) { return false, errBoom })
	require.ErrorIs(t, err, errBoom)
	require.Empty(t, vs)

	// Whilst may never call fn; Until always calls it once.
	n = 0
	vs, err = flow.Whilst(ctx, step, func(context.Context) (bool, error) { return false, nil })
	require.NoError(t, err)
	require.Empty(t, vs)
	vs, err = flow.Until(ctx, step, func(context.Context) (bool, error) { return true, nil })
	require.NoError(t, err)
	require.Equal(t, []int{1}, vs)
}

func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Supervised, so that a failing task does not cancel the others.
		g := group.New(context.Background(), group.OnError(func(error) {}))
		defer func() { _ = g.Close() }()
		after := func(d time.Duration, err error) *group.Task {
			return g.Go(func(ctx context.Context) error {
				select {
				case <-time.After(d):
					return err
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}
		a, b, c := after(time.Second, nil), after(2*time.Second, errBoom), after(3*time.Second, nil)
		ctx := context.Background()
		start := time.Now()

		done, pending, err := flow.Wait(ctx, flow.FirstCompleted, c, b, a)
		require.NoError(t, err)
		require.Equal(t, []*group.Task{a}, done)
		require.Equal(t, []*group.Task{c, b}, pending, "in the order given")
		require.Equal(t, time.Second, time.Since(start))

		done, pending, err = flow.Wait(ctx, flow.FirstError, a, b, c)
		require.NoError(t, err)
		require.Equal(t, []*group.Task{a, b}, done)
		require.Equal(t, []*group.Task{c}, pending)
		require.Equal(t, 2*time.Second, time.Since(start))

		tctx, cancel := context.WithTimeoutCause(ctx, 500*time.Millisecond, errors.New("impatient"))
		defer cancel()
		done, pending, err = flow.Wait(tctx, flow.AllCompleted, a, b, c)
		require.ErrorContains(t, err, "impatient")
		require.Len(t, done, 2)
		require.Len(t, pending, 1)

		done, pending, err = flow.Wait(ctx, flow.AllCompleted, a, b, c)
		require.NoError(t, err)
		require.Len(t, done, 3)
		require.Empty(t, pending)
		require.Equal(t, 3*time.Second, time.Since(start))

		// Already decided: at once, even with an ended context.
		ended, stop := context.WithCancel(ctx)
		stop()
		done, _, err = flow.Wait(ended, flow.FirstError, a, b, c)
		require.NoError(t, err)
		require.Len(t, done, 3)
		done, pending, err = flow.Wait[*group.Task](ctx, flow.AllCompleted)
		require.NoError(t, err)
		require.Empty(t, done)
		require.Empty(t, pending)
		require.Equal(t, "FirstError", flow.FirstError.String())
		require.Equal(t, "ReturnWhen(9)", flow.ReturnWhen(9).String())
	})
}

// TestBadInput: misuse panics at the call, with a message that says what is
// wrong, before anything runs.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	src := upTo(3)
	id := func(_ context.Context, i int) (int, error) { return i, nil }
	pred := func(context.Context, int) (bool, error) { return true, nil }
	fn := func(context.Context) (int, error) { return 0, nil }
	for name, call := range map[string]func(){
		"Map nil fn":        func() { flow.Map[int, int](ctx, src, nil, 1) },
		"Map nil src":       func() { flow.Map(ctx, nil, id, 1) },
		"Map negative":      func() { flow.Map(ctx, src, id, -1) },
		"FlatMap nil":       func() { flow.FlatMap[int, int](ctx, src, nil, 1) },
		"FlatMap negative":  func() { flow.FlatMap(ctx, src, func(context.Context, int) ([]int, error) { return nil, nil }, -2) },
		"Filter nil":        func() { flow.Filter(ctx, src, nil, 1) },
		"DropWhile nil":     func() { flow.DropWhile(ctx, nil, pred, 1) },
		"DropWhile neg":     func() { flow.DropWhile(ctx, src, pred, -1) },
		"Each nil":          func() { _ = flow.Each[int](ctx, src, nil, 1) },
		"Each negative":     func() { _ = flow.Each(ctx, src, func(context.Context, int) error { return nil }, -1) },
		"Reduce nil":        func() { _, _ = flow.Reduce[int, int](ctx, src, nil, 0) },
		"Every nil":         func() { _, _ = flow.Every(ctx, src, nil, 0) },
		"Some negative":     func() { _, _ = flow.Some(ctx, src, pred, -1) },
		"First nil":         func() { _, _ = flow.First(ctx, src, nil, 0, 0) },
		"Race nil":          func() { _, _ = flow.Race(ctx, fn, nil) },
		"Gather nil":        func() { _, _ = flow.Gather(ctx, 0, nil, fn) },
		"Gather negative":   func() { _, _ = flow.Gather(ctx, -1, fn) },
		"GatherAll nil":     func() { flow.GatherAll[int](ctx, 0, nil) },
		"Repeat negative n": func() { _, _ = flow.Repeat(ctx, -1, id, 0) },
		"Repeat nil":        func() { _, _ = flow.Repeat[int](ctx, 1, nil, 0) },
		"Until nil":         func() { _, _ = flow.Until(ctx, fn, nil) },
		"Whilst nil":        func() { _, _ = flow.Whilst[int](ctx, nil, func(context.Context) (bool, error) { return false, nil }) },
		"Wait when":         func() { _, _, _ = flow.Wait[*group.Task](ctx, flow.ReturnWhen(7)) },
		"Wait nil task":     func() { _, _, _ = flow.Wait(ctx, flow.AllCompleted, (*group.Task)(nil)) },
		"Values nil":        func() { flow.Values[int](nil) },
		"Collect nil":       func() { _, _ = flow.Collect[int](nil) },
	} {
		v := testkit.Catch(call)
		require.NotNil(t, v, name)
		require.Contains(t, fmt.Sprint(v), "flow: ", name)
	}
}
