// Package errgroup is a drop-in replacement for golang.org/x/sync/errgroup
// (as of x/sync v0.22.0): the same API with the same behaviour, built on
// [group.Group], so that every goroutine it starts is a task of a nursery and
// carries its pprof labels.
//
//	import "github.com/nursery-go/nursery/group/errgroup"
//
//	g, ctx := errgroup.WithContext(ctx)
//	g.SetLimit(8)
//	for _, url := range urls {
//		g.Go(func() error { return fetch(ctx, url) })
//	}
//	err := g.Wait()
//
// A panic crashes the program at once from the goroutine that panicked, as
// with x/sync; [Group.SetPanicHook] sees it first. The few places where
// behaviour differs, and what it costs, are in
// https://github.com/nursery-go/nursery/blob/main/docs/group-errgroup.md.
package errgroup
