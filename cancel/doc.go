// Package cancel provides cancellation tools built only on [context], with
// one guarantee: nothing here outlives the call, task or stop func that
// owns it — shielded work is waited for, every timer is released, and the
// one goroutine (the signal watcher) is joined by its stop func.
//
// The tools are [Shield] and [ShieldValue] for sections that must finish
// even when the caller is cancelled, [OnCancel] and [OnDone] for hook tasks,
// [Timeout] and [TimeoutValue] for named time limits, [Scope] for a deadline
// that moves while work runs, and [NotifyShutdown] for a program's two-step
// shutdown on signals. The package knows nothing of package group; its task
// bodies have the signature group's Go accepts, func(ctx) error.
//
// # Lifecycle
//
// Shield, ShieldValue, Timeout and TimeoutValue are synchronous: they run
// the function in the caller's goroutine and return when it returns; their
// timers are stopped before they return, on panics too. A [Scope] owns a
// timer that is released when its deadline passes or [Scope.Cancel] is
// called. [NotifyShutdown] and [ShutdownOn] own one goroutine each; their
// stop func ends it and waits for it. There are no package-level
// goroutines, pools or timers, so the package works inside
// [testing/synctest] bubbles.
//
// # Errors
//
// Causes are typed so that a context's end says why: [*TimeoutError] names
// the limit that fired, [ErrGraceExceeded] marks a shield's grace period,
// [ErrExpired] a scope's deadline, and [*SignalError] the signal received.
// The deadline causes match [context.DeadlineExceeded] with [errors.Is].
// A [*CanceledError] tells a caller of Timeout or TimeoutValue that it was
// cancelled while the function ran, and carries the function's result.
// Errors are combined with go.uber.org/multierr, so errors.Is and errors.As
// see through the combination; each function documents the order.
//
// # Cancellation
//
// Cancellation is level-triggered and carries a cause. [OnDone] returns
// [context.Cause] when its task is cancelled before what it waits for
// finishes. Shield reports a caller's cancellation after the shielded work,
// with an error matching both ctx.Err() and its cause. A function that
// returns its context's bare Err() under Timeout or a grace period has it
// replaced by the more telling cause.
//
// # Panics
//
// Nothing in this package recovers a panic. Shield and Timeout run the
// function in the caller's goroutine, so its panic reaches the caller
// unchanged with its stack. The task bodies returned by OnCancel and OnDone
// let a panic in their hook reach whoever runs them; package group recovers
// it at the task boundary like any task's panic. Misuse panics with a
// "cancel: " message at the call site: a nil context, function or
// Waitable, a negative grace period or timeout.
//
// # Porting from hat.aio and paco
//
//   - hat.aio uncancellable(f, raise_cancel=True): [Shield] or
//     [ShieldValue]; raise_cancel=False: the [Ignore] option. Trio's
//     move_on_after(d, shield=True): the [Grace] option.
//   - hat.aio call_on_cancel(fn, ...): [OnCancel]; call_on_done(f, fn, ...):
//     [OnDone], with [Chan] to wait for a bare channel.
//   - hat.aio call(fn, ...): nothing is needed. Go has no coloured
//     functions: a plain call fn(ctx, ...) does it, whether fn blocks or not.
//   - hat.aio create_executor: nothing is needed. Blocking work runs in a
//     goroutine of its own; for one that is owned and waited for, start it
//     as a group task (group's Go), or as an executor task to bound how many
//     run at once.
//   - hat.aio run_asyncio(handle_signals=True): [NotifyShutdown]; its event
//     loop is main itself. For one step only, [signal.NotifyContext].
//   - paco timeout(coro, timeout): [Timeout] or [TimeoutValue]; asyncio's
//     and hat.aio's wait_for likewise, with [*CanceledError] for the
//     CancelledError that carries the result.
//   - paco TimeoutLimit(timeout): [context.WithTimeoutCause] with a
//     [*TimeoutError] as cause, or a [Scope] when the deadline must move;
//     TimeoutLimit.cancel: the context's cancel func or [Scope.Cancel].
package cancel
