package lostgroup

import (
	"context"
	"errors"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

func work(context.Context) error { return nil }

var errEarly = errors.New("early")

// Mistakes.

func neverClosed(ctx context.Context) {
	g := group.New(ctx) // want `g \(group\) is not closed on every path: its goroutines outlive the function; defer g.Close\(\) after making it`
	g.Go(work)
}

func earlyReturn(ctx context.Context, fail bool) error {
	g := group.New(ctx) // want `g \(group\) is not closed on every path`
	if fail {
		return errEarly
	}
	defer g.Close()
	g.Go(work)
	return nil
}

func cancelIsNotClose(ctx context.Context) {
	g := group.New(ctx) // want `g \(group\) is not closed on every path`
	g.Go(work)
	g.Cancel()
}

func assignedLater(ctx context.Context) {
	var g *group.Group
	g = group.New(ctx) // want `g \(group\) is not closed on every path`
	g.Go(work)
}

func discarded(ctx context.Context) {
	group.New(ctx)     // want `the group made by group.New is discarded: it can never be closed`
	_ = group.New(ctx) // want `the group made by group.New is discarded`
}

func usedOnce(ctx context.Context) {
	group.New(ctx).Go(work) // want `the group made by group.New is used once and dropped`
}

func executorInANewGroup(ctx context.Context) {
	ex := executor.New(group.New(ctx)) // want `ex \(executor\) is not closed on every path`
	_, _ = ex.Submit(ctx, work)
}

func stackInANewGroup(ctx context.Context) error {
	s, err := resource.NewStack(group.New(ctx)) // want `s \(stack\) is not closed on every path`
	if err != nil {
		return err
	}
	return s.OnClose("x", work)
}

func zeroValue() {
	var g group.Group
	g.Go(work) // want `group g starts tasks but is never closed: its tasks are never joined`
}

func loopMayNotRun(ctx context.Context, n int) {
	g := group.New(ctx) // want `g \(group\) is not closed on every path`
	for range n {
		defer g.Close()
	}
}

func inALiteral(ctx context.Context) func() {
	return func() {
		g := group.New(ctx) // want `g \(group\) is not closed on every path`
		g.Go(work)
	}
}

func otherCheckIgnored(ctx context.Context) {
	g := group.New(ctx) //nurseryvet:ignore=outerctx names another check // want `g \(group\) is not closed`
	g.Go(work)
}

// Correct uses: none of these is reported.

func deferred(ctx context.Context) error {
	g := group.New(ctx)
	defer g.Close()
	g.Go(work)
	return g.Wait()
}

func waited(ctx context.Context) error {
	g := group.New(ctx)
	g.Go(work)
	return g.Wait()
}

func shutDown(ctx context.Context) error {
	g := group.New(ctx)
	g.Go(work)
	return g.Shutdown(ctx)
}

func closedOnEveryPath(ctx context.Context, fail bool) error {
	g := group.New(ctx)
	if fail {
		return errors.Join(errEarly, g.Close())
	}
	g.Go(work)
	return g.Wait()
}

func panicsBeforeClose(ctx context.Context, bad bool) error {
	g := group.New(ctx)
	if bad {
		panic("bad")
	}
	return g.Close()
}

func returned(ctx context.Context) *group.Group {
	g := group.New(ctx)
	g.Go(work)
	return g
}

func namedResult(ctx context.Context) (g *group.Group) {
	g = group.New(ctx)
	g.Go(work)
	return
}

type server struct {
	g  *group.Group
	ex *executor.Executor
}

func stored(ctx context.Context, s *server) {
	g := group.New(ctx)
	s.g = g
	s.ex = executor.New(group.New(ctx))
}

func passedOn(ctx context.Context, own func(*group.Group)) {
	g := group.New(ctx)
	own(g)
}

func closedByACleanup(ctx context.Context, cleanup func(func())) {
	g := group.New(ctx)
	cleanup(func() { _ = g.Close() })
	g.Go(work)
}

func closeAsAMethodValue(ctx context.Context, cleanup func(func() error)) {
	g := group.New(ctx)
	cleanup(g.Close)
}

func doneWaits(ctx context.Context) {
	g := group.New(ctx)
	g.Go(work)
	g.Cancel()
	<-g.Done()
}

func executorOfAClosedGroup(ctx context.Context) error {
	g := group.New(ctx)
	defer g.Close()
	ex := executor.New(g) // closed when g is
	_, err := ex.Submit(ctx, work)
	return err
}

func executorOfTheCallersGroup(ctx context.Context, g *group.Group) error {
	ex := executor.New(g) // the caller's group owns it
	_, err := ex.Submit(ctx, work)
	return err
}

func stackIsItsGroup(ctx context.Context) error {
	g := group.New(ctx)
	s, err := resource.NewStack(g)
	if err != nil {
		return errors.Join(err, g.Close())
	}
	return s.Close()
}

func loopRunsAtLeastOnce(ctx context.Context) {
	g := group.New(ctx)
	for range 2 {
		defer g.Close()
	}
}

func zeroValueWaited() error {
	var g group.Group
	g.Go(work)
	return g.Wait()
}

func zeroValueNeverUsed() group.State {
	var g group.Group
	return g.State()
}

func outerVariable(ctx context.Context) func() error {
	var g *group.Group
	start := func() {
		g = group.New(ctx) // an outer variable: the enclosing function closes it
	}
	start()
	return g.Close
}

func ignored(ctx context.Context) {
	//nurseryvet:ignore the group lives as long as the process
	g := group.New(ctx)
	g.Go(work)
}

func ignoredByName(ctx context.Context) {
	g := group.New(ctx) //nurseryvet:ignore=lostgroup,outerctx the group lives as long as the process
	g.Go(work)
}
