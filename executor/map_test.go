package executor_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// sleepy returns its input after sleeping its input in milliseconds, and
// fails with errBoom for fail.
func sleepy(fail int) func(context.Context, int) (int, error) {
	return func(ctx context.Context, ms int) (int, error) {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		if ms == fail {
			return 0, errBoom
		}
		return ms, nil
	}
}

func TestMapYieldsInInputOrder(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(4))
		in := []int{50, 40, 30, 20, 10, 5, 1}
		var got []int
		for v, err := range executor.Map(context.Background(), ex, slices.Values(in), sleepy(-1)) {
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Equal(t, in, got)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestMapHoldsAtMostTheWindow(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(8))
		var inFlight, most atomic.Int64
		fn := func(_ context.Context, v int) (int, error) {
			n := inFlight.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			return v, nil
		}
		seq := executor.Map(context.Background(), ex, slices.Values(make([]int, 1000)), fn, executor.Window(3))
		if !ordered {
			seq = executor.MapUnordered(context.Background(), ex, slices.Values(make([]int, 1000)), fn, executor.Window(3))
		}
		count := 0
		for _, err := range seq {
			require.NoError(t, err)
			inFlight.Add(-1)
			count++
		}
		require.Equal(t, 1000, count)
		require.LessOrEqual(t, most.Load(), int64(3))
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	}
}

func TestLeavingTheRangeEarlyLeavesNothingRunning(t *testing.T) {
	maps := map[string]func(context.Context, *executor.Executor, func(context.Context, int) (int, error)) func(func(int, error) bool){
		"ordered": func(ctx context.Context, ex *executor.Executor, fn func(context.Context, int) (int, error)) func(func(int, error) bool) {
			return executor.Map(ctx, ex, upTo(100), fn)
		},
		"unordered": func(ctx context.Context, ex *executor.Executor, fn func(context.Context, int) (int, error)) func(func(int, error) bool) {
			return executor.MapUnordered(ctx, ex, upTo(100), fn)
		},
	}
	for name, mapper := range maps {
		t.Run(name, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(4), executor.SuppressErrors())
				var started, finished atomic.Int64
				fn := func(ctx context.Context, v int) (int, error) {
					started.Add(1)
					defer finished.Add(1)
					if v < 2 {
						return 0, nil
					}
					<-ctx.Done()
					return 0, ctx.Err()
				}
				for _, err := range mapper(context.Background(), ex, fn) {
					require.NoError(t, err)
					break
				}
				require.Equal(t, started.Load(), finished.Load(), "every job started has finished")
				require.Equal(t, int64(0), ex.Stats().Running)
				require.Equal(t, group.Open, ex.Group().State(), "breaking is not a failure")
				require.NoError(t, ex.Wait())
				require.NoError(t, g.Close())
			})
		})
	}
}

// coroexecutor's map test: after a failure, results already produced are
// still delivered, and items not yet started never start.
func TestMapUnderFailFastDeliversProducedResults(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		var mu sync.Mutex
		var started []int
		fn := func(ctx context.Context, ms int) (int, error) {
			mu.Lock()
			started = append(started, ms)
			mu.Unlock()
			return sleepy(100)(ctx, ms)
		}
		got, errs := split(executor.Map(context.Background(), ex, slices.Values([]int{10, 20, 100, 200, 300}), fn, executor.Window(4)))
		require.Equal(t, []int{10, 20}, got)
		require.Len(t, errs, 1)
		require.ErrorIs(t, errs[0], errBoom)
		require.ElementsMatch(t, []int{10, 20, 100, 200}, started, "300 never started")
		require.ErrorIs(t, ex.Wait(), errBoom)
		require.ErrorIs(t, g.Close(), errBoom)
	})
}

func TestMapUnorderedYieldsAsCompleted(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(5))
		var got []int
		for v, err := range executor.MapUnordered(context.Background(), ex, slices.Values([]int{50, 40, 30, 20, 10}), sleepy(-1)) {
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Equal(t, []int{10, 20, 30, 40, 50}, got)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestMapUnorderedUnderFailFast(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(3))
		got, errs := split(executor.MapUnordered(context.Background(), ex, slices.Values([]int{300, 10, 100, 20, 400}), sleepy(100), executor.Window(4)))
		require.Equal(t, []int{10, 20}, got)
		requireEndedBy(t, errBoom, errs, ex, g)
	})
}

func TestMapEndsWithCtxCause(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		why := errors.New("enough")
		ctx, cancel := context.WithTimeoutCause(context.Background(), 25*time.Millisecond, why)
		defer cancel()
		var got []int
		var last error
		for v, err := range executor.Map(ctx, ex, slices.Values([]int{10, 20, 30, 40}), sleepy(-1)) {
			if err != nil {
				last = err
				continue
			}
			got = append(got, v)
		}
		require.Equal(t, []int{10, 20}, got)
		require.ErrorIs(t, last, why)
		require.Equal(t, int64(0), ex.Stats().Running)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestMapCollected(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(3), executor.SuppressErrors())
		got, err := flow.Collect(executor.Map(context.Background(), ex, slices.Values([]int{30, 10, 20}), sleepy(-1)))
		require.NoError(t, err)
		require.Equal(t, []int{30, 10, 20}, got)

		got, err = flow.Collect(executor.Map(context.Background(), ex, slices.Values([]int{30, 10, 20, 40}), sleepy(20)))
		require.ErrorIs(t, err, errBoom)
		require.Equal(t, []int{30, 10}, got, "the results before the first error")
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

// upTo yields 0, 1, ..., n-1.
func upTo(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// ThenEach composes a Map function with a completion callback that sees
// each item's result and error, without an adapter.
func TestThenEachComposesWithMap(t *testing.T) {
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(2))
	fn := func(_ context.Context, n int) (int, error) {
		if n == 1 {
			return 0, errBoom
		}
		return n, nil
	}
	cb := func(_ context.Context, v int, err error) (string, error) {
		if err != nil {
			return "handled", nil
		}
		return strconv.Itoa(v * 10), nil
	}
	got, err := flow.Collect(executor.Map(context.Background(), ex, slices.Values([]int{0, 1, 2}), call.ThenEach(fn, cb)))
	require.NoError(t, err)
	require.Equal(t, []string{"0", "handled", "20"}, got)
	require.NoError(t, ex.Wait())
	require.NoError(t, g.Close())
	require.PanicsWithValue(t, "call: ThenEach with nil function", func() { call.ThenEach(fn, (func(context.Context, int, error) (string, error))(nil)) })
}

// Map takes an item from its source only when its window has room: with
// a window of 3 and the first item slow, it holds 3 items, not 4, when the
// range stops at the first result, and takes none after.
func TestMapTakesNoMoreThanItsWindow(t *testing.T) {
	// With 8 workers, the first item slow: Map takes its window of items
	// and no more while it waits for the first.
	for _, tt := range []struct {
		name string
		opts []executor.Option
		want int64
	}{
		{"Window(3)", []executor.Option{executor.Window(3)}, 3},
		{"default: twice MaxWorkers", nil, 16},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(8))
				var pulled atomic.Int64
				src := func(yield func(int) bool) {
					for i := 0; ; i++ {
						pulled.Add(1)
						if !yield(i) {
							return
						}
					}
				}
				slow := func(_ context.Context, v int) (int, error) {
					if v == 0 {
						time.Sleep(time.Second)
					}
					return v, nil
				}
				for v, err := range executor.Map(context.Background(), ex, src, slow, tt.opts...) {
					require.NoError(t, err)
					require.Equal(t, 0, v)
					break
				}
				require.Equal(t, tt.want, pulled.Load(), "items taken by Map")
				require.NoError(t, ex.Wait())
				require.NoError(t, g.Close())
			})
		})
	}
}

func TestMapCollectedWithAnEndedContextReturnsItsCause(t *testing.T) {
	for range 200 {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(4))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := flow.Collect(executor.Map(ctx, ex, func(yield func(int) bool) { yield(1) }, func(context.Context, int) (int, error) { return 1, nil }))
		require.ErrorIs(t, err, context.Canceled)
		err = nil
		for _, e := range executor.MapUnordered(ctx, ex, func(yield func(int) bool) { yield(1) }, func(context.Context, int) (int, error) { return 1, nil }) {
			err = e
		}
		require.ErrorIs(t, err, context.Canceled)
		_, err = executor.Exec(ctx, ex, func(context.Context) (int, error) { return 1, nil })
		require.ErrorIs(t, err, context.Canceled)
		_ = ex.Wait()
		require.NoError(t, g.Close())
	}
}

// An ordered Map yields every result before the first failure, then the
// failure, and stops, whatever the executor's error policy: a failure
// that closes a fail-fast executor waits for its turn, so it cancels only
// the items after it (the rule flow's stages follow too).
func TestMapYieldsEverythingBeforeTheFailure(t *testing.T) {
	for _, suppress := range []bool{false, true} {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			opts := []executor.Option{executor.MaxWorkers(32)}
			if suppress {
				opts = append(opts, executor.SuppressErrors())
			}
			ex := executor.New(g, opts...)
			const failing = 500
			fn := func(ctx context.Context, i int) (int, error) {
				if i == failing {
					return 0, errBoom // at once, before the items around it
				}
				select {
				case <-time.After(time.Duration(1+i%7) * time.Millisecond):
					return i, nil
				case <-ctx.Done():
					return 0, ctx.Err()
				}
			}
			var got []int
			var failure error
			for v, err := range executor.Map(context.Background(), ex, upTo(1000), fn) {
				if err != nil {
					failure = err
					break
				}
				got = append(got, v)
			}
			require.ErrorIs(t, failure, errBoom)
			require.Len(t, got, failing, "every item before the failure is yielded")
			for i, v := range got {
				require.Equal(t, i, v)
			}
			_ = g.Close()
		})
	}
}

// Under fail-fast, a failed item waits for its turn to be yielded before it
// fails the executor. The feeder blocked for a worker must yield it even
// when no other job ends by itself: here the worker is freed only by that
// failure's cancellation.
// With hooks every item is a job of its own, and the feeder waits for a
// worker for each: there it is the feeder that must give up its wait.
func TestMapFailureWaitingForItsTurnDoesNotWedgeAFullExecutor(t *testing.T) {
	for _, hooks := range []bool{false, true} {
		t.Run("hooks="+strconv.FormatBool(hooks), func(t *testing.T) {
			opts := []executor.Option{executor.MaxWorkers(2)}
			if hooks {
				opts = append(opts, executor.Observe(executor.Hooks{TaskStart: func(*group.Task) error { return nil }}))
			}
			failureWaitingForItsTurn(t, opts)
		})
	}
}

func failureWaitingForItsTurn(t *testing.T, opts []executor.Option) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, opts...)
		fn := func(ctx context.Context, v int) (int, error) {
			switch v {
			case 0:
				time.Sleep(10 * time.Millisecond)
				return 0, nil
			case 1:
				time.Sleep(20 * time.Millisecond)
				return 0, errBoom
			default: // ends only when cancelled
				<-ctx.Done()
				return 0, ctx.Err()
			}
		}
		got, errs := split(executor.Map(context.Background(), ex, slices.Values([]int{0, 1, 2, 3, 4}), fn))
		require.Equal(t, []int{0}, got)
		requireEndedBy(t, errBoom, errs, ex, g)
	})
}

// A window wider than the ring Map starts with (64) grows as items pile
// up, and keeps them in order.
func TestMapWindowWiderThanItsFirstRing(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(100))
		release := make(chan struct{})
		go func() {
			synctest.Wait() // every item is in flight
			close(release)
		}()
		var got []int
		for v, err := range executor.Map(context.Background(), ex, slices.Values(seqOf(100)), func(ctx context.Context, v int) (int, error) {
			<-release
			return v, nil
		}, executor.Window(100)) {
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Equal(t, seqOf(100), got)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

// Under fail-fast a failed item waits until the items before it have been
// yielded, not merely reached: a slow item before it keeps its result.
func TestMapFailureWaitsForTheItemsBeforeItToBeYielded(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		fn := func(ctx context.Context, v int) (int, error) {
			if v == 1 {
				time.Sleep(10 * time.Millisecond)
				return 0, errBoom
			}
			select {
			case <-time.After(100 * time.Millisecond):
				return 7, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		got, errs := split(executor.Map(context.Background(), ex, slices.Values([]int{0, 1}), fn))
		require.Equal(t, []int{7}, got, "the slow item before the failure was cut off")
		requireEndedBy(t, errBoom, errs, ex, g)
	})
}

// Leaving a MapUnordered range early cancels every item in flight, the
// first slot's too.
func TestMapUnorderedLeftEarlyCancelsEveryItemInFlight(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(4))
		var started, cancelled atomic.Int32
		for range executor.MapUnordered(context.Background(), ex, slices.Values(seqOf(4)), func(ctx context.Context, v int) (int, error) {
			if v == 3 {
				return v, nil
			}
			started.Add(1)
			<-ctx.Done() // an item not cancelled would hold the range
			cancelled.Add(1)
			return 0, ctx.Err()
		}) {
			break
		}
		require.Equal(t, started.Load(), cancelled.Load(), "items not cancelled (or not started at all)")
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func seqOf(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// split ranges over a stream and returns its values and its errors apart.
// requireEndedBy checks that a stream ended with one error, err, and that
// err ended the stream's executor ex and its parent group g too.
func requireEndedBy(t *testing.T, err error, errs []error, ex *executor.Executor, g *group.Group) {
	t.Helper()
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], err)
	require.ErrorIs(t, ex.Wait(), err)
	require.ErrorIs(t, g.Close(), err)
}

func split[T any](stream iter.Seq2[T, error]) (got []T, errs []error) {
	for v, err := range stream {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, v)
	}
	return got, errs
}

// TestMapEndsOnceEveryJobIsFinished checks that Map's range ends only once
// the jobs of the items it yielded are final, not merely once their
// functions have returned: an observer holds each job's bookkeeping (it
// hears of the job's end before the job counts as finished) until the test
// lets go. Every value is yielded meanwhile, but the range waits.
func TestMapEndsOnceEveryJobIsFinished(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		release := make(chan struct{})
		g := group.New(context.Background(), group.Observe(func(e group.Event) {
			if e.Kind == group.TaskSucceeded {
				<-release
			}
		}))
		ex := executor.New(g, executor.MaxWorkers(4))
		var got []int
		var errs []error
		ended := make(chan struct{})
		go func() {
			defer close(ended)
			for v, err := range executor.Map(context.Background(), ex, upTo(3), func(_ context.Context, v int) (int, error) { return v * 10, nil }) {
				got, errs = append(got, v), append(errs, err)
			}
		}()
		synctest.Wait()
		require.Equal(t, []int{0, 10, 20}, got, "each value is yielded once its function has returned")
		require.Equal(t, []error{nil, nil, nil}, errs)
		testkit.NotClosed(t, ended, "the range, while jobs are not yet finished")
		close(release)
		<-ended
		s := ex.Stats()
		require.Positive(t, s.Succeeded)
		require.Zero(t, s.Running, "every job of the Map has finished")
		require.Zero(t, s.Waiting)
		require.Zero(t, s.Failed)
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

// TestMapEndsWhenItsWaitingItemsAreCancelled checks that items that never
// run do not leave Map waiting for them: the first item's job, cancelled
// while it waited in the queue behind another job, and the items taken
// meanwhile that no job had started. Map ends with the executor's cause.
func TestMapEndsWhenItsWaitingItemsAreCancelled(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(4))
		occupy(t, ex)
		var ran atomic.Int64
		results := mapHeld(ex, 3, nil, func(_ context.Context, v int) (int, error) {
			ran.Add(1)
			return v, nil
		})
		synctest.Wait() // the first item's job waits in the queue; the others are taken
		require.Equal(t, int64(1), ex.Stats().Waiting, "one job for Map's items")
		g.Cancel()
		vals, errs := results()
		require.Len(t, errs, 1, "the cancellation is yielded once: %v %v", vals, errs)
		require.Equal(t, ex.Group().Cause(), errs[0], "Map ends with the executor's cause")
		require.Empty(t, vals[0])
		require.Zero(t, ran.Load(), "no item ran")
		require.NoError(t, g.Wait(), "a cancellation by the owner is no failure")
		require.Equal(t, int64(2), ex.Stats().Canceled, "the running job and Map's, which never ran, are cancelled")
	})
}

// TestMapWithAHookThatStopsAJob checks that an item whose job ends without
// its function running (a TaskStart hook refused it) is yielded with its
// error, in its place, and Map goes on.
func TestMapWithAHookThatStopsAJob(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		errNo := errors.New("no")
		var n atomic.Int64
		ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors(), executor.Observe(executor.Hooks{
			TaskStart: func(*group.Task) error {
				if n.Add(1) == 2 {
					return errNo
				}
				return nil
			},
		}))
		ran := make(chan int, 3)
		var got []string
		for v, err := range executor.Map(context.Background(), ex, upTo(3), func(_ context.Context, v int) (int, error) {
			ran <- v
			return v, nil
		}, executor.Window(1)) { // one item at a time: the second job is the second item's
			if err != nil {
				got = append(got, err.Error())
			} else {
				got = append(got, strconv.Itoa(v))
			}
		}
		require.Equal(t, []string{"0", "no", "2"}, got)
		require.Len(t, ran, 2, "the refused item's function never ran")
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}
