package droppedsubmit

import (
	"context"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/queue"
	"github.com/nursery-go/nursery/resource"
)

func job(context.Context) error { return nil }

func value(context.Context) (int, error) { return 1, nil }

func ready(_ context.Context, ready func()) error { ready(); return nil }

func open(_ context.Context, s *resource.Stack) (*resource.Stack, error) { return s, nil }

// Mistakes.

func dropped(ctx context.Context, ex *executor.Executor, q *queue.Queue[int], g *group.Group, s *resource.Stack) {
	ex.Submit(ctx, job)              // want `the error of Submit is discarded: a refused job \(closed executor, ended context, ErrDeadlock\) is lost silently; check it`
	ex.Enqueue(job)                  // want `the error of Enqueue is discarded`
	ex.TrySubmit(job)                // want `the ok result of TrySubmit is discarded: when it is false the job never started`
	executor.Async(ctx, ex, value)   // want `the error of Async is discarded`
	executor.EnqueueAsync(ex, value) // want `the error of EnqueueAsync is discarded`
	executor.Exec(ctx, ex, value)    // want `the error of Exec is discarded: the job's failure or refusal goes unseen`
	q.Put(ctx, 1)                    // want `the error of Put is discarded: an item that was not put`
	q.TryPut(2)                      // want `the error of TryPut is discarded`
	g.Start(ctx, ready)              // want `the error of Start is discarded: a task that never became ready`
	resource.Open(ctx, s, "r", open) // want `the error of Open is discarded: a resource that did not open`
	go ex.Submit(ctx, job)           // want `the error of Submit is discarded`
	defer q.Put(ctx, 3)              // want `the error of Put is discarded`
	g.Go(func(ctx context.Context) error {
		q.Put(ctx, 4) // want `the error of Put is discarded`
		return nil
	})
}

// Correct uses: none of these is reported.

func checked(ctx context.Context, ex *executor.Executor, q *queue.Queue[int], g *group.Group) error {
	if _, err := ex.Submit(ctx, job); err != nil {
		return err
	}
	if _, ok := ex.TrySubmit(job); !ok {
		return q.Put(ctx, 0)
	}
	v, err := executor.Exec(ctx, ex, value)
	if err != nil {
		return err
	}
	return q.Put(ctx, v)
}

func blankIsAChoice(ctx context.Context, ex *executor.Executor, q *queue.Queue[int]) {
	// An explicit _ is a visible decision: reported only with -droppedsubmit.blank.
	_, _ = ex.Submit(ctx, job)
	_ = q.TryPut(1)
	var _, _ = ex.TrySubmit(job)
}

func nothingToCheck(ctx context.Context, ex *executor.Executor, g *group.Group) {
	g.Go(job)             // a refused task is visible in its Task
	group.Async(g, value) // and in its Future
	defer g.Close()       // not a submission
	ex.Submit(ctx, job)   //nurseryvet:ignore best effort: a refusal means we are shutting down
}
