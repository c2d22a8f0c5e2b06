package executor_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

var errBoom = errors.New("boom")

func TestFirstFailureCancelsTheRestAndCloses(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(2))
		long, err := ex.Submit(context.Background(), func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		require.NoError(t, err)
		_, err = ex.Submit(context.Background(), func(context.Context) error {
			time.Sleep(time.Second)
			return errBoom
		})
		require.NoError(t, err)
		waiting, err := ex.Enqueue(func(context.Context) error { panic("must not run") })
		require.NoError(t, err)
		require.ErrorIs(t, ex.Wait(), errBoom)
		require.Equal(t, group.Canceled, long.State())
		require.Equal(t, group.Canceled, waiting.State())
		require.Equal(t, group.Closed, ex.Group().State())
		require.ErrorIs(t, ex.Group().Cause(), errBoom)
		_, err = ex.Submit(context.Background(), nop)
		require.ErrorIs(t, err, executor.ErrClosed)
		require.ErrorIs(t, g.Wait(), errBoom, "the failed executor is one failure of its parent")
	})
}

func TestSuppressErrorsKeepsRunning(t *testing.T) {
	g := group.New(context.Background())
	ex := executor.New(g, executor.MaxWorkers(2), executor.SuppressErrors())
	var tasks []*group.Task
	for i := range 10 {
		task, err := ex.Submit(context.Background(), func(context.Context) error {
			if i%2 == 0 {
				return errBoom
			}
			return nil
		})
		require.NoError(t, err)
		tasks = append(tasks, task)
	}
	require.NoError(t, ex.Wait())
	for i, task := range tasks {
		<-task.Done()
		if i%2 == 0 {
			require.ErrorIs(t, task.Err(), errBoom)
		} else {
			require.NoError(t, task.Err())
		}
	}
	require.Equal(t, executor.Stats{Submitted: 10, Succeeded: 5, Failed: 5}, ex.Stats())
	require.NoError(t, g.Close())
}

func TestPanickingJob(t *testing.T) {
	t.Run("is raised by Wait", func(t *testing.T) {
		g := group.New(context.Background(), quiet())
		ex := executor.New(g, executor.MaxWorkers(1))
		_, err := ex.Submit(context.Background(), func(context.Context) error { panic("job panic") })
		require.NoError(t, err)
		v := catch(func() { _ = ex.Wait() })
		var pe *group.PanicError
		require.ErrorAs(t, v.(error), &pe)
		require.Equal(t, "job panic", pe.Value)
		// Raised once in the tree: the parent returns it as an error.
		var closeErr error
		require.Nil(t, catch(func() { closeErr = g.Close() }))
		require.ErrorAs(t, closeErr, &pe)
	})
	t.Run("leaves its worker running", func(t *testing.T) {
		g := group.New(context.Background(), quiet(), group.PanicsAsErrors())
		ex := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors())
		first, err := ex.Submit(context.Background(), func(context.Context) error { panic("job panic") })
		require.NoError(t, err)
		second, err := ex.Submit(context.Background(), nop)
		require.NoError(t, err)
		require.NoError(t, ex.Wait())
		require.Equal(t, group.Failed, first.State())
		require.Equal(t, group.Succeeded, second.State())
		require.NoError(t, g.Close())
	})
}

func TestGoexitInAJobReplacesItsWorker(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors())
		gt := newGate()
		first, err := ex.Submit(context.Background(), gt.job)
		require.NoError(t, err)
		goexit, err := ex.Enqueue(func(context.Context) error { runtime.Goexit(); return nil })
		require.NoError(t, err)
		after, err := ex.Enqueue(nop)
		require.NoError(t, err)
		gt.open()
		require.NoError(t, ex.Wait())
		require.Equal(t, group.Succeeded, first.State())
		require.ErrorIs(t, goexit.Err(), group.ErrGoexit)
		require.Equal(t, group.Succeeded, after.State(), "a new worker took the backlog over")
		require.NoError(t, g.Close())
	})
}

// A job that calls Goexit while a submitter is blocked gets that
// submitter a new worker; one that calls it with nothing waiting leaves
// no worker behind.
func TestGoexitInAJobWithASubmitterBlocked(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors())
		exit := make(chan struct{})
		goexit, err := ex.Submit(context.Background(), func(context.Context) error {
			<-exit
			runtime.Goexit()
			return nil
		})
		require.NoError(t, err)
		admitted := make(chan error, 1)
		go func() {
			_, err := ex.Submit(context.Background(), nop)
			admitted <- err
		}()
		synctest.Wait()
		require.Equal(t, int64(1), ex.Stats().Blocked)
		close(exit)
		require.NoError(t, <-admitted)
		require.NoError(t, ex.Wait())
		require.ErrorIs(t, goexit.Err(), group.ErrGoexit)

		// Nothing waiting: the worker that died is not replaced.
		ex2 := executor.New(g, executor.MaxWorkers(1), executor.SuppressErrors())
		task, err := ex2.Submit(context.Background(), func(context.Context) error { runtime.Goexit(); return nil })
		require.NoError(t, err)
		<-task.Done()
		synctest.Wait()
		require.Zero(t, ex2.Stats().Workers, "a replacement started with nothing to do")
		require.NoError(t, ex2.Wait())
		require.NoError(t, g.Close())
	})
}

func TestTimeoutBoundsTheExecutorsLife(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.Timeout(time.Second))
		task, err := ex.Submit(context.Background(), func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		require.NoError(t, err)
		start := time.Now()
		require.ErrorIs(t, ex.Wait(), context.DeadlineExceeded)
		require.Equal(t, time.Second, time.Since(start))
		require.Equal(t, group.Canceled, task.State())
		require.ErrorIs(t, g.Close(), context.DeadlineExceeded)
	})
}

// coroexecutor's nesting example: producers that are jobs themselves submit
// more jobs, and Wait waits for all of them; the timeout still applies.
func TestNestedProducers(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background())
		ex := executor.New(g, executor.MaxWorkers(3), executor.Timeout(time.Minute))
		var done [7]bool // written by distinct jobs, read after Wait
		f := func(i int) func(context.Context) error {
			return func(context.Context) error {
				time.Sleep(time.Duration(i) * time.Millisecond)
				done[i] = true
				return nil
			}
		}
		producer := func(from int) func(context.Context) error {
			return func(ctx context.Context) error {
				for i := from; i < from+3; i++ {
					if _, err := ex.Submit(ctx, f(i)); err != nil {
						return err
					}
				}
				return nil
			}
		}
		_, err := ex.Submit(context.Background(), f(0))
		require.NoError(t, err)
		_, err = ex.Submit(context.Background(), producer(1))
		require.NoError(t, err)
		_, err = ex.Enqueue(producer(4))
		require.NoError(t, err)
		require.NoError(t, ex.Wait())
		require.Equal(t, [7]bool{true, true, true, true, true, true, true}, done)
		require.Equal(t, int64(9), ex.Stats().Succeeded)
		require.NoError(t, g.Close())
	})
}
