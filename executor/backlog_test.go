package executor_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

func TestEnqueueRunsTheBacklogInOrder(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1))
		gt := newGate()
		_, err := ex.Enqueue(gt.job)
		require.NoError(t, err)
		synctest.Wait()
		var mu sync.Mutex
		var order []int
		var tasks []*group.Task
		for i := range 10 {
			task, err := ex.Enqueue(func(context.Context) error {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return nil
			})
			require.NoError(t, err, "Enqueue never blocks and the backlog is unbounded")
			tasks = append(tasks, task)
		}
		require.Equal(t, group.Pending, tasks[0].State())
		s := ex.Stats()
		require.Equal(t, executor.Stats{Submitted: 11, Running: 1, Waiting: 10, Workers: 1}, s)
		gt.open()
		require.NoError(t, ex.Wait())
		require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, order)
		require.NoError(t, g.Close())
	})
}

func TestBoundedBacklogRefusesWhenFull(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.Backlog(2))
		gt := newGate()
		for range 3 {
			_, err := ex.Enqueue(gt.job)
			require.NoError(t, err)
		}
		_, err := ex.Enqueue(nop)
		require.ErrorIs(t, err, executor.ErrFull)
		synctest.Wait()
		require.Equal(t, int64(2), ex.Stats().Waiting)
		gt.open()
		require.NoError(t, ex.Wait())
		require.Equal(t, executor.Stats{Submitted: 3, Succeeded: 3}, ex.Stats(), "the refused job was never accepted")
		require.NoError(t, g.Close())
	})
	t.Run("Backlog(0) accepts only when a worker is free", func(t *testing.T) {
		testkit.Bubble(t, func(t *testing.T) {
			g := group.New(context.Background())
			ex := executor.New(g, executor.MaxWorkers(1), executor.Backlog(0))
			gt := newGate()
			_, err := ex.Enqueue(gt.job)
			require.NoError(t, err)
			_, err = ex.Enqueue(nop)
			require.ErrorIs(t, err, executor.ErrFull)
			gt.open()
			require.NoError(t, ex.Wait())
			require.NoError(t, g.Close())
		})
	})
}

func TestPendingWorkNeverStartsAfterClose(t *testing.T) {
	for _, how := range []string{"Close", "parent Close", "failure"} {
		t.Run(how, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				g := group.New(context.Background())
				ex := executor.New(g, executor.MaxWorkers(2))
				gt := newGate()
				failing := make(chan struct{})
				running := []func(context.Context) error{gt.job, func(ctx context.Context) error {
					select {
					case <-failing:
						return errBoom
					case <-ctx.Done():
						return ctx.Err()
					}
				}}
				for _, job := range running {
					_, err := ex.Submit(context.Background(), job)
					require.NoError(t, err)
				}
				var pending []*group.Task
				for range 5 {
					task, err := ex.Enqueue(func(context.Context) error { panic("must not run") })
					require.NoError(t, err)
					pending = append(pending, task)
				}
				synctest.Wait()
				switch how {
				case "Close":
					require.NoError(t, ex.Close())
				case "parent Close":
					require.NoError(t, g.Close())
				case "failure":
					close(failing)
					require.ErrorIs(t, ex.Wait(), errBoom)
				}
				for _, task := range pending {
					require.Equal(t, group.Canceled, task.State())
				}
				require.ErrorIs(t, pending[0].Err(), group.ErrCanceled)
				_ = ex.Close()
				_ = g.Close()
				require.Equal(t, int64(0), ex.Stats().Workers)
			})
		})
	}
}

func TestShutdownRunsTheBacklog(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		gt := newGate()
		var tasks []*group.Task
		for range 6 {
			task, err := ex.Enqueue(gt.job)
			require.NoError(t, err)
			tasks = append(tasks, task)
		}
		synctest.Wait()
		errs := make(chan error, 1)
		go func() { errs <- ex.Shutdown(context.Background()) }()
		synctest.Wait()
		_, err := ex.Submit(context.Background(), nop)
		require.ErrorIs(t, err, executor.ErrClosed, "refused at once")
		gt.open()
		require.NoError(t, <-errs)
		for _, task := range tasks {
			require.Equal(t, group.Succeeded, task.State())
		}
		require.NoError(t, g.Close())
	})
}

// EnqueueAsync is Enqueue with a typed result: it never blocks, its job
// waits in the backlog behind the busy worker, and a full backlog refuses
// with ErrFull, a closed executor with ErrClosed.
func TestEnqueueAsyncReturnsATypedFuture(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.Backlog(1))
		gt := newGate()
		_, err := ex.Enqueue(gt.job)
		require.NoError(t, err)
		synctest.Wait()
		f, err := executor.EnqueueAsync(ex, func(context.Context) (string, error) { return "done", nil })
		require.NoError(t, err)
		require.Equal(t, group.Pending, f.State())
		_, err = executor.EnqueueAsync(ex, func(context.Context) (string, error) { return "", nil })
		require.ErrorIs(t, err, executor.ErrFull)
		gt.open()
		v, err := f.Await(t.Context())
		require.NoError(t, err)
		require.Equal(t, "done", v)
		require.NoError(t, ex.Wait())
		_, err = executor.EnqueueAsync(ex, func(context.Context) (string, error) { return "", nil })
		require.ErrorIs(t, err, executor.ErrClosed)
		require.NoError(t, g.Close())
	})
}

func TestStatsDoNotCountJobsCancelledInTheBacklogAsWaiting(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex, gt := busy(t, g, executor.SuppressErrors())
		synctest.Wait()
		for range 5 {
			task, err := ex.Enqueue(nop)
			require.NoError(t, err)
			task.Cancel()
		}
		require.Equal(t, executor.Stats{Submitted: 6, Running: 1, Workers: 1, Canceled: 5}, ex.Stats())
		gt.open()
		require.NoError(t, ex.Wait())
		require.NoError(t, g.Close())
	})
}

func TestEnqueueIsNotRefusedForJobsCancelledInTheBacklog(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.Backlog(2), executor.SuppressErrors())
		gt := newGate()
		_, err := ex.Submit(context.Background(), gt.job)
		require.NoError(t, err)
		synctest.Wait()
		for range 2 {
			task, err := ex.Enqueue(nop)
			require.NoError(t, err)
			task.Cancel()
		}
		last, err := ex.Enqueue(nop)
		require.NoError(t, err, "nothing waits in the backlog any more")
		_, err = ex.Enqueue(nop)
		require.NoError(t, err)
		_, err = ex.Enqueue(nop)
		require.ErrorIs(t, err, executor.ErrFull)
		gt.open()
		require.NoError(t, ex.Wait())
		require.Equal(t, group.Succeeded, last.State())
		require.NoError(t, g.Close())
	})
}

// Work refused by a closed executor is not counted as submitted.
func TestStatsDoNotCountRefusedWork(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g)
		_, err := ex.Submit(context.Background(), nop)
		require.NoError(t, err)
		synctest.Wait() // the job has run
		require.NoError(t, ex.Close())
		require.Equal(t, group.Refused, ex.Group().Go(nop).State())
		_, err = ex.Submit(context.Background(), nop)
		require.ErrorIs(t, err, executor.ErrClosed)
		require.Equal(t, executor.Stats{Submitted: 1, Succeeded: 1}, ex.Stats())
		require.NoError(t, g.Close())
	})
}

// A place in the queue granted to a blocked Submit counts against the
// queue and the backlog until the Submit has made its job and put it there:
// here the Submit is held in the group's observer, which hears of its
// admission.
func TestQueuePlaceGrantedToABlockedSubmitCountsWhileItsJobIsMade(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		hold := make(chan struct{})
		g := group.New(context.Background(), group.Observe(func(e group.Event) {
			if e.Kind == group.SubmitBlocked && e.Err == nil {
				<-hold
			}
		}))
		ex := executor.New(g, executor.MaxWorkers(1), executor.QueueDepth(2), executor.Backlog(1))
		ctx := context.Background()
		first, second := newGate(), newGate()
		_, err := ex.Submit(ctx, first.job) // runs
		require.NoError(t, err)
		_, err = ex.Submit(ctx, second.job) // queued
		require.NoError(t, err)
		queued, err := ex.Submit(ctx, nop) // queued: the queue is full
		require.NoError(t, err)
		admitted := make(chan error, 1)
		go func() { _, err := ex.Submit(ctx, nop); admitted <- err }()
		synctest.Wait()
		// The worker takes the second job; the queue, down to one job, has
		// room for the blocked Submit, which is held making its job.
		first.open()
		synctest.Wait()

		_, ok := ex.TrySubmit(nop)
		require.False(t, ok, "a job in the queue and a place granted fill a queue of two")
		queued.Cancel() // no longer counts once dropped from the backlog
		_, err = ex.Enqueue(nop)
		require.ErrorIs(t, err, executor.ErrFull, "the granted place fills a backlog of one")

		close(hold)
		require.NoError(t, <-admitted)
		second.open()
		require.NoError(t, ex.Wait())
		require.Equal(t, executor.Stats{Submitted: 4, Succeeded: 3, Canceled: 1}, ex.Stats())
		require.NoError(t, g.Close())
	})
}
