package flow_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
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

// reviewBound runs f in a goroutine and waits at most 10s for it (fake time
// inside a synctest bubble). If f is still blocked it fails t, calls unstick
// so that f can end, and waits for it: a hang is reported, never left
// behind, unless unstick is nil: then f is abandoned (it cannot be
// released, and goleak reports it too). It returns what f panicked with, if
// anything.
func reviewBound(t *testing.T, what string, unstick func(), f func()) (panicked any) {
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

// reviewWorkers counts the goroutines that are executor workers or flow's
// pool workers.
func reviewWorkers() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), "executor.(*worker).run") + strings.Count(string(buf), "flow.(*pool[...]).worker")
}

// Regression (found in review, fixed): TestReviewSourceErrorInTimeHangs guards against a bug where Each, Every and Some do not
// cancel the calls in flight when their source fails, contrary to their
// docs ("At the first failure (of fn, of src, or ctx ending) it cancels the
// calls in flight"): run drains executor.Map to its end, waiting for every
// call, so a call that waits for its context never returns and the
// function hangs.
func TestReviewSourceErrorInTimeHangs(t *testing.T) {
	src := func(yield func(int, error) bool) {
		if !yield(0, nil) {
			return
		}
		yield(0, errBoom)
	}
	t.Run("Each", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			release := make(chan struct{})
			block := func(ctx context.Context) error {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-release:
					return nil
				}
			}
			var err error
			reviewBound(t, "Each", func() { close(release) }, func() {
				err = flow.Each(context.Background(), src, func(ctx context.Context, _ int) error { return block(ctx) }, 0)
			})
			assert.ErrorIs(t, err, errBoom)
		})
	})
	t.Run("Every", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			release := make(chan struct{})
			var err error
			reviewBound(t, "Every", func() { close(release) }, func() {
				_, err = flow.Every(context.Background(), src, func(ctx context.Context, _ int) (bool, error) {
					select {
					case <-ctx.Done():
						return true, ctx.Err()
					case <-release:
						return true, nil
					}
				}, 2)
			})
			assert.ErrorIs(t, err, errBoom)
		})
	})
}

// Regression (found in review, fixed): TestReviewSourceErrorIsNotFirstInTime guards against a bug where for the functions that
// "stop at the first failure in time" a source failure is ranked last:
// run returns closeErr before srcErr, so a later failure of a call (or a
// later verdict of Every) wins over an earlier failure of src.
func TestReviewSourceErrorIsNotFirstInTime(t *testing.T) {
	src := func(yield func(int, error) bool) {
		if !yield(0, nil) {
			return
		}
		yield(0, errBoom) // at t=0
	}
	synctest.Test(t, func(t *testing.T) {
		other := errors.New("later failure")
		err := flow.Each(context.Background(), src, func(ctx context.Context, _ int) error {
			time.Sleep(time.Second) // fails at t=1s, after src did
			return other
		}, 0)
		assert.ErrorIs(t, err, errBoom, "src failed first")

		ok, err := flow.Every(context.Background(), src, func(ctx context.Context, _ int) (bool, error) {
			time.Sleep(time.Second) // a false verdict at t=1s
			return false, nil
		}, 0)
		assert.False(t, ok)
		assert.ErrorIs(t, err, errBoom, "the src failure came before the verdict")
	})
}

// Regression (found in review, fixed): TestReviewGatherLimitedMisalignsResults guards against a bug where Gather (and Repeat)
// with a binding limit returns values that are not a prefix of fns: a call
// cancelled by the fail-fast close is skipped by executor.Map (stream.deliver
// drops it), but the finished calls after it are still appended, so out[0]
// is the value of fns[1]. The doc promises "the results of the functions
// before the failing one that had finished, in order, up to the first gap",
// and the unlimited path does that.
func TestReviewGatherLimitedMisalignsResults(t *testing.T) {
	for _, limit := range []int{0, 2} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				blocked := func(ctx context.Context) (int, error) {
					<-ctx.Done()
					return -1, ctx.Err()
				}
				ok := func(context.Context) (int, error) { return 42, nil }
				failing := func(context.Context) (int, error) {
					time.Sleep(time.Second)
					return 0, errBoom
				}
				vs, err := flow.Gather(context.Background(), limit, blocked, ok, failing)
				require.ErrorIs(t, err, errBoom)
				assert.Empty(t, vs, "fns[0] never succeeded: there is a gap at 0")

				vs, err = flow.Repeat(context.Background(), 3, func(ctx context.Context, i int) (int, error) {
					return []func(context.Context) (int, error){blocked, ok, failing}[i](ctx)
				}, limit)
				require.ErrorIs(t, err, errBoom)
				assert.Empty(t, vs, "Repeat: call 0 never succeeded")
			})
		})
	}
}

// Regression (found in review, fixed): TestReviewHugeLimitOverflows guards against a bug where a limit above math.MaxInt/2 makes
// run compute window = 2*limit, which overflows to a negative number, and
// the stage panics with "executor: Window must be positive" when ranged —
// a valid limit (larger than any input: "no limit" in practice) is treated
// as bad input, with another package's message, at range time.
func TestReviewHugeLimitOverflows(t *testing.T) {
	id := func(_ context.Context, i int) (int, error) { return i, nil }
	for _, limit := range []int{math.MaxInt/2 + 1, math.MaxInt} {
		p := testkit.Catch(func() {
			vs, err := flow.Collect(flow.Map(context.Background(), upTo(3), id, limit))
			assert.NoError(t, err)
			assert.Equal(t, []int{0, 1, 2}, vs)
		})
		assert.Nil(t, p, "limit %d", limit)
		p = testkit.Catch(func() {
			assert.NoError(t, flow.Each(context.Background(), upTo(3), func(context.Context, int) error { return nil }, limit))
		})
		assert.Nil(t, p, "Each, limit %d", limit)
	}
}

// Regression (found in review, fixed): TestReviewConsumerPanicLeaksWorkers guards against a bug where a panic in the range body
// (or in a source) unwinds through run without closing its private group:
// the executor's worker goroutines outlive the call by one to two
// IdleTimeouts (the group itself is never Closed and stays registered
// with ctx). The house rule is that every goroutine is joined before the
// function returns.
func TestReviewConsumerPanicLeaksWorkers(t *testing.T) {
	// Every flow function joins its workers before it returns, so none of
	// earlier tests' are left.
	require.Zero(t, reviewWorkers(), "workers of earlier tests still running")

	id := func(_ context.Context, i int) (int, error) { return i, nil }
	for _, limit := range []int{4, 0} { // the pool, and the executor
		p := testkit.Catch(func() {
			for range flow.Map(context.Background(), flow.Map(context.Background(), upTo(10), id, limit), id, limit) {
				panic("consumer")
			}
		})
		require.Equal(t, "consumer", p)
		require.Zero(t, reviewWorkers(), "limit %d: worker goroutines still running after the range panicked", limit)
	}
}

// Regression (found in review, fixed): TestReviewRaceRefusedTaskHangs guards against a bug where Race waits for a message on
// finished from every function, but a function whose task the group
// refused (the group closed while Race was still starting tasks: ctx ended
// or a function panicked) never runs, never sends, and Race blocks forever.
// Nothing can release it: on failure the blocked Race is abandoned.
func TestReviewRaceRefusedTaskHangs(t *testing.T) {
	const n = 20000
	for _, mode := range []string{"ctx ends", "panic"} {
		t.Run(mode, func(t *testing.T) {
			for attempt := range 3 {
				ctx, cancel := context.WithCancelCause(context.Background())
				stop := errors.New("stop")
				release := make(chan struct{})
				fns := make([]func(context.Context) (int, error), n)
				for i := range fns {
					fns[i] = func(ctx context.Context) (int, error) {
						if i == 0 {
							if mode == "panic" {
								panic(stop)
							}
							cancel(stop)
							return 0, stop
						}
						select {
						case <-ctx.Done():
							return 0, ctx.Err()
						case <-release:
							return 0, errBoom
						}
					}
				}
				var err error
				p := reviewBound(t, fmt.Sprint("Race, attempt ", attempt), nil, func() {
					_, err = flow.Race(ctx, fns...)
				})
				close(release)
				cancel(nil)
				if t.Failed() {
					return
				}
				if mode == "panic" {
					var pe *group.PanicError
					require.ErrorAs(t, p.(error), &pe)
				} else {
					require.Nil(t, p)
					require.ErrorIs(t, err, stop)
				}
			}
		})
	}
}

// Regression (found in review, fixed): TestReviewTimesReadyResultLosesToDoneCtx guards against a bug where a call past the n-th
// that arrives after the n-th run has finished returns its ctx's cause
// about half the time instead of the result: Times selects between done
// and ctx.Done() at random. The doc says only a call that arrives while
// the n-th still runs waits and may give up.
func TestReviewTimesReadyResultLosesToDoneCtx(t *testing.T) {
	once := flow.Times(1, func(context.Context) (int, error) { return 7, nil })
	_, _ = once(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lost := 0
	for range 200 {
		if _, err := once(ctx); err != nil {
			lost++
		}
	}
	assert.Zero(t, lost, "calls after the last run returned ctx's cause instead of its result")
}

// Regression (found in review, fixed): TestReviewDropWhileKeepsWhateverPredSays guards against a bug where a pred error on a
// value after the cut still fails DropWhile, although the doc says the
// values after the first false verdict "are kept whatever pred says": a
// call on such a value that started before the cut was known runs on, is
// not cancelled, and its error ends the stream.
func TestReviewDropWhileKeepsWhateverPredSays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pred := func(ctx context.Context, i int) (bool, error) {
			switch i {
			case 0:
				time.Sleep(time.Second)
				return false, nil // the cut: 0 and everything after it is kept
			case 1:
				time.Sleep(2 * time.Second)
				return false, errBoom
			}
			return true, nil
		}
		vs, err := flow.Collect(flow.DropWhile(context.Background(), upTo(4), pred, 0))
		assert.NoError(t, err)
		assert.Equal(t, []int{0, 1, 2, 3}, vs)
	})
}

// PIN (passes): TestReviewWaitNilDoneAndDuplicates pins Wait's edge cases: a Waitable
// whose Done is nil never finishes (Wait ends with ctx's cause, no hang),
// and a task given twice is reported twice, in place.
func TestReviewWaitNilDoneAndDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(context.Background())
		defer func() { _ = g.Close() }()
		a := g.Go(func(context.Context) error { time.Sleep(time.Second); return nil })
		never := reviewNever{}
		ctx, cancel := context.WithTimeoutCause(context.Background(), time.Minute, errBoom)
		defer cancel()
		done, pending, err := flow.Wait[flow.Waitable](ctx, flow.AllCompleted, a, never, a)
		assert.ErrorIs(t, err, errBoom)
		assert.Equal(t, []flow.Waitable{a, a}, done)
		assert.Equal(t, []flow.Waitable{never}, pending)

		done, pending, err = flow.Wait[flow.Waitable](context.Background(), flow.FirstCompleted, never, a, a)
		assert.NoError(t, err)
		assert.Equal(t, []flow.Waitable{a, a}, done)
		assert.Equal(t, []flow.Waitable{never}, pending)
	})
}

// reviewNever is a Waitable that never finishes.
type reviewNever struct{}

func (reviewNever) Done() <-chan struct{} { return nil }
func (reviewNever) Err() error            { return nil }

// PIN (passes): TestReviewPreCancelledCtxStartsNothing pins that a stage
// given a ctx that has already ended never calls fn. The private group
// learns of the ended ctx through context.AfterFunc, in another goroutine,
// and accepts jobs until that runs; what keeps fn from running is the
// executor's check of its group's context in runJob.
func TestReviewPreCancelledCtxStartsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var called atomic.Int64
	for range 2000 {
		_, err := flow.Collect(flow.Map(ctx, upTo(4), func(context.Context, int) (int, error) {
			called.Add(1)
			return 0, nil
		}, 2))
		require.ErrorIs(t, err, context.Canceled)
	}
	assert.Zero(t, called.Load(), "fn called with a ctx that had ended before the call")
}

// PIN (passes): TestReviewConcurrentRanges pins that one stage (DropWhile keeps state)
// may be ranged twice and from two goroutines at once.
func TestReviewConcurrentRanges(t *testing.T) {
	pred := func(_ context.Context, i int) (bool, error) { return i < 5, nil }
	seq := flow.DropWhile(context.Background(), upTo(20), pred, 3)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			vs, err := flow.Collect(seq)
			assert.NoError(t, err)
			assert.Len(t, vs, 15)
		})
	}
	wg.Wait()
}
