// Package blank is checked with -droppedsubmit.blank.
package blank

import (
	"context"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/queue"
)

func job(context.Context) error { return nil }

func blank(ctx context.Context, ex *executor.Executor, q *queue.Queue[int]) error {
	_, _ = ex.Submit(ctx, job)   // want `the error of Submit is discarded`
	_ = q.TryPut(1)              // want `the error of TryPut is discarded`
	var _, _ = ex.TrySubmit(job) // want `the ok result of TrySubmit is discarded`
	t, _ := ex.Enqueue(job)      // want `the error of Enqueue is discarded`
	_, err := ex.Submit(ctx, job)
	_ = t
	return err
}
