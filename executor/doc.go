// Package executor runs jobs on a bounded number of reused worker
// goroutines inside a [group.Group], with back-pressure: no more than
// MaxWorkers jobs run at once, Submit blocks while they do, and every job is
// a [group.Task] that ends in exactly one final state.
//
// An [Executor] is coroexecutor's CoroutineExecutor and asyncio-pool's
// AioPool made Go. It lives in a parent group and owns a subgroup, so
// closing the parent closes it and nothing it started outlives it:
//
//	ex := executor.New(g, executor.MaxWorkers(100))
//	defer ex.Close()
//	for _, url := range urls {
//		if _, err := ex.Submit(ctx, func(ctx context.Context) error { return fetch(ctx, url) }); err != nil {
//			return err
//		}
//	}
//	return ex.Wait()
//
// Jobs enter in three ways. [Executor.Submit] (and the typed [Async] and
// [Exec]) blocks while every worker is busy and MaxWorkers more jobs wait in
// the executor's queue: memory stays O(MaxWorkers) however many jobs pass. [Executor.TrySubmit] never blocks. [Executor.Enqueue]
// never blocks either and leaves the job in a backlog (asyncio-pool's
// spawn_n), bounded only when [Backlog] says so. [Map], [MapUnordered],
// and [MapBatches] stream an iter.Seq through the executor with a bounded
// window; flow.Collect gathers a stream into a slice.
//
// # Lifecycle
//
// The executor is its group's lifecycle: open, then closing, then closed
// ([Executor.Group] gives its State, Closing and Done). [Executor.Wait]
// waits until nothing runs, waits or blocks, then the executor is closed;
// jobs may submit more jobs while it waits. [Executor.Close] cancels
// everything and waits; [Executor.Shutdown] refuses new work and lets
// running and backlogged jobs finish. A closing executor refuses work with
// [ErrClosed], and blocked Submit calls return ErrClosed.
//
// Worker goroutines are tasks of a subgroup of the executor's group. They
// start on demand, at most MaxWorkers, run one job after another with
// [group.Task.Run], and exit after [IdleTimeout] without work, when Wait
// finds nothing left to do, or when the executor closes. There are no
// package-level goroutines, pools or timers, so an executor works inside a
// testing/synctest bubble.
//
// # Errors
//
// By default an executor fails fast (coroexecutor): the first job that
// fails cancels every running and waiting job and closes the executor, and
// Wait returns the failure. A job that returns its context's error after it
// was cancelled has not failed; a job that catches its cancellation and
// returns nil has succeeded. With [SuppressErrors] failures stay with their
// tasks ([group.Task.Err], the TaskError hook) and the executor runs on.
// Wait returns the group's combined errors (see [group.Group.Wait]), and
// reports a cancellation that ended the work from outside (the parent, its
// context, [Executor.Cancel] under fail-fast) with its cause; a clean
// finish and the executor's own Close return nil. Once a failure or a
// cancellation has closed the executor, every refusal (Submit, Enqueue,
// Async, Exec, a refused task's Err) wraps both [ErrClosed] and that cause,
// so the loop above returns the failure itself.
//
// # Cancellation
//
// A job's context is its task's: cancelled by [group.Task.Cancel], by
// [Executor.Cancel] and when the executor closes. [Executor.Cancel] cancels
// chosen jobs, or all, waits for them, and counts those it reached before
// they finished (asyncio-pool's count). Every cancelled job's error matches
// [context.Canceled] and keeps its cause, whether the job was cancelled
// while it waited or while it ran. Under fail-fast it also closes the executor (unless it was
// given only jobs that had finished): that is what
// coroexecutor means by "a job is cancelled" — cancellation through the
// executor, as opposed to a direct [group.Task.Cancel] of one job, which
// never affects the others. A job still in the backlog when it is
// cancelled, or when the executor closes, never starts.
//
// # Panics
//
// A panicking job is handled as in package group: recovered into a
// [*group.PanicError], reported to the panic hook at once, a failure that
// closes a fail-fast executor, and raised again by Wait (the executor
// inherits its parent's [group.PanicsAsErrors] and [group.OnPanic]). The
// worker survives and takes the next job. A job that calls runtime.Goexit
// has failed; its worker exits and is replaced. Functions in this package
// panic with "executor: ..." on a nil function, executor or option, and on
// limits that are not positive. Every function and method that takes a
// context panics at the call if it is nil, before it takes a lock or
// returns an iterator ("executor: Map with nil context").
//
// # Submitting from a job
//
// Jobs may submit to their own executor (nested producers). A job that
// blocks in Submit (every worker busy, the queue full) holds its worker
// while it waits, so when every worker runs such a job, none can ever come
// free: Submit, Async and Exec detect
// that, when given the job's context (or one derived from it), and return
// [ErrDeadlock] instead of hanging. Only a job that holds a worker counts: a
// task started with ex.Group().Go, or a finished job's context, just waits.
// A goroutine that a job starts cannot be told apart from the job: given
// the job's context, its Submit counts as the job's, and may get
// ErrDeadlock although the job goes on and would free its worker; give such
// goroutines a context of their own. Other waits of a job on work queued
// behind it (a Future's Result, say) are not detected: use
// [Executor.Enqueue] or [Executor.TrySubmit] in producers, or a larger
// MaxWorkers.
//
// # Call control
//
// [RateLimiter] lets at most n calls start per period with a minimum
// spacing, first come first served (aioextensions' rate_limited);
// [Throttle] shares the result of a frame's real calls ([PerFrame] of them)
// with the frame's other calls, or refuses them ([FailThrottled]) (paco's
// throttle); [Defer] and [Interval] make task bodies that start late or run
// periodically, [Runs] times at most (paco's defer and interval); [Retry] retries
// with exponential backoff and full jitter until [Permanent] or the last
// attempt.
//
// The rest of paco's and aioextensions' belt — Map, Filter, Reduce, Every,
// Race, Gather and the others over iterators, each with its own limit — is
// in the subpackage [github.com/nursery-go/nursery/executor/flow], whose
// documentation maps every paco and aioextensions name to its Go form.
//
// # Observing
//
// [Executor.Stats] counts jobs at any time. In a [group.Group.Snapshot]
// (and so in package observe's handler) an executor's group appears with
// kind "executor" and its max_workers, workers, waiting, blocked and
// submitted counts, and its jobs as tasks. An executor reports to the
// [group.Observer] of its parent group (inherited like any subgroup's): its
// jobs' starts and ends as task events, and each Submit, Async or Exec that
// blocked for room as a [group.SubmitBlocked] event with how long it waited.
// [Hooks] remain for paco-style per-executor callbacks.
//
// # Names
//
// Submit is asyncio-pool's spawn and coroexecutor's submit, with a queue as
// deep as the worker count between producer and workers. coroexecutor's
// submit waits for a free worker; an earlier version of this package did
// too, and with tiny jobs it spent most of each job's cost parking and
// waking the producer and a worker, which the queue avoids. Enqueue is
// spawn_n, named for what it does with the job, and EnqueueAsync spawn_n
// with a typed result; Exec is exec; Then (for jobs) and ThenEach (for
// Map's functions) are the completion callback. Map is coroexecutor's map and aioextensions'
// resolve, MapUnordered asyncio-pool's itermap, and MapBatches its itermap
// with flat=False and a timeout. Hooks are paco's events.
package executor
