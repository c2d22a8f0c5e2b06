// Package bench compares the cost of nursery's group and executor packages
// with bare goroutines and with peer libraries, side by side in one run. It
// is a separate module so that the peers (golang.org/x/sync/errgroup,
// github.com/sourcegraph/conc, github.com/alitto/pond/v2 and
// github.com/panjf2000/ants/v2) never enter the library's go.mod.
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
// BenchmarkCloseScale measures closing n tasks that are all blocked on
// their context, for n of 1,000, 10,000, 100,000 and 1,000,000. The
// baseline (impl=go-waitgroup) is n bare goroutines blocked on the Done
// channel of one context.WithCancel, then cancel and WaitGroup.Wait; ours
// (impl=nursery-go) is n tasks started with Group.Go that block on their
// own context, then Group.Close. One op is one whole cycle; ns/task is its
// time over n, so the same ns/task at every size means a cost linear in n.
// timed=spawn+close times everything; timed=close stops the timer until
// every task has started and asked for its Done channel, and times only
// the cancellation and the wait. The runtime keeps a goroutine's record
// for reuse once made, so n goroutines are started and ended once before
// any timing, lest the first implementation pay for the other's.
//
// BenchmarkBlockedMemory measures the memory a blocked task holds, beside
// a bare goroutine: 10,000 of the same tasks of each kind are started and,
// once all of them block, B/task is the growth of the heap and the stacks
// in use (HeapInuse plus StackInuse of [runtime.MemStats], each read after
// a [runtime.GC]) over 10,000. Its ns/task is the start and the release.
// A thousand parked goroutines stay throughout, because the runtime sizes
// new goroutines' stacks by the average stack in use at the last
// collection: alone, the testing package's deep stacks would double the
// tasks'. See blocked_test.go for both.
//
// BenchmarkSubmit pushes tiny jobs through an executor with back-pressure
// at limits 8, 128 and 1024, beside errgroup with SetLimit, a conc pool
// with WithMaxGoroutines, pond v2 with a bounded queue and ants v2;
// BenchmarkFutures compares typed futures with pond's Submit; BenchmarkMap
// streams 1,000,000 items through the ordered Map beside conc's stream and
// reports peak heap. See executor_test.go for the details of each.
//
// BenchmarkStreamScale sweeps the ordered streams over lengths of 1e3 to
// 1e7 items and 1, 8, 64 and 1024 workers: executor.Map (impl=nursery-map),
// a flow.Map stage ranged over (impl=nursery-flow) and conc's stream
// (impl=conc-stream), each checking every result and its order. One op is
// one whole stream; it reports ns/item, allocs/op and the peak heap in use
// (peak-heap-B: HeapInuse read about 20 times a stream, every
// max(10,000, items/20) items and at the end), so that a flat ns/item across lengths means a cost linear in
// the items and a flat peak heap a bounded window. See scale_test.go.
//
// BenchmarkFlow maps and filters a slice of 1,000,000 ints with 8 workers
// through package executor/flow's Map and Filter stages, beside conc's
// iter.Mapper and a hand-written pool (a channel of indices and a
// WaitGroup); see flow_test.go. BenchmarkDropin compares group/errgroup
// with x/sync errgroup (errgroup_dropin_test.go).
//
// # Running
//
// From this directory, run.sh builds the test binary once and runs every
// benchmark in interleaved passes (so that load bursts from other processes
// fall on all implementations alike), then prints benchstat tables with the
// implementations side by side:
//
//	./run.sh 6
//
// The plain form works too (-skip leaves out the sweep, which takes
// minutes at the default benchtime):
//
//	go test -run='^$' -bench=. -skip=StreamScale -count=6 . | tee new.txt
//	benchstat -filter .name:SpawnWait -col /impl new.txt
//
// run.sh also draws results.svg from the raw output with cmd/chart.
//
// sweep.sh runs BenchmarkStreamScale alone, in interleaved passes with a
// fixed number of streams per row (-benchtime Nx: one of 1e6 or 1e7 items,
// about 0.2 s of the shorter ones), prints a benchstat table per worker
// count, a row per length and a column per implementation, and draws
// scaling.svg with cmd/chart -sweep: ns/item and peak heap against the
// length, a line per worker count. Three passes take a quarter of an hour
// on two cores:
//
//	./sweep.sh 3
//	benchstat -filter '.name:StreamScale .unit:ns/item' -table /workers -row /items -col /impl /tmp/nursery-sweep.txt
//
// RESULTS.md records measured runs and the exact commands.
package bench
