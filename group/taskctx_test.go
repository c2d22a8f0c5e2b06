package group_test

import (
	"context"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestTaskContext_deadline: a task's context has its group's deadline,
// whether it comes from the group's Timeout or from the parent context,
// and none when neither has one.
func TestTaskContext_deadline(t *testing.T) {
	tests := []struct {
		give   string
		parent func() (context.Context, context.CancelFunc)
		opts   []group.Option
		want   time.Duration // from the start; 0: no deadline
	}{
		{give: "none", parent: func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}},
		{give: "group Timeout", want: 5 * time.Second, opts: []group.Option{group.Timeout(5 * time.Second)},
			parent: func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
		{give: "parent deadline", want: 3 * time.Second, parent: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 3*time.Second)
		}},
		{give: "the earlier of both", want: 2 * time.Second, opts: []group.Option{group.Timeout(2 * time.Second)},
			parent: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 3*time.Second)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				start := time.Now()
				parent, stop := tt.parent()
				defer stop()
				g := group.New(parent, tt.opts...)
				var (
					deadline time.Time
					ok       bool
				)
				g.Go(func(ctx context.Context) error {
					deadline, ok = ctx.Deadline()
					return nil
				})
				require.NoError(t, g.Wait())
				if tt.want == 0 {
					require.False(t, ok)
					return
				}
				require.True(t, ok)
				require.Equal(t, start.Add(tt.want), deadline)
			})
		})
	}
}

// TestTaskContext_deadlineEndsTheTask: when the group's Timeout passes, a
// task blocked on its context ends with context.DeadlineExceeded, at the
// deadline its context reported.
func TestTaskContext_deadlineEndsTheTask(t *testing.T) {
	testkit.Bubble(t, func(t *testing.T) {
		g := group.New(context.Background(), group.Timeout(time.Second))
		var reported, ended time.Time
		task := g.Go(func(ctx context.Context) error {
			reported, _ = ctx.Deadline()
			<-ctx.Done()
			ended = time.Now()
			return ctx.Err()
		})
		err := g.Wait()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, task.Err(), context.DeadlineExceeded)
		require.Equal(t, reported, ended)
	})
}

// TestTaskContextEndsWithTheTask: a task's context that outlives the task
// (kept by a goroutine it started, say) is done once the task has
// finished, whether its Done channel was asked for before, after, or not
// at all, and callbacks and derived contexts hear of it.
func TestTaskContextEndsWithTheTask(t *testing.T) {
	g := group.New(context.Background())
	ctxs := make(chan context.Context, 2)
	asked := g.Go(func(ctx context.Context) error {
		_ = ctx.Done() // made before the task ends
		ctxs <- ctx
		return nil
	})
	<-asked.Done()
	plain := g.Go(func(ctx context.Context) error { ctxs <- ctx; return nil })
	<-plain.Done()
	for _, name := range []string{"Done asked before the end", "Done never asked"} {
		ctx := <-ctxs
		recv(t, ctx.Done(), name)
		require.ErrorIs(t, ctx.Err(), context.Canceled, name)
		ran := make(chan struct{})
		context.AfterFunc(ctx, func() { close(ran) })
		recv(t, ran, name+": AfterFunc")
		child, cancel := context.WithCancel(ctx)
		recv(t, child.Done(), name+": derived context")
		cancel()
	}
	require.NoError(t, g.Wait())
}
