// Package observe shows what a program built on nursery is doing: an HTTP
// handler that serves the live tree of groups and tasks, as a page for
// browsers, text for people at a terminal and JSON for tools, and an
// adapter that writes a group's events to a log/slog logger.
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
// # Live page
//
// A browser that opens /debug/nursery (or any client with ?format=html)
// gets a page that updates itself every second: the tree, foldable, with
// each task's state, age, function and spawn site; tasks older than a
// threshold highlighted, and tasks still running longer than another
// after a Shutdown ran past its deadline (group.Snapshot's Overdue) marked
// stuck;
// charts of the last five minutes (live tasks; tasks started and ended per
// second by outcome; executors' busy workers, queued jobs and blocked
// Submit calls); filters by name, state and minimum age, and a search over
// names, functions and spawn sites. The page is one embedded file with no
// external resource. It polls the handler's own URL with ?format=live, a
// compact feed cut to the filters and to 100 tasks per group: under 1 KB a
// second for a small server, 1.8 KB (gzip) an update for a tree of 1,000
// tasks, whose update costs the program about 0.7 ms of CPU, snapshot
// included (BenchmarkHandler). It stops polling while hidden or paused.
// Its settings live in its URL (?old=30s&stuck=5s&name=…), so that a view
// can be shared.
//
// The handler starts no goroutine and takes a snapshot only when a request
// asks for the tree: with no page open, it costs nothing.
//
// # Access
//
// The handler only reads: no request changes a group, cancels a task or
// takes any action. What it shows (task names, function names, file paths)
// may still be private; protect it as you would net/http/pprof, by
// serving it on a listener that only operators reach or by wrapping it in
// your own authentication middleware. The page works under any path
// prefix, including behind http.StripPrefix or a proxy, since it only
// changes the query of the URL it was loaded from.
//
// Events (task started, succeeded, failed, panicked, cancelled, refused;
// supervised restarts; blocked submitters; groups closed) reach an
// observer set with group.Observe on a root group; [Slog] is one that logs
// them. The modules github.com/nursery-go/nursery/observe/otel
// (OpenTelemetry spans and metrics) and .../observe/prom (a Prometheus
// collector) are others, kept apart so that this module depends on
// nothing more.
package observe
