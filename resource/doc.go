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
// gracefully. [Supervise] and [Every] run background jobs that restart
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
//			resource.Every(s.Group, "vacuum", time.Hour, db.Vacuum)
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
// ([Supervise], [Every]) and delayed starts ([After]) watch their group's
// Closing channel, not only their context, so a graceful
// [group.Group.Shutdown], which cancels nothing until its deadline, stops
// them at once.
//
// A Stack's entries wait for the group to close, so a group with a Stack
// does not become idle by itself: [group.Group.Wait] on it returns only
// after Cancel, Close or Shutdown (as with [cancel.OnCancel]).
//
// # Errors
//
// Errors are failures of the group they happen in, and follow its error
// policy (fail fast by default): a hook's error, an owned resource that
// fails or fails to close, a server whose listener breaks or whose drain
// overruns, a supervised job that exceeds its restart intensity
// ([*IntensityError]). They are named after their task and combined with
// go.uber.org/multierr, so errors.Is and errors.As see every one. A
// resource or hook handed to a Stack that has started closing is closed or
// run at once and reported with [ErrClosed]. Sentinels: [ErrClosed]
// (group.ErrClosed), [ErrStop].
//
// # Cancellation
//
// Close hooks and the drain of a server are shielded: the cancellation
// that closes their group does not reach their context, which ends only at
// their own deadline. Supervised runs and delayed starts are cancelled when
// their group starts closing. [Run] turns the first signal into a graceful
// shutdown with a deadline and the second into a hard cancellation.
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
