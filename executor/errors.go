package executor

import (
	"errors"
	"fmt"

	"github.com/nursery-go/nursery/group"
)

// ErrClosed is returned by [Executor.Submit], [Executor.Enqueue], [Async]
// and [Exec] when the executor no longer accepts work: it was closed, is
// shutting down or waiting with nothing left to run, failed fast, or its
// parent closed it. It is [group.ErrClosed], so errors.Is matches either
// name. When a failure or a cancellation closed the executor, the error
// returned wraps both ErrClosed and that cause (see [Executor.Submit]).
var ErrClosed = group.ErrClosed

// errCancel is the cause with which [Executor.Cancel] closes a fail-fast
// executor; it matches group.ErrCanceled and so context.Canceled.
var errCancel = fmt.Errorf("executor: closed by Cancel: %w", group.ErrCanceled)

// closedErr returns the refusal of an executor that no longer accepts
// work: ErrClosed, joined with the cause when a failure or a cancellation
// closed it, so that a caller that returns Submit's error does not lose
// the failure (group's refusals are made the same way).
func (ex *Executor) closedErr() error {
	cause := ex.g.Cause()
	if cause == nil || errors.Is(cause, ErrClosed) {
		return ErrClosed
	}
	return fmt.Errorf("%w: %w", ErrClosed, cause)
}

// ErrFull is returned by [Executor.Enqueue] when every worker is busy and
// the backlog bounded by [Backlog] is full.
var ErrFull = errors.New("executor: backlog full")

// ErrDeadlock is returned by [Executor.Submit], [Async] and [Exec] when they
// are called from a job of the same executor and would wait forever: every
// job that holds a worker is itself blocked submitting into the executor, so
// no worker can ever come free. See "Submitting from a job" in
// https://github.com/nursery-go/nursery/blob/main/docs/executor.md.
var ErrDeadlock = errors.New("executor: submit from a job would deadlock: every worker runs a job blocked in Submit")

// errObserverExited is what a blocked Submit panics with when the group's
// observer called runtime.Goexit while a worker made the Submit's job.
var errObserverExited = errors.New("executor: the group's observer called runtime.Goexit while a worker made a Submit's job")

// errTurn is acquire's answer when the stream it feeds has a failed item
// waiting for its turn to be yielded (see turns): the feeder must yield
// before it may block for a worker.
var errTurn = errors.New("executor: a failed item waits for its turn")

// errBusy is acquire's answer, without blocking, when no worker is free.
var errBusy = errors.New("executor: busy")
