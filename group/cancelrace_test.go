package group_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestHeldTask_cancelRacingStart races Task.Cancel against Task.Start on
// many held tasks. Whoever wins, the task ends exactly once: if Start lost,
// the function never ran and the task is Canceled; the function runs at
// most once, and only after Start won; the group's counts add up.
func TestHeldTask_cancelRacingStart(t *testing.T) {
	const n = 500
	g := group.New(context.Background())
	var (
		ran     [n]atomic.Int32
		started [n]bool // written by the starter goroutines, read after wg.Wait
		tasks   [n]*group.Task
		wg      sync.WaitGroup
	)
	for i := range n {
		tasks[i] = g.Go(func(context.Context) error {
			ran[i].Add(1)
			return nil
		}, groupctl.Hold.(group.Option))
	}
	gun := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gun
			started[i] = groupctl.StartHeld(tasks[i])
		})
		wg.Go(func() {
			<-gun
			tasks[i].Cancel()
		})
	}
	close(gun)
	testkit.Within(t, "the racing goroutines", wg.Wait)
	var err error
	testkit.Within(t, "Group.Wait", func() { err = g.Wait() })
	require.NoError(t, err)

	var succeeded, canceled int64
	for i, task := range tasks {
		require.True(t, task.State().Final(), "task %d", i)
		require.LessOrEqual(t, ran[i].Load(), int32(1), "task %d ran twice", i)
		if !started[i] {
			require.Equal(t, int32(0), ran[i].Load(), "task %d ran though Start lost", i)
		}
		switch task.State() {
		case group.Succeeded:
			succeeded++
			require.Equal(t, int32(1), ran[i].Load(), "task %d succeeded without running", i)
		case group.Canceled:
			canceled++
			require.Equal(t, int32(0), ran[i].Load(), "task %d ran and was counted as cancelled", i)
			require.ErrorIs(t, task.Err(), group.ErrCanceled)
		default:
			require.Failf(t, "unexpected state", "task %d: %v", i, task.State())
		}
	}
	require.Equal(t, group.Stats{Spawned: n, Succeeded: succeeded, Canceled: canceled}, g.Stats())
}

// TestTask_outsideCancellationRacingCompletion ends tasks in every way at
// the moment the group is cancelled from outside and some tasks are
// cancelled one by one. Each task ends in exactly one state that agrees
// with its error, and the group's counts agree with the tasks'.
func TestTask_outsideCancellationRacingCompletion(t *testing.T) {
	errOwn := errors.New("own failure")
	for _, policy := range []struct {
		name string
		opts []group.Option
	}{
		{"fail-fast", nil},
		{"supervised", []group.Option{group.OnError(func(error) {})}},
	} {
		t.Run(policy.name, func(t *testing.T) {
			for round := range 20 {
				const n = 200
				parent, cancelParent := context.WithCancelCause(context.Background())
				g := group.New(parent, policy.opts...)
				gun := make(chan struct{})
				tasks := make([]*group.Task, n)
				ownFailures := make([]atomic.Bool, n) // the function returned errOwn
				for i := range n {
					tasks[i] = g.Go(func(ctx context.Context) error {
						<-gun
						switch i % 4 {
						case 0:
							return nil
						case 1:
							ownFailures[i].Store(true)
							return errOwn
						case 2:
							return ctx.Err() // nil unless the cancellation came first
						default:
							<-ctx.Done()
							return context.Cause(ctx)
						}
					})
				}
				cancelled := make(chan struct{})
				go func() {
					defer close(cancelled)
					<-gun
					for i := 0; i < n; i += 7 {
						tasks[i].Cancel()
					}
				}()
				close(gun)
				cancelParent(errors.New("outside"))
				testkit.Recv(t, cancelled, "the cancelling goroutine")
				var err error
				testkit.Within(t, "Group.Wait", func() { err = g.Wait() })
				_ = err // fail-fast returns the first failure or the outside cause; either is fine here

				var want group.Stats
				want.Spawned = n
				for i, task := range tasks {
					testkit.Recv(t, task.Done(), "a finished task's Done")
					switch st := task.State(); st {
					case group.Succeeded:
						want.Succeeded++
						require.NoError(t, task.Err(), "round %d task %d", round, i)
					case group.Failed:
						want.Failed++
						require.ErrorIs(t, task.Err(), errOwn, "round %d task %d", round, i)
					case group.Canceled:
						want.Canceled++
						require.Error(t, task.Err(), "round %d task %d", round, i)
					default:
						require.Failf(t, "not a final state", "round %d task %d: %v", round, i, st)
					}
					if ownFailures[i].Load() && task.State() != group.Failed {
						// Only a task that returned its group's cause (a
						// fail-fast sibling's errOwn) has not failed.
						require.Equal(t, group.Canceled, task.State(), "round %d task %d", round, i)
						require.ErrorIs(t, context.Cause(g.Context()), errOwn, "round %d task %d returned its own error", round, i)
					}
				}
				require.Equal(t, want, g.Stats(), "round %d", round)
				cancelParent(nil)
			}
		})
	}
}

// A task cancelled by itself and by its group at once answers with its
// context's cause, whichever won, and is never counted as failed.
func TestTaskAndGroupCancelRacing(t *testing.T) {
	for range 200 {
		g := group.New(context.Background())
		up := make(chan struct{})
		task := g.Go(func(ctx context.Context) error {
			close(up)
			<-ctx.Done()
			return context.Cause(ctx)
		})
		recv(t, up, "task")
		go task.Cancel()
		require.NoError(t, closeAndWait(t, g))
		require.Equal(t, group.Canceled, task.State())
	}
}
