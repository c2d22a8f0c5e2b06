// Package errgroup is a drop-in replacement for golang.org/x/sync/errgroup
// (as of x/sync v0.22.0): the same API with the same behaviour, built on
// [group.Group], so that every goroutine it starts is a task of a nursery and
// carries its pprof labels.
//
// Changing the import path is the whole migration:
//
//	import "github.com/nursery-go/nursery/group/errgroup"
//
//	g, ctx := errgroup.WithContext(ctx)
//	g.SetLimit(8)
//	for _, url := range urls {
//		g.Go(func() error { return fetch(ctx, url) })
//	}
//	err := g.Wait()
//
// # Behaviour kept from x/sync
//
// The zero [Group] is usable, has no limit and cancels nothing. [Group.Go]
// runs a function in a new goroutine; [Group.Wait] blocks until every function
// started has returned (functions may call Go while Wait waits) and returns
// the first non-nil error, in the order the functions returned, not started.
// An error cancels no other function by itself. [WithContext] also returns a
// Context derived from its argument and cancelled, through
// [context.WithCancelCause], by the first error (which becomes its
// [context.Cause]) or else when Wait first returns (cause
// [context.Canceled]); cancelling the parent stops nothing and is not
// reported by Wait. [Group.SetLimit] bounds the active goroutines: Go blocks
// until one can start, [Group.TryGo] reports false instead; a negative limit
// means none, a limit of zero lets nothing start; setting a limit while
// goroutines of a limited Group are active panics with the same error
// message. A Group is reusable after Wait: new functions run and are waited
// for, the first error stays and is returned by every later Wait, and the
// Context of WithContext stays cancelled. A function that calls
// [runtime.Goexit] counts as having returned nil and frees its slot.
// Everything a function does happens before Wait returns.
//
// TestDropinMatchesErrgroup in tests/bench runs random scripts of Go, TryGo,
// SetLimit, Wait and failing functions against both packages and requires
// the same results.
//
// # Panics
//
// The policy is x/sync's: a panic in a function crashes the program at
// once, from the goroutine that panicked, with the panicking frames in its
// trace, and exit status 2. It is never held back for Wait, and never
// turned into an error. (x/sync re-raised panics in Wait for a while in
// 2025 and went back on it, because a panic delivered only at a late Wait,
// or never if Wait is not reached, hides the bug.)
//
// The panic goes through the group package's machinery on the way: the
// task recovers it into a [*group.PanicError] and its panic hook raises the
// value again before the recovering call returns, so the program still
// dies in that goroutine. [Group.SetPanicHook] lets a program see that
// PanicError (task path, value, stack) just before the crash, to flush
// logs or report it; without a hook nothing is printed before the crash.
//
// [WithContext] panics if ctx is nil, as x/sync's does (there the panic
// comes from package context).
//
// # Where behaviour differs
//
//   - The crash report starts "panic: V [recovered, repanicked]" instead of
//     "panic: V", the trace shows the group package's recovery frames above
//     the panicking ones, and its goroutine was "created by" the group
//     package rather than by errgroup.(*Group).Go.
//   - Under GODEBUG=panicnil=1 (not the default since Go 1.21), panic(nil)
//     cannot be told from runtime.Goexit once recovered: the function
//     counts as having returned nil instead of crashing the program.
//   - Goroutines carry the pprof labels of their group ([group.LabelGroup],
//     set by [Group.SetName], and the labels of WithContext's ctx) instead
//     of inheriting those of the goroutine that called Go.
//   - Wait called from one of the Group's own functions returns
//     [group.ErrWaitInTask] after about a second, where x/sync deadlocks.
//     A Wait that runs in a task of any nursery group and lasts over a
//     second costs one goroutine profile to check for that (see the group
//     package, "Waiting from a task").
//
// The other differences are in cases where x/sync has a data race or
// leaves the outcome undefined, and this package defines one:
//
//   - SetLimit with n >= 0 panics whenever any goroutine of the Group is
//     active, not only when a limit is already in force.
//   - A Go blocked on a limit that SetLimit then replaces (a limit of
//     zero, or SetLimit(-1)) tries again under the new limit; with x/sync
//     it waits on the old one for good.
//   - A Go that races with the end of a Wait runs its function in the next
//     round, which the next Wait waits for.
//
// # Design
//
// Each round of work between two Waits runs in its own supervised
// [group.Group] (its generation): supervised, so that an error neither
// cancels the other functions nor closes the group to later Go calls; one per
// round, because a group.Group is Closed for good once waited for, while an
// errgroup is reusable. The first error is recorded by the function's own
// goroutine before its slot is released and before its task finishes, so
// Wait and SetLimit see it. The limit is a buffered channel of tokens, as
// in x/sync.
//
// # Cost
//
// Go and the Wait for it cost about 1.5 times x/sync's errgroup per tiny
// function (622 ns against 404 ns on a 2-vCPU machine), about 1.75 times
// with SetLimit(8) (1.21 µs against 0.69 µs, where Go waits for a slot
// every time), and 2 allocations more (4 against 2; 226 B against 40 B): the
// group's Task and goroutine closure and the function's wrapper. Each
// round also makes one group.Group, about 3 KB in some 20 allocations,
// which the benchmark's batches of 1000 functions spread thin but a Group
// that runs two or three functions pays in full. Measured with tests/bench's
// run.sh (8 interleaved passes; BenchmarkDropin in its RESULTS.md); alone:
//
//	go test -run='^$' -bench=Dropin -count=6 . | tee dropin.txt
//	benchstat -col /impl dropin.txt
package errgroup
