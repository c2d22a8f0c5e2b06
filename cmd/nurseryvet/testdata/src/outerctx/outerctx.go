package outerctx

import (
	"context"
	"slices"
	"time"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

func fetch(ctx context.Context, url string) error { return nil }

// Mistakes.

func blank(ctx context.Context, g *group.Group) {
	g.Go(func(_ context.Context) error { // want `task function ignores its own context \(blank parameter\) and passes the captured ctx to outerctx.fetch: its group cannot cancel it; name the parameter and use it instead`
		return fetch(ctx, "a")
	})
}

func unnamed(ctx context.Context, g *group.Group) {
	g.Go(func(context.Context) error { // want `\(unnamed parameter\) and passes the captured ctx to outerctx.fetch`
		return fetch(ctx, "b")
	})
}

func unused(parent context.Context, g *group.Group) {
	g.Go(func(ctx context.Context) error { // want `\(unused parameter\) and passes the captured parent to outerctx.fetch`
		return fetch(parent, "c")
	})
}

func derived(ctx context.Context, ex *executor.Executor) error {
	_, err := ex.Submit(ctx, func(context.Context) error { // want `passes the captured ctx to context.WithTimeout`
		c, stop := context.WithTimeout(ctx, time.Second)
		defer stop()
		return fetch(c, "d")
	})
	return err
}

func stage(ctx context.Context, urls []string) error {
	return flow.Each(ctx, flow.Values(slices.Values(urls)), func(_ context.Context, u string) error { // want `\(blank parameter\) and passes the captured ctx`
		return fetch(ctx, u)
	}, 4)
}

func stageUnnamed(ctx context.Context, urls []string) error {
	// Two unnamed parameters: naming one means naming both, so no fix.
	return flow.Each(ctx, flow.Values(slices.Values(urls)), func(context.Context, string) error { // want `\(unnamed parameter\)`
		return fetch(ctx, "e")
	}, 4)
}

func future(ctx context.Context, g *group.Group) *group.Future[int] {
	return group.Async(g, func(context.Context) (int, error) { // want `\(unnamed parameter\)`
		return 1, fetch(ctx, "f")
	})
}

func supervised(ctx context.Context, g *group.Group) {
	resource.Supervise(g, "poll", func(context.Context) error { // want `\(unnamed parameter\)`
		return fetch(ctx, "g")
	}, resource.Spec{})
}

func shielded(ctx context.Context) error {
	return cancel.Shield(ctx, func(context.Context) error { // want `\(unnamed parameter\)`
		return fetch(ctx, "h")
	})
}

func twoOuterContexts(a, b context.Context, g *group.Group) {
	// Which one is meant? No fix.
	g.Go(func(context.Context) error { // want `passes the captured a to outerctx.fetch`
		_ = fetch(a, "i")
		return fetch(b, "j")
	})
}

func inANestedLiteral(ctx context.Context, g *group.Group) {
	g.Go(func(context.Context) error { // want `passes the captured ctx to outerctx.fetch`
		do := func() error { return fetch(ctx, "k") }
		return do()
	})
}

// Correct uses: none of these is reported.

func usesItsOwn(ctx context.Context, g *group.Group) {
	g.Go(func(ctx context.Context) error { return fetch(ctx, "ok") })
}

func usesItsOwnAndTheOuter(parent context.Context, g *group.Group) {
	g.Go(func(ctx context.Context) error {
		_ = fetch(ctx, "ok")
		return fetch(parent, "deliberate")
	})
}

func callsNothing(ctx context.Context, g *group.Group) {
	g.Go(func(context.Context) error { return nil })
}

func onlyWatchesTheOuter(ctx context.Context, g *group.Group) {
	// No context is passed to a call: ctx.Done is a method of the context.
	g.Go(func(context.Context) error { <-ctx.Done(); return nil })
}

func freshContext(g *group.Group) {
	g.Go(func(context.Context) error { return fetch(context.Background(), "fresh") })
}

func run(fn func(ctx context.Context) error) error { return fn(context.Background()) }

func notTheLibrary(ctx context.Context) error {
	return run(func(context.Context) error { return fetch(ctx, "not a task") })
}

func nestedTaskHasItsOwn(ctx context.Context, g *group.Group) {
	g.Go(func(ctx context.Context) error {
		g.Go(func(ctx context.Context) error { return fetch(ctx, "inner") })
		return fetch(ctx, "outer")
	})
}

func ignored(ctx context.Context, g *group.Group) {
	//nurseryvet:ignore=outerctx the work stops when the caller's ctx ends, not when g closes
	g.Go(func(context.Context) error { return fetch(ctx, "l") })
}

func nameTaken(ctx, parent context.Context, g *group.Group) {
	// Naming the parameter ctx would capture the outer ctx too: no fix.
	g.Go(func(_ context.Context) error { // want `passes the captured parent to outerctx.fetch`
		_ = ctx.Err()
		return fetch(parent, "m")
	})
}
