// Package group runs goroutines as tasks of a nursery, a [Group], that owns
// them: a group is Closed only after every task and subgroup started in it
// has returned, and every task's outcome, error and panic is accounted for.
//
//	var g group.Group
//	defer g.Close()
//	g.Go(func(ctx context.Context) error { return serve(ctx) })
//	g.Go(func(ctx context.Context) error { return poll(ctx) })
//	return g.Wait()
//
// A group is [Open], then [Closing], then [Closed]. By default it fails
// fast: the first error cancels the other tasks' contexts, as
// errgroup.WithContext does; [OnError] hands errors to a handler instead.
// Each failure is a [*TaskError] naming the task.
// A task that returns after its context was cancelled is [Canceled], not
// failed, and every cancellation outcome matches [context.Canceled] with
// its cause. A panic in a task is recovered, reported at once, cancels the
// group and is raised again by [Group.Wait] after the other tasks are
// joined (or returned as a [*PanicError] with [PanicsAsErrors]).
// [Group.Shutdown] closes gracefully within a deadline and names the tasks
// that did not stop ([ShutdownError]).
//
// Groups nest ([Group.Subgroup]); [Async] returns a typed [Future];
// [Group.Snapshot] and [Observe] show what runs; [Trace] puts the tree in
// execution traces, and [StuckTrace] keeps the last seconds of one when a
// Shutdown gives up. The whole contract
// (lifecycle, errors, cancellation, panics, waiting from a task, costs) is
// in https://github.com/nursery-go/nursery/blob/main/docs/group.md.
package group
