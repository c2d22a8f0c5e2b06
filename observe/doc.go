// Package observe shows what a program built on nursery is doing: an HTTP
// handler that serves the live tree of groups and tasks, as text for people
// and JSON for tools, and an adapter that writes a group's events to a
// log/slog logger.
//
// Mount the handler beside net/http/pprof on a debug listener:
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("/debug/pprof/", pprof.Index)
//	mux.Handle("/debug/nursery", observe.Handler(root))
//
// and open /debug/nursery to see every running task with its group, name,
// age and the function it runs, or /debug/nursery?format=json for the same
// as [group.Snapshot] values. Goroutine profiles from net/http/pprof carry
// the same names as labels (group.LabelGroup, group.LabelTask), so a task
// seen in the tree can be found in /debug/pprof/goroutine?debug=1 and the
// other way round.
//
// Events (task started, succeeded, failed, panicked, cancelled, refused;
// supervised restarts; blocked submitters) reach an observer set
// with group.Observe on a root group; [Slog] is one that logs them.
package observe
