package executor

import (
	"context"
	"runtime"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/internal/optkit"
)

// An Option configures an [Executor] made by [New], or a stream of [Map],
// [MapUnordered] or [MapBatches]. Each option's doc says which it applies
// to; giving it to another function panics with a message that names both.
type Option interface {
	applyExecutor(fn string, o *options)
}

// options holds an executor's configuration; defaults live in
// defaultOptions.
type options struct {
	name     string
	workers  int
	backlog  int // unbounded when < 0
	queue    int // jobs Submit may queue beyond MaxWorkers; 0: strict
	suppress bool
	timeout  time.Duration // 0: none
	hooks    *Hooks        // nil: no hooks, and no cost
	init     func(context.Context) error

	window int  // Map, MapUnordered, MapBatches; 0: twice MaxWorkers
	inTime bool // Map: a failure fails the executor at once (streamctl.InTime)
}

// defaultOptions: MaxWorkers defaults to GOMAXPROCS, the one number that is
// safe for every job: CPU-bound jobs are never oversubscribed. Limits for
// I/O-bound jobs depend on the resource they use (sockets, files, a remote
// service's quota), so they are left to the caller to choose.
func defaultOptions() options {
	return options{workers: runtime.GOMAXPROCS(0), backlog: -1}
}

// option is an Option of the functions fns, named name in messages.
type option struct {
	name string
	fns  []string
	set  func(*options)
}

func (o option) applyExecutor(fn string, opts *options) {
	optkit.Check("executor", o.name, o.fns, fn)
	o.set(opts)
}

// apply applies opts, given to fn, to o.
func apply(fn string, o *options, opts []Option) {
	for _, opt := range opts {
		if opt == nil {
			panic("executor: nil Option given to " + fn)
		}
		opt.applyExecutor(fn, o)
	}
}

// ofNew makes an option of New.
func ofNew(name string, set func(*options)) Option {
	return option{name, []string{"New"}, set}
}

// Name, an option of [New], names the executor's group; the name appears in errors and pprof
// labels (see [group.Name]).
func Name(name string) Option {
	return ofNew("Name", func(o *options) { o.name = name })
}

// MaxWorkers sets how many jobs may run at once. The default is
// [runtime.GOMAXPROCS](0), which suits CPU-bound jobs; set it for I/O-bound
// jobs. A worker goroutine starts with a job and takes the next waiting
// one when it finishes; it exits when none waits, so an executor with
// nothing to do holds no goroutine.
//
// MaxWorkers panics if n is not positive.
func MaxWorkers(n int) Option {
	if n <= 0 {
		panic("executor: MaxWorkers must be positive")
	}
	return ofNew("MaxWorkers", func(o *options) { o.workers = n })
}

// QueueDepth lets [Executor.Submit] (and [Async], [Exec] and the feeding
// of [Map]) accept up to n jobs beyond the MaxWorkers running ones: they
// wait in the executor's queue, oldest first, and Submit blocks only when
// the queue is full too. Blocked calls are then admitted once the queue has
// drained to half, so that a fast producer is woken once per n/2 jobs
// rather than once per job.
//
// Without it (the default, depth 0) back-pressure is strict: Submit returns
// once its job has a worker, so at most MaxWorkers submitted jobs are
// accepted and unfinished at any time, as with errgroup's SetLimit. A queue
// lets a producer run ahead of the workers, which pays when jobs are tiny
// and the producer's own work between two Submits is comparable to a job;
// see docs/executor.md for measurements.
//
// QueueDepth panics if n is negative.
func QueueDepth(n int) Option {
	if n < 0 {
		panic("executor: QueueDepth must not be negative")
	}
	return ofNew("QueueDepth", func(o *options) { o.queue = n })
}

// Backlog bounds how many jobs [Executor.Enqueue] may leave waiting for a
// worker; beyond it Enqueue returns [ErrFull]. Backlog(0) accepts a job only
// when a worker is free for it. The bound is shared with the queue of
// [Executor.Submit] (see [QueueDepth]): jobs that Submit queued wait in the
// same backlog and count against it (but Submit itself is bounded by
// MaxWorkers and QueueDepth, not by Backlog). Jobs cancelled while they wait do not count. Without this option
// the backlog is unbounded: memory then grows
// with the jobs enqueued ahead of the workers.
//
// Backlog panics if n is negative.
func Backlog(n int) Option {
	if n < 0 {
		panic("executor: Backlog must not be negative")
	}
	return ofNew("Backlog", func(o *options) { o.backlog = n })
}

// SuppressErrors keeps the executor running when a job fails or is cancelled
// through [Executor.Cancel]. A failed job's error is still its
// [group.Task.Err] and goes to the TaskError hook, but [Executor.Wait] does
// not return it. Without this option the executor fails fast. Panics are
// still raised by Wait unless the parent group was made with
// [group.PanicsAsErrors].
func SuppressErrors() Option {
	return ofNew("SuppressErrors", func(o *options) { o.suppress = true })
}

// Timeout bounds the executor's whole life: when d has passed since [New],
// it is cancelled with a cause that wraps [context.DeadlineExceeded], which
// [Executor.Wait] returns.
//
// Timeout panics if d is not positive.
func Timeout(d time.Duration) Option {
	if d <= 0 {
		panic("executor: Timeout must be positive")
	}
	return ofNew("Timeout", func(o *options) { o.timeout = d })
}

// WorkerInit makes every worker goroutine call init once, before it runs
// its first job, with a context that ends when the executor is cancelled:
// to warm a per-goroutine cache, say, or check that a dependency answers.
// A worker exits when no job waits for it (see [MaxWorkers]), so init runs
// again for each new one: with tiny jobs and a producer that seldom
// blocks, about once per job. If init returns an error, the executor fails with it, even with
// [SuppressErrors]: it is cancelled, the jobs that have not started are
// Canceled, and [Executor.Wait] returns the error. A panic in init is a
// panic of the executor, as in a hook.
//
// WorkerInit panics if init is nil.
func WorkerInit(init func(ctx context.Context) error) Option {
	if init == nil {
		panic("executor: WorkerInit with nil function")
	}
	return ofNew("WorkerInit", func(o *options) { o.init = init })
}

// groupOptions translates the executor's options into its group's.
func (o options) groupOptions(ex *Executor) []group.Option {
	gopts := []group.Option{groupctl.Describe("executor", ex.info).(group.Option)}
	if o.name != "" {
		gopts = append(gopts, group.Name(o.name))
	}
	if o.suppress {
		gopts = append(gopts, group.OnError(func(error) {}))
	}
	if o.timeout > 0 {
		gopts = append(gopts, group.Timeout(o.timeout))
	}
	return gopts
}
