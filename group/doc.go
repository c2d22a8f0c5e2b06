// Package group runs goroutines as tasks of a nursery, a [Group], that owns
// them: a group is Closed only after every task and subgroup started in it
// has returned, and every task's outcome, error and panic is accounted for.
//
// A Group is what x/sync/errgroup, sourcegraph/conc and Trio's nurseries are
// to their users, with hat.aio's lifecycle: tasks get a context cancelled
// when the group closes, groups nest, a task ends in exactly one final state,
// and closing is bounded and explains itself.
//
//	var g group.Group
//	defer g.Close()
//	g.Go(func(ctx context.Context) error { return serve(ctx) })
//
// # Lifecycle
//
// A group is [Open], then [Closing], then [Closed], and never goes back.
// [Group.Closing] and [Group.Done] are channels closed at the two
// transitions. An open group accepts tasks ([Group.Go], [Async],
// [Group.Start]) and subgroups ([Group.Subgroup]); a group that is not open
// refuses them: the returned task is already [Refused] with [ErrClosed].
//
// A group starts closing when [Group.Cancel] or [Group.Close] is called, when
// a task fails (fail-fast groups), when its parent closes, or when its context
// is cancelled from outside. [Group.Shutdown] starts closing without
// cancelling and cancels only when its own context ends. [Group.Wait] does not
// start closing: it waits until nothing runs, then the group is Closed.
//
// A parent group closes its subgroups first and is Closed only after all of
// them are.
//
// # Errors
//
// By default a group fails fast: the first task error cancels the group with
// that error as the context's cause, like errgroup.WithContext. With
// [OnError], errors go to a handler and the group stays open (hat.aio's
// exception_cb).
//
// A task that returns its context's error (or cause) after its context was
// cancelled has not failed: it is [Canceled]. Cancellation from outside (the
// parent context, a deadline, [Timeout], and for a subgroup its parent
// group) is nonetheless reported by Wait, so it never turns into success;
// a group's own Cancel or Close is not reported, and neither is a
// subgroup's cancellation passed on to its parent as a failure.
//
// Every cancellation outcome, whenever it happened, matches
// [context.Canceled] (or [context.DeadlineExceeded] for a deadline) and
// its cause with errors.Is: a cancelled task's [Task.Err], whether it was
// cancelled before it ran ([ErrCanceled] joined with the group's cause) or
// while it ran, and what Wait reports. A refusal of a group that a failure
// or a cancellation closed wraps both [ErrClosed] and that cause, so that
// returning it does not hide the failure.
//
// Wait, Close and Shutdown return every failure combined with
// go.uber.org/multierr, first failure first; errors.Is and errors.As see each
// of them. An error from a named task names the task. A failed subgroup's
// combined error is one failure of its parent.
//
// # Cancellation
//
// Each task gets its own context, with the values and deadline of the
// group's [Group.Context]: it is cancelled by [Task.Cancel] (cause
// [ErrCanceled]), when the group is cancelled ([context.Cause] gives the
// group's cause), and when the task returns. Tasks receive the group's
// context, not the caller's: a task outlives the function that started it,
// never its group. The task's context is made without allocating; it
// behaves as one made by [context.WithCancelCause], and contexts derived
// from it register with the task instead of starting a goroutine each.
//
// # Panics
//
// A panic in a task is recovered at the task boundary into a [*PanicError]
// holding the value, the stack and the task's path. It is reported at once
// to the group's panic hook (by default the standard logger; see [OnPanic]),
// because a panic seen only at a late Wait hides bugs. It is a failure: the
// group is cancelled and its other tasks are joined. Then the first Wait,
// Close or Shutdown to return raises it again in its own goroutine. Its
// message is one line (task and value): the hook printed the original stack
// when the panic was recovered, and the stack stays in PanicError.Stack and
// in %+v. A panic is raised once in a whole tree of
// groups, and later calls (on the group or its parents) return it as an
// error. With [PanicsAsErrors] it is instead an
// ordinary error under the group's error policy (for servers and
// supervisors). panic(nil) is a panic. A task that calls [runtime.Goexit]
// (t.FailNow in a test) has [Failed] with [ErrGoexit].
//
// Every function and method that takes a context panics if it is nil, at
// the call ("group: Group.Shutdown with nil context"), as the standard
// library does.
//
// # Waiting from a task
//
// A task may call Cancel on its own group at any time. Wait, Close and
// Shutdown called from a task of the same group (or of one of its
// subgroups) could never return, because the group waits for the caller.
// When such a call has blocked for a second, it checks, with a goroutine
// profile, whether its caller is one of the group's tasks, and if so returns
// [ErrWaitInTask] instead of hanging (Close has cancelled the group by
// then). Waiting for a subgroup that the task made, or for an unrelated
// group, is fine: it costs one such check if it lasts over a second. The
// profile stops the world for a time that grows with the number of
// goroutines; only one check runs at a time in a process, and waits that
// find one running retry later with a growing delay. The check reads the
// pprof labels that every task goroutine carries, so a task that replaces
// its goroutine's labels with ones not derived from its context disables
// it.
//
// # Held tasks
//
// With the [Hold] option, Go and [Async] admit a task without starting it:
// it is [Pending], counts as running, and starts when [Task.Start] starts it
// in a goroutine of its own or [Task.Run] runs it in the calling goroutine.
// Executors use this to hand out tasks for work still in their backlog and
// to run many tasks on a few worker goroutines. A held task that is
// cancelled, or whose group is cancelled, ends [Canceled] without running.
//
// # Observability
//
// Every task goroutine runs with the pprof labels [LabelGroup] (the group's
// path) and, for named tasks, [LabelTask], so goroutine profiles group
// goroutines by nursery. [Group.Stats] counts tasks by state at any time;
// the counts add up (spawned = running + succeeded + failed + canceled +
// refused) whenever they are read.
//
// [Group.Snapshot] describes the live tree at one moment — subgroups,
// executors with their counts ([Describe]), every pending and running task
// with its id, name, age and the function it runs and where that is
// defined — as a value that encodes to JSON with stable names or renders as
// a tree like pstree ([Snapshot.WriteText]). Package observe serves it over
// HTTP beside net/http/pprof. Reading where a task's function is costs
// nothing when the task starts: the function value is kept anyway, and is
// looked up only when a snapshot is taken.
//
// An [Observer] set with [Observe] hears of every task's start and end
// (succeeded, failed, panicked, canceled, refused), and of events that
// packages built on Group report with [Group.Emit]: supervised restarts,
// blocked submitters. Subgroups inherit it. A group without one pays a nil
// check per event: BenchmarkObserver compares an unset observer, a no-op
// one, and (with BenchmarkGo on an earlier commit) the code before
// observers existed.
//
// # Names
//
// Go, Wait and Close keep errgroup's and io.Closer's names. The typed
// variant is the function [Async], not a method, because methods cannot
// have type parameters. Cancel is hat.aio's close and Close is its
// async_close, renamed so that Close is io.Closer and never leaves work
// running.
package group
