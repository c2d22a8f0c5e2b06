// Package resource manages the lifecycles of servers and background jobs
// built on package group: every resource, server and supervised job is
// owned by a group, closes in a defined order within a time limit, and has
// stopped — nothing it started still running — by the time its owner is
// Closed.
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
//			resource.Supervise(s.Group, "vacuum", call.Interval(time.Hour, db.Vacuum), resource.Spec{})
//			<-ctx.Done() // the first Ctrl-C
//			return nil
//		}))
//	}
//
// A [Stack] is a group with close hooks; [Open] opens a resource into it,
// and resources close in reverse order, each draining within its budget.
// [Serve] serves an http.Server; [Supervise] restarts a job that fails,
// as its [Spec] says, and [Tree] makes supervisors of supervisors;
// [Run] is a program's main, with signals, a shutdown deadline, a report
// of what was cut off and an exit code. The whole contract, with the
// shutdown timeline, is in https://github.com/nursery-go/nursery/blob/main/docs/resource.md.
package resource
