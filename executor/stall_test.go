package executor_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/nursery-go/nursery/queue"
	"github.com/stretchr/testify/require"
)

// A stream's items must all run even while its source blocks: a crawler
// feeds its own source from its items (here the last item closes the
// queue the stream reads), so an item left waiting for a job while the
// ranging goroutine is blocked in the source would hang the stream. The
// cases reach every way a job leaves items behind: its 64 items are done,
// it makes way for a blocked Submit, and (without fail-fast) it ends with
// a failed item. One worker, so that no other job can take them.

// crawl streams through the stream function, on an executor of one worker
// made with exOpts, the n items of a queue whose last item closes it, and
// returns how many ran and how many errors were yielded. Items for which
// fail is true fail; with blockSubmit, item 0 has a Submit block on the
// executor.
func crawl(t *testing.T, n int, exOpts []executor.Option, stream streamFunc, fail func(int) bool, blockSubmit bool) (ran int, errs int) {
	g := group.New(context.Background())
	ex := executor.New(g, append([]executor.Option{executor.MaxWorkers(1)}, exOpts...)...)
	q := queue.New[int](0)
	for i := range n {
		require.NoError(t, q.Put(context.Background(), i))
	}
	submitted := make(chan struct{})
	fn := func(_ context.Context, v int) (int, error) {
		ran++
		if v == 0 && blockSubmit {
			// A Submit blocks on the executor while this job runs: the
			// job makes way for it after this item.
			go func() {
				_, err := ex.Submit(context.Background(), func(context.Context) error { return nil })
				if err != nil {
					panic(err)
				}
				close(submitted)
			}()
			synctest.Wait() // the Submit is blocked: this job has the only worker
		}
		if v == n-1 {
			q.Close()
		}
		if fail(v) {
			return 0, errors.New("boom")
		}
		return v, nil
	}
	items := func(yield func(int) bool) {
		for {
			v, err := q.Get(context.Background())
			if err != nil || !yield(v) { // ErrClosed once the queue is empty
				return
			}
		}
	}
	for _, err := range stream(context.Background(), ex, items, fn, executor.Window(100)) {
		if err != nil {
			errs++
		}
	}
	if blockSubmit {
		<-submitted
	}
	require.NoError(t, g.Close())
	return ran, errs
}

func TestStreamItemsRunWhileTheSourceBlocks(t *testing.T) {
	never := func(int) bool { return false }
	for _, s := range streams {
		t.Run(s.name+"/a job's 64 items are done", func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				ran, errs := crawl(t, 70, nil, s.stream, never, false)
				require.Equal(t, 70, ran)
				require.Zero(t, errs)
			})
		})
		t.Run(s.name+"/a job makes way for a Submit", func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				ran, errs := crawl(t, 10, nil, s.stream, never, true)
				require.Equal(t, 10, ran)
				require.Zero(t, errs)
			})
		})
		t.Run(s.name+"/a job ends with a failure", func(t *testing.T) {
			testkit.Bubble(t, func(t *testing.T) {
				odd := func(v int) bool { return v%2 == 1 }
				ran, errs := crawl(t, 10, []executor.Option{executor.SuppressErrors()}, s.stream, odd, false)
				require.Equal(t, 10, ran)
				require.Equal(t, 5, errs)
			})
		})
	}
}
