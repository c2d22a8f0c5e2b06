package rawgo

import (
	"context"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

type worker struct{}

func (w *worker) run() {}

// Reported, with a fix.

func call(g *group.Group, work func()) {
	go work() // want `go statement where group g is at hand: nothing waits for this goroutine or sees its panic; start it with g.Go instead`
}

func method(g *group.Group, w *worker) {
	go w.run() // want `go statement where group g is at hand`
}

func literal(g *group.Group, work func()) {
	go func() { // want `go statement where group g is at hand`
		work()
		work()
	}()
}

func zeroValue(work func()) error {
	var g group.Group
	go work() // want `go statement where group g is at hand`
	return g.Wait()
}

func stack(s *resource.Stack, work func()) {
	go work() // want `go statement where group s is at hand`
}

func inAClosure(g *group.Group, work func()) func() {
	return func() {
		go work() // want `go statement where group g is at hand`
	}
}

// Reported, without a fix.

func executorOnly(ex *executor.Executor, work func()) {
	go work() // want `go statement where executor ex is at hand: nothing waits for this goroutine or sees its panic; submit it to ex instead`
}

func arguments(g *group.Group, work func(int)) {
	go work(1) // want `go statement where group g is at hand`
}

func returns(g *group.Group, ch chan int) {
	go func() { // want `go statement where group g is at hand`
		if len(ch) > 0 {
			return
		}
		ch <- 1
	}()
}

func twoGroups(g, h *group.Group, work func()) {
	go work() // want `go statement where group g is at hand`
}

// Not reported.

func noGroup(work func()) {
	go work()
}

func declaredAfter(ctx context.Context, work func()) error {
	go work()
	g := group.New(ctx)
	return g.Close()
}

func ignored(g *group.Group, work func()) {
	go work() //nurseryvet:ignore=rawgo a watchdog that must outlive g
}
