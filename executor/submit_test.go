package executor_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

func TestNeverMoreThanMaxWorkersRun(t *testing.T) {
	for _, workers := range []int{1, 3, 16} {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(workers))
		var hw highWater
		job := func(context.Context) error {
			hw.enter()
			runtime.Gosched()
			hw.exit()
			return nil
		}
		var wg sync.WaitGroup
		// Submitters report errors here, not through require, which must
		// only be called from the test's goroutine; one slot per call, so
		// no send blocks.
		errs := make(chan error, 4*500)
		for range 4 { // several submitters, and Enqueue beside Submit
			wg.Go(func() {
				for i := range 500 {
					var err error
					if i%2 == 0 {
						_, err = ex.Submit(context.Background(), job)
					} else {
						_, err = ex.Enqueue(job)
					}
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.NoError(t, ex.Wait())
		require.LessOrEqual(t, hw.max.Load(), int64(workers))
		s := ex.Stats()
		require.Equal(t, executor.Stats{Submitted: 2000, Succeeded: 2000}, s)
		require.NoError(t, g.Close())
	}
}

// Submit returns once its job has a worker: with two workers and five jobs
// of 100ms, the third and fourth Submit return as the first two jobs end,
// the fifth as the next two do.
func TestSubmitReturnsOnceItsJobHasAWorker(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		start := time.Now()
		var returned []time.Duration
		for range 5 {
			_, err := ex.Submit(context.Background(), sleepJob(100*time.Millisecond))
			require.NoError(t, err)
			returned = append(returned, time.Since(start))
			require.LessOrEqual(t, ex.Stats().Running+ex.Stats().Waiting, int64(2), "more jobs accepted than workers")
		}
		ms := time.Millisecond
		require.Equal(t, []time.Duration{0, 0, 100 * ms, 100 * ms, 200 * ms}, returned)
		require.NoError(t, ex.Wait())
		require.Equal(t, 300*ms, time.Since(start))
		require.NoError(t, g.Close())
	})
}

func TestSubmitBlocksWhileFull(t *testing.T) {
	for _, depth := range []int{0, 2} {
		t.Run(fmt.Sprintf("QueueDepth=%d", depth), func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(2), executor.QueueDepth(depth))
				gt := newGate()
				for range 2 + depth { // two running, depth in the queue
					_, err := ex.Submit(context.Background(), gt.job)
					require.NoError(t, err)
				}
				synctest.Wait()
				n := int64(2 + depth)
				require.Equal(t, executor.Stats{Submitted: n, Running: 2, Waiting: int64(depth), Workers: 2}, ex.Stats())

				// Until ctx ends: Submit returns ctx's cause and submits nothing.
				why := errors.New("gave up")
				ctx, cancel := context.WithCancelCause(context.Background())
				errs := make(chan error, 1)
				go func() {
					_, err := ex.Submit(ctx, nop)
					errs <- err
				}()
				synctest.Wait()
				require.Equal(t, int64(1), ex.Stats().Blocked)
				cancel(why)
				require.ErrorIs(t, <-errs, why)
				require.Equal(t, int64(0), ex.Stats().Blocked)

				// Until a worker is free.
				done := make(chan struct{})
				var err error // written before done is closed
				go func() {
					defer close(done)
					_, err = ex.Submit(context.Background(), nop)
				}()
				synctest.Wait()
				require.Equal(t, int64(1), ex.Stats().Blocked)
				notClosed(t, done, "blocked Submit")
				gt.open()
				<-done
				require.NoError(t, err)
				require.NoError(t, ex.Wait())
				require.Equal(t, executor.Stats{Submitted: n + 1, Succeeded: n + 1}, ex.Stats())
				require.NoError(t, g.Close())
			})
		})
	}
}

func TestSubmitReturnsErrClosed(t *testing.T) {
	t.Run("blocked when the executor closes", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			ex := executor.New(g, executor.MaxWorkers(1))
			gt := newGate()
			_, err := ex.Submit(context.Background(), gt.job) // the one worker is busy
			require.NoError(t, err)
			errs := make(chan error, 1)
			go func() {
				_, err := ex.Submit(context.Background(), nop)
				errs <- err
			}()
			synctest.Wait()
			require.Equal(t, int64(1), ex.Stats().Blocked)
			require.NoError(t, ex.Close())
			require.ErrorIs(t, <-errs, executor.ErrClosed)
			require.NoError(t, g.Close())
		})
	})
	t.Run("after close", func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g)
		require.NoError(t, ex.Close())
		_, err := ex.Submit(context.Background(), nop)
		require.ErrorIs(t, err, executor.ErrClosed)
		require.ErrorIs(t, err, group.ErrClosed)
		_, err = executor.Async(context.Background(), ex, func(context.Context) (int, error) { return 1, nil })
		require.ErrorIs(t, err, executor.ErrClosed)
		_, err = ex.Enqueue(nop)
		require.ErrorIs(t, err, executor.ErrClosed)
		_, ok := ex.TrySubmit(nop)
		require.False(t, ok)
		require.NoError(t, g.Close())
	})
	t.Run("when the parent closes", func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g)
		require.NoError(t, g.Close())
		require.Equal(t, group.Closed, ex.Group().State())
		_, err := ex.Submit(context.Background(), nop)
		require.ErrorIs(t, err, executor.ErrClosed)
	})
}

// Blocked submitters are admitted in the order they blocked.
func TestSubmittersAreAdmittedFirstComeFirstServed(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1))
		gt := newGate()
		_, err := ex.Submit(context.Background(), gt.job) // the one worker is busy
		require.NoError(t, err)
		var mu sync.Mutex
		var order []int
		errs := make(chan error, 5) // one per submitter: no send blocks
		for i := range 5 {
			go func() {
				_, err := ex.Submit(context.Background(), func(context.Context) error {
					mu.Lock()
					order = append(order, i)
					mu.Unlock()
					return nil
				})
				errs <- err
			}()
			synctest.Wait() // submitter i is blocked before i+1 starts
		}
		require.Equal(t, int64(5), ex.Stats().Blocked)
		gt.open()
		require.NoError(t, ex.Wait())
		for range 5 {
			require.NoError(t, <-errs)
		}
		require.Equal(t, []int{0, 1, 2, 3, 4}, order)
		require.NoError(t, g.Close())
	})
}

func TestTrySubmit(t *testing.T) {
	for _, depth := range []int{0, 1} {
		t.Run(fmt.Sprintf("QueueDepth=%d", depth), func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(depth))
				gt := newGate()
				task, ok := ex.TrySubmit(gt.job)
				require.True(t, ok, "a worker is free")
				synctest.Wait()
				for range depth {
					_, ok = ex.TrySubmit(nop)
					require.True(t, ok, "the worker is busy, the queue has room")
				}
				_, ok = ex.TrySubmit(nop)
				require.False(t, ok, "the worker is busy and the queue full")

				gt.open()
				<-task.Done()
				synctest.Wait()
				_, ok = ex.TrySubmit(nop)
				require.True(t, ok, "the worker is free again")
				require.NoError(t, ex.Wait())
				require.NoError(t, g.Close())
			})
		})
	}
}

func TestValidation(t *testing.T) {
	g := group.New(context.Background())
	defer g.Close()
	require.PanicsWithValue(t, "executor: MaxWorkers must be positive", func() { executor.MaxWorkers(0) })
	require.PanicsWithValue(t, "executor: Backlog must not be negative", func() { executor.Backlog(-1) })
	require.PanicsWithValue(t, "executor: Timeout must be positive", func() { executor.Timeout(0) })
	require.PanicsWithValue(t, "executor: Window must be positive", func() { executor.Window(0) })
	require.PanicsWithValue(t, "executor: New with nil parent group", func() { executor.New(nil) })
	require.PanicsWithValue(t, "executor: nil Option given to New", func() { executor.New(g, nil) })
	require.PanicsWithValue(t, "executor: Window is an option of Map, MapUnordered or MapBatches, not of New", func() { executor.New(g, executor.Window(2)) })
	ex := executor.New(g)
	require.Equal(t, runtime.GOMAXPROCS(0), ex.MaxWorkers(), "the documented default")
	require.PanicsWithValue(t, "executor: Submit with nil function", func() { _, _ = ex.Submit(context.Background(), nil) })
	require.PanicsWithValue(t, "executor: Enqueue with nil function", func() { _, _ = ex.Enqueue(nil) })
	require.PanicsWithValue(t, "executor: TrySubmit with nil function", func() { ex.TrySubmit(nil) })
	require.PanicsWithValue(t, "executor: Async with nil executor or function", func() {
		_, _ = executor.Async[int](context.Background(), ex, nil)
	})
	require.NoError(t, ex.Close())
}

// raceGrantedSubmitters fills ex (every worker busy on gt, its queue of
// depth full),
// blocks blocked more Submit calls, opens the gate and lets the scheduler
// run for spin turns, so that the granted submitters race with what the
// caller does next.
func raceGrantedSubmitters(t *testing.T, ex *executor.Executor, gt *gate, depth, blocked, spin int) *sync.WaitGroup {
	t.Helper()
	for range ex.MaxWorkers() + depth {
		_, err := ex.Submit(context.Background(), gt.job)
		require.NoError(t, err)
	}
	wg := new(sync.WaitGroup)
	for range blocked {
		wg.Go(func() { _, _ = ex.Submit(context.Background(), nop) })
	}
	deadline := time.Now().Add(bound)
	for ex.Stats().Blocked < int64(blocked) {
		require.True(t, time.Now().Before(deadline), "submitters did not block")
		runtime.Gosched()
	}
	gt.open()
	for range spin {
		runtime.Gosched()
	}
	return wg
}

func TestWaitReturnsOnceGrantedSubmittersJobsHaveRun(t *testing.T) {
	// MaxWorkers(1) catches a job left in the backlog with no worker.
	for _, workers := range []int{1, 2, 4} {
		for i := range 400 {
			depth := workers * (i % 2) // strict, and with a queue
			g := group.New(context.Background())
			ex := executor.New(g, executor.MaxWorkers(workers), executor.QueueDepth(depth))
			wg := raceGrantedSubmitters(t, ex, newGate(), depth, 3*workers, i%7)
			done := make(chan error, 1)
			go func() { done <- ex.Wait() }()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(bound):
				s := ex.Stats()
				_ = ex.Close()
				<-done
				require.FailNowf(t, "Wait hangs", "workers=%d iteration %d: stats %+v", workers, i, s)
			}
			wg.Wait()
			require.NoError(t, g.Close())
		}
	}
}

func TestShutdownRunsEveryJobAcceptedWhileGrantedSubmittersRace(t *testing.T) {
	for i := range 1000 {
		g := group.New(context.Background())
		depth := i % 2 // strict, and with a queue
		ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(depth))
		var ran sync.WaitGroup
		gt := newGate()
		for range 1 + depth {
			_, err := ex.Submit(context.Background(), gt.job)
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				ran.Add(1)
				if _, err := ex.Submit(context.Background(), func(context.Context) error { ran.Done(); return nil }); err != nil {
					ran.Done() // refused: it never runs
				}
			})
		}
		deadline := time.Now().Add(bound)
		for ex.Stats().Blocked < 4 {
			require.True(t, time.Now().Before(deadline), "submitters did not block")
			runtime.Gosched()
		}
		gt.open()
		for range i % 13 {
			runtime.Gosched()
		}
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		err := ex.Shutdown(ctx)
		cancel()
		require.NoErrorf(t, err, "iteration %d: stats %+v", i, ex.Stats())
		wg.Wait()
		ran.Wait() // every job whose Submit returned nil has run
		require.NoError(t, g.Close())
	}
}

// A worker that comes free admits one blocked submitter in strict mode; with
// a queue, blocked submitters are admitted once the queue has drained to
// half its depth, not at every job.
func TestBlockedSubmittersAreAdmittedAsRoomComes(t *testing.T) {
	for _, tt := range []struct {
		depth, enqueued, blockers int
		blocked                   []int64 // Stats().Blocked after each job of 1s ends
	}{
		{0, 0, 3, []int64{2, 1, 0}},
		{0, 1, 2, []int64{2, 1, 0}}, // the backlog first, then no queue: one at a time
		{4, 0, 3, []int64{3, 2, 1}}, // one admitted each time the queue is back at half
	} {
		t.Run(fmt.Sprintf("QueueDepth=%d,Enqueued=%d", tt.depth, tt.enqueued), func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(tt.depth))
				for range 1 + tt.depth {
					_, err := ex.Submit(context.Background(), sleepJob(time.Second))
					require.NoError(t, err)
				}
				for range tt.enqueued {
					_, err := ex.Enqueue(sleepJob(time.Second))
					require.NoError(t, err)
				}
				blocked := int64(tt.blockers)
				for range blocked {
					go func() { _, _ = ex.Submit(context.Background(), sleepJob(time.Second)) }()
				}
				synctest.Wait()
				require.Equal(t, blocked, ex.Stats().Blocked)
				time.Sleep(time.Second / 2)
				for i, want := range tt.blocked {
					time.Sleep(time.Second)
					require.Equal(t, want, ex.Stats().Blocked, "after %d jobs ended", i+1)
				}
				require.NoError(t, ex.Wait())
				require.NoError(t, g.Close())
			})
		})
	}
}
