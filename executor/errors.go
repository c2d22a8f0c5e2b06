package executor

import (
	"errors"

	"github.com/nursery-go/nursery/group"
)

// ErrClosed is returned by [Executor.Submit], [Executor.Enqueue], [Async]
// and [Exec] when the executor no longer accepts work: it was closed, is
// shutting down or waiting with nothing left to run, failed fast, or its
// parent closed it. It is [group.ErrClosed], so errors.Is matches either
// name.
var ErrClosed = group.ErrClosed

// ErrFull is returned by [Executor.Enqueue] when every worker is busy and
// the backlog bounded by [Backlog] is full.
var ErrFull = errors.New("executor: backlog full")

// ErrDeadlock is returned by [Executor.Submit], [Async] and [Exec] when they
// are called from a job of the same executor and would wait forever: every
// job that holds a worker is itself blocked submitting into the executor, so
// no worker can ever come free. See "Submitting from a job" in the package
// documentation.
var ErrDeadlock = errors.New("executor: submit from a job would deadlock: every worker runs a job blocked in Submit")

// errBusy is acquire's answer, without blocking, when no worker is free.
var errBusy = errors.New("executor: busy")

// errStopped is acquire's answer when its stop channel fired first.
var errStopped = errors.New("executor: stopped waiting")
