// Package resource manages the lifecycles of servers and background jobs
// built on package group: every resource, server and supervised job is
// owned by a group, closes in a defined order within a time limit, and has
// stopped — nothing it started still running — by the time its owner is
// Closed.
//
// A [Resource] is anything with a group lifecycle; a *[group.Group] is one.
// A [Stack] is a group with close hooks, run in reverse order of
// registration when the group starts closing. [Open] opens a resource into
// a parent Stack, so that it closes with the parent, after what was opened
// after it. [Serve] serves an [net/http.Server] as a task and shuts it down
// gracefully. [Supervise] runs background jobs that restart
// when they fail. [Run] is a program's main: a root group, signals, a
// graceful shutdown with a deadline, and an exit code.
//
//	func main() {
//		os.Exit(resource.Run(context.Background(), func(ctx context.Context, s *resource.Stack) error {
//			db, err := resource.Open(ctx, s, "db", openDB)
//			if err != nil {
//				return err
//			}
//			if _, err := resource.Open(ctx, s, "http", serveHTTP(db)); err != nil {
//				return err
//			}
//			resource.Supervise(s.Group, "vacuum", executor.Interval(time.Hour, db.Vacuum))
//			<-ctx.Done() // the first Ctrl-C
//			return nil
//		}))
//	}
//
// # From hat.aio
//
// hat.aio's Resource is an abstract class whose is_open, is_closing,
// is_closed, wait_closing, wait_closed, close and async_close delegate to
// its async_group. In Go the delegation is embedding: a struct that embeds
// a *group.Group (or a *Stack) has State, Closing, Done, Cancel and Close
// promoted from it, and so is a Resource with no code. The usual hat.aio
// constructor spawns call_on_cancel(self._on_close) in its group; here
// that is [Stack.OnClose], with an order among hooks and a time limit on
// each. [Open] is what a hat.aio constructor does when it creates its group
// as a subgroup of a parent's, with cleanup when construction fails.
//
// # Lifecycle
//
// A resource is Open, then Closing, then Closed, as its group. A Stack's
// entries (close hooks and owned resources) run when its group leaves
// Open, one at a time, newest first, each for at most [CloseTimeout]; one
// that overruns does not hold up the others but stays a task of the group,
// which is Closed only once it returns. Servers ([Serve]), supervisors
// ([Supervise], with [executor.Interval] for periodic ones) and delayed starts ([After]) watch their group's
// Closing channel, not only their context, so a graceful
// [group.Group.Shutdown], which cancels nothing until its deadline, stops
// them at once. Tasks of a resource that should stop when it closes do
// the same, or are stopped by one of its close hooks.
//
// A Stack's entries wait for the group to close, so a group with a Stack
// does not become idle by itself: [group.Group.Wait] on it returns only
// after Cancel, Close or Shutdown (as with [cancel.OnCancel]).
//
// # Shutdown
//
// Nothing a program accepted is dropped on the way out, and nothing is cut
// off silently. Under [Run], a shutdown goes:
//
//	signal ─▶ intake stops ─▶ resources drain, newest first ─▶ done (exit 0)
//	   │         (root group leaves Open;  each within its budget;
//	   │          main's ctx ends)          then its leftovers are cancelled
//	   │                                    and named: exit 3
//	   ├─ ShutdownTimeout (default 10s) caps it all: at the deadline the
//	   │  resource closing then is cut off, older ones close at once
//	   └─ a second signal: the same, now (exit 128+signal)
//
// Each resource opened with [Open] has its turn, in reverse order of
// opening: it stops taking new work (its group leaves Open without
// cancelling anything: servers stop accepting, executors and queues
// refuse new work), its close hooks run at once while its tasks finish
// what they accepted with their contexts intact (a producer's hook can
// close a queue its consumers then drain), and the next turn starts when
// it is Closed. Three limits apply:
//
//   - [CloseTimeout] (default 5s): each close hook's time, and the least
//     budget of a resource. Set it on [Open], [NewStack] or [Run].
//   - A drain: [DrainTimeout] of [Serve] (default 5s) or of [NewQueue]; a
//     resource's budget is the longest of its CloseTimeout, its hooks and
//     nested resources one after another, and its drains.
//   - [ShutdownTimeout] of Run (default 10s): the whole sequence.
//
// When a resource's budget is spent, what it still runs is cancelled
// (their contexts' cause names the budget) and its close fails with a
// [*CutOffError] naming each task, request and queued item cut off and how
// long it had run; Run prints that straggler report and returns
// [ExitTimeout]. Executors ([executor.Executor]), queues ([Queue]) and
// servers are resources: Open returns them, and their turn is their own
// graceful close (Executor.Shutdown, Queue.Close then drain,
// http.Server.Shutdown).
//
// # Errors
//
// Errors are failures of the group they happen in, and follow its error
// policy (fail fast by default): a hook's error, an owned resource that
// fails or fails to close, a server whose listener breaks or whose drain
// overruns, a supervised job that exceeds its restart intensity
// ([*IntensityError]), a close that spent its budget ([*CutOffError]). They are named after their task and combined with
// go.uber.org/multierr, so errors.Is and errors.As see every one. A
// resource or hook handed to a Stack that has started closing is closed or
// run at once and reported with [ErrClosed]. Sentinels: [ErrClosed]
// (group.ErrClosed), [ErrStop].
//
// # Cancellation
//
// Close hooks and the drain of a server are shielded: the cancellation
// that closes their group does not reach their context, which ends only at
// their own deadline. A resource closed in its turn cancels nothing until
// its budget is spent (see Shutdown above). Supervised runs and delayed
// starts stop when their group starts closing. [Run] turns the first signal
// into a graceful shutdown with a deadline and the second into a hard
// cancellation.
//
// # Panics
//
// A panic in a hook, an owned resource's close or a server's task is a
// panic of a task of the group and is handled by the group (see package
// group). A supervised job's panic is recovered into a [*group.PanicError]
// and restarted like an error; past the restart intensity it escalates
// like the panic of an unsupervised task. [Run]'s root group turns panics
// into failures ([group.PanicsAsErrors]). Functions in this package panic
// with "resource: ..." on a nil context, group, function, server, listener
// or option and on negative durations.
//
// There are no package-level goroutines, pools or timers, so everything
// here works inside testing/synctest bubbles.
package resource
