// Package cancel provides cancellation tools built only on [context], with
// one guarantee: nothing here outlives the call, task or stop func that
// owns it — shielded work is waited for, every timer is released, and the
// one goroutine (the signal watcher) is joined by its stop func.
//
//	err := cancel.Shield(ctx, func(ctx context.Context) error {
//		return tx.Commit(ctx) // finishes even if ctx is cancelled meanwhile
//	})
//
// [Shield] and [ShieldValue] run sections that must finish; [OnCancel] and
// [OnDone] make hook tasks; [Timeout] and [TimeoutValue] apply named time
// limits; a [Scope] is a deadline that moves while work runs;
// [NotifyShutdown] and [ShutdownOn] give a program's two-step shutdown on
// signals. The whole contract is in https://github.com/nursery-go/nursery/blob/main/docs/cancel.md.
package cancel
