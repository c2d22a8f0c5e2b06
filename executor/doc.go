// Package executor runs jobs on a bounded number of reused worker
// goroutines inside a [group.Group], with back-pressure: no more than
// MaxWorkers jobs run at once, Submit returns only once its job has a
// worker, and every job is a [group.Task] that ends in exactly one final
// state.
//
//	ex := executor.New(g, executor.MaxWorkers(100))
//	defer ex.Close()
//	for _, url := range urls {
//		if _, err := ex.Submit(ctx, func(ctx context.Context) error { return fetch(ctx, url) }); err != nil {
//			return err // wraps the first job's failure, if that closed the executor
//		}
//	}
//	return ex.Wait()
//
// [Executor.Submit], [Async] and [Exec] block for a worker ([QueueDepth]
// lets them queue some jobs first); [Executor.TrySubmit]
// and [Executor.Enqueue] never block. [Map], [MapUnordered] and
// [MapBatches] stream an iter.Seq through the executor with a bounded
// window. [Executor.Cancel], [Executor.Shutdown] and [Executor.Wait] end
// it; a Submit from a job that would wait for itself returns
// [ErrDeadlock]. Package [github.com/nursery-go/nursery/executor/call]
// shapes how jobs' functions are called (rate limits, throttling, retries,
// delays). The whole contract is in
// https://github.com/nursery-go/nursery/blob/main/docs/executor.md.
package executor
