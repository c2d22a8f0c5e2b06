// Package flow is a belt of concurrent functions over sequences and
// functions, carried to Go from paco and aioextensions: Map, Filter, Reduce,
// Every, Race, Gather and the rest, each with a context and a concurrency
// limit (0: no limit, as paco).
//
// Each function runs its calls in a private [group.Group], made when it
// starts and Closed before it returns: with a limit, on that many worker
// tasks that take values one after another (the machinery of an
// [executor.Executor]'s workers, without a task per value); with no limit,
// or one above 4096, as jobs of a private executor.Executor; and functions
// that run a known number of calls with no binding limit (Gather, GatherAll,
// Repeat, Race) as one task each. All behave as the executor does: a call's
// context is cancelled when the function no longer needs its result;
// nothing it started outlives it; a panic in a call is recovered, the other
// calls are cancelled and joined, and the panic is raised again in the
// caller's goroutine (see package group, "Panics").
//
// # Sequences and pipelines
//
// The stages — [Map], [MapAll], [FlatMap], [Filter], [FilterFalse],
// [DropWhile] — take a [Seq] and return one. A Seq is an iter.Seq2[T,
// error]: values, and at most one error, last. [Slice] and [Values] make
// one from a slice or an iter.Seq; [Collect], [Reduce], [Each], [Every],
// [Some] and [First] consume one. Stages compose by nesting, and read top
// to bottom as paco's pipes:
//
//	sum, err := flow.Reduce(ctx,
//		flow.Map(ctx, flow.Filter(ctx, flow.Slice(nums), keep, 4), double, 4),
//		add, 0)
//
// A stage runs when its Seq is ranged over, in the ranging goroutine, and
// all stages of a pipeline run at once: each reads the one before it as its
// calls finish, with at most 2×limit values in flight, so memory stays
// bounded however long the input is (with no limit a stage reads as fast as
// its input yields). Values come out in the order they went in.
//
// A stage reads its input in the ranging goroutine, between handing out
// results: while it waits for its next input value, results that are ready
// wait too. So an input must never wait for the stage's own output — a work
// queue fed by the loop that consumes the stage (a crawler adding the links
// it finds) deadlocks. For such feedback, submit jobs to an
// executor.Executor from the jobs themselves, or range a queue in a task of
// your own.
//
// # Taking values
//
// Taking a value from a Seq may consume it (from a queue, a socket), so
// the rule for every function of the package, and for any consumer of an
// iterator, is: take a value only when there is room and a use for it,
// and none once stopped. A function with a limit n holds at most 2n
// values taken and not yet handed on ([First]: n); with no limit, all its
// input may be taken. Once it stops — its range is left, a failure ends
// it, or [Every], [Some] or First has its answer — it takes no more, and
// the values it holds are dropped, with one its input was producing when
// a call decided. First with limit 1 takes exactly the values up to its
// match, as a sequential loop does; on a queue.Queue, the queue's own
// First does the same.
//
// # Failures
//
// A stage's failure is its last pair: the error of a call, the error of its
// input, or context.Cause(ctx) when ctx ends. A failure counts at its place
// in the input, as in a sequential loop: the values before it come out
// first, the calls after it are cancelled and joined, and the failure ends
// every stage after it. Leaving a range early (break, return) cancels and
// joins everything the stages started.
//
// Functions whose answer does not depend on order — [Each], [Every], [Some],
// [Gather], [Repeat] — stop at the first failure in time instead, and
// cancel every other call at once. Every and Some stop in the same way at
// the first verdict that decides their answer. [MapAll] and [GatherAll]
// keep every call's error as its result and stop at none (asyncio's and
// paco's return_exceptions): only its input failing or ctx ending ends
// MapAll.
//
// # Combinators
//
// [Race] returns the first success and cancels the others. [Gather] and
// [GatherAll] run functions with a limit and keep their order. [Wait]
// waits for tasks already running until a [ReturnWhen] rule holds and
// splits them into done and pending (asyncio.wait). [Series], [Until] and
// [Whilst] run one call after another in the caller's goroutine; [Repeat]
// runs one function n times with a limit; [Times] makes a function that
// runs at most n times.
//
// Bad input — a nil context, function or sequence, a negative limit or
// count — panics at the call with a message that starts "flow: ". An empty input is
// not bad input: Map of nothing yields nothing, Every of nothing is true,
// Race of nothing returns [ErrNoFunctions].
//
// # Costs
//
// Measured with go test -bench=. -count=6 ./executor/flow on a 2-vCPU
// machine shared with other work (medians): a Map stage with a limit costs
// about 300 ns per value and no allocation (BenchmarkMapPerValue, limits 1
// and 8); with no limit, where each value is an executor job, about 3 µs
// and 3 allocations (380 B). The fixed cost of a call is about 4.4 µs, 3
// KiB and 23 allocations for a Gather of one function (its group), and about
// 8 µs, 4.6 KiB and 47 allocations when a limit binds (its group and worker
// pool). So the package is for calls that do real work — I/O, parsing,
// anything of microseconds — and for tiny bodies a plain loop is faster.
// Map and Filter over 1,000,000 values are compared with a hand-written
// worker pool and conc's iter.Mapper in tests/bench (BenchmarkFlow; see
// RESULTS.md there).
//
// # From paco and aioextensions
//
// Every function of paco and aioextensions has a Go form: a function of
// this package, of package executor or cancel, or plain Go where Go already
// does the job.
//
//	paco / aioextensions             Go
//	--------------------             --
//	paco.map                         Map (a Seq), Collect(Map(...)) for a slice
//	paco.each                        Each
//	paco.flat_map                    FlatMap
//	paco.filter, filterfalse         Filter, FilterFalse
//	paco.reduce (right=True)         Reduce, ReduceRight
//	paco.dropwhile                   DropWhile
//	paco.every, some                 Every, Some
//	hat.aio first                    First (on a queue: queue.Queue.First)
//	paco.race                        Race
//	paco.gather (return_exceptions)  Gather, GatherAll; MapAll on a Seq
//	paco.wait                        start with executor.Async, then Wait
//	paco.series                      Series
//	paco.repeat                      Repeat (i counts from 0)
//	paco.times (raise_exception)     Times (FailExhausted; return_value:
//	                                 substitute on ErrExhausted)
//	paco.until, whilst               Until, Whilst
//	paco.throttle (limit, raise)     executor.Throttle (PerFrame(n),
//	                                 FailThrottled; for calls that wait
//	                                 rather than share a result,
//	                                 executor.RateLimiter)
//	paco.defer                       executor.Defer
//	paco.interval (times)            executor.Interval (Runs(n))
//	paco.timeout, TimeoutLimit       cancel.Timeout, context.WithTimeout
//	paco.once                        Times(1, fn), or sync.OnceValues
//	paco.constant, identity          a closure: func(context.Context) (T, error) { return v, nil }
//	paco.partial, curry, apply       a closure over the bound arguments
//	paco.compose                     a closure calling each function in turn
//	paco.thunk, wraps                a closure; any Go function can be a job
//	paco.run                         a plain call: Go functions block
//	paco.ConcurrentExecutor          executor.Executor (Hooks for its events)
//	aioextensions.collect            Gather, or Collect(executor.Map(…))
//	aioextensions.resolve            executor.Map (Window for worker_greediness),
//	                                 MapAll for every value's own error
//	aioextensions.rate_limited       executor.RateLimiter
//	aioextensions.schedule           group.Async (a Future)
//	aioextensions.in_thread          group.Async: goroutines are Go's threads
//	aioextensions.in_process         os/exec, in a group task
//	aioextensions.generate_in_thread a goroutine feeding a queue.Queue, or iter.Pull
//	aioextensions.force_loop_cycle   runtime.Gosched
//	aioextensions.run, run_decorator a plain call
//	aioextensions.Semaphore          a buffered channel, or executor.MaxWorkers
//	aioextensions.BoundedSemaphore   the same (Go's have no unbounded release)
//	aioextensions.ExecutorPool       executor.Executor
package flow
