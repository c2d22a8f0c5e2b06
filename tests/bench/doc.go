// Package bench compares the cost of nursery's group package with bare
// goroutines and with peer libraries, side by side in one run. It is a
// separate module so that the peers (golang.org/x/sync/errgroup and
// github.com/sourcegraph/conc/pool) never enter the library's go.mod.
//
// The package has no code of its own; the benchmarks are in its tests.
//
// # What is compared
//
// BenchmarkSpawnWait measures spawning one tiny task and waiting for it. One
// op is one task: tasks are started in batches of 1000 into a fresh group
// (or WaitGroup, errgroup.Group, conc pool), which is then waited for, so
// ns/op and allocs/op read directly as cost per task, the wait and the
// group's own setup included (amortised over 1000 tasks). Batches keep at
// most 1000 goroutines alive, so the result does not depend on how many
// goroutines a long run piles up. Every implementation runs the same task:
// a closure that captures its index and calls a function that is not
// inlined. The sub-benchmarks are, by impl:
//
//   - go-waitgroup: bare go statement and [sync.WaitGroup], the baseline;
//   - errgroup: errgroup.Group without a limit;
//   - conc-pool: pool.New(), unlimited;
//   - nursery-go: var g group.Group; g.Go(fn); g.Wait();
//   - nursery-go-named: the same with group.Name("t");
//   - nursery-async: group.Async(&g, fn); g.Wait().
//
// BenchmarkClose100k measures closing 100,000 tasks that are all blocked on
// their context. The baseline (impl=go-waitgroup) is 100,000 bare goroutines
// blocked on the Done channel of one context.WithCancel, then cancel and
// WaitGroup.Wait; ours (impl=nursery-go) is 100,000 tasks started with
// Group.Go that block on their own context, then Group.Close. One op is one
// whole cycle. timed=spawn+close times everything; timed=close stops the
// timer until every task has started and asked for its Done channel, and
// times only the cancellation and the wait.
//
// # Running
//
// From this directory:
//
//	go test -run='^$' -bench=. -count=6 . | tee new.txt
//	benchstat -filter .name:SpawnWait -col /impl new.txt
//	benchstat -filter .name:Close100k -col /impl new.txt
//
// -col /impl puts the implementations side by side, each compared with the
// first column (go-waitgroup); -filter keeps the two benchmarks, which have
// different sets of implementations, in separate tables. On a shared
// machine, running a compiled test binary with -test.count=1 several times
// spreads load bursts over all implementations alike. RESULTS.md records
// measured runs and the exact commands.
package bench
