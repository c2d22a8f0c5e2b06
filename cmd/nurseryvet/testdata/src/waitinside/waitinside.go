package waitinside

import (
	"context"
	"errors"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

func job(context.Context) error { return nil }

// Mistakes.

func inAGroupTask(ctx context.Context, g *group.Group) {
	g.Go(func(ctx context.Context) error {
		return g.Wait() // want `g.Wait called from a task of g waits for itself and returns group.ErrWaitInTask: wait where g was made, or start a Subgroup in the task and wait for that`
	})
	g.Go(func(context.Context) error {
		defer g.Close() // want `g.Close called from a task of g`
		return nil
	})
	_ = g.Start(ctx, func(ctx context.Context, ready func()) error {
		ready()
		return g.Shutdown(ctx) // want `g.Shutdown called from a task of g`
	})
	group.Async(g, func(context.Context) (int, error) {
		return 0, g.Wait() // want `g.Wait called from a task of g`
	})
	g.Go(func(context.Context) error {
		func() { _ = g.Wait() }() // want `g.Wait called from a task of g`
		return nil
	})
}

func zeroValue() {
	var g group.Group
	g.Go(func(context.Context) error {
		return g.Wait() // want `g.Wait called from a task of g`
	})
}

func inAJob(ctx context.Context, g *group.Group) error {
	ex := executor.New(g)
	_, err := ex.Submit(ctx, func(context.Context) error {
		return ex.Wait() // want `ex.Wait called from a task of ex waits for itself`
	})
	_, _ = ex.Submit(ctx, func(context.Context) error {
		return g.Wait() // want `g.Wait called from a task of ex, which g owns`
	})
	_, _ = executor.Exec(ctx, ex, func(context.Context) (int, error) {
		return 0, ex.Close() // want `ex.Close called from a task of ex`
	})
	return err
}

func inASubgroupTask(g *group.Group) {
	sub := g.Subgroup()
	sub.Go(func(context.Context) error {
		return g.Wait() // want `g.Wait called from a task of sub, which g owns`
	})
}

func inAStackHook(g *group.Group) error {
	s, err := resource.NewStack(g)
	if err != nil {
		return err
	}
	s.Go(func(context.Context) error {
		return g.Close() // want `g.Close called from a task of s, which g owns`
	})
	return s.OnClose("hook", func(context.Context) error {
		return s.Wait() // want `s.Wait called from a task of s`
	})
}

// Correct uses: none of these is reported.

func waitsOutside(g *group.Group) error {
	g.Go(job)
	return g.Wait()
}

func anotherGoroutine(g *group.Group) {
	g.Go(func(context.Context) error {
		go func() { _ = g.Wait() }() // not the task's goroutine (rawgo's business)
		return nil
	})
}

func itsOwnSubgroup(g *group.Group) {
	g.Go(func(context.Context) error {
		sub := g.Subgroup()
		sub.Go(job)
		return sub.Wait()
	})
}

func anotherGroup(g, h *group.Group) {
	g.Go(func(context.Context) error { return h.Wait() })
}

func aChildExecutor(ctx context.Context, g *group.Group) {
	ex := executor.New(g)
	g.Go(func(context.Context) error { return ex.Wait() })
}

func cancelIsFine(g *group.Group) {
	g.Go(func(context.Context) error { g.Cancel(); return nil })
}

func storedNotCalled(g *group.Group) func() error {
	var wait func() error
	g.Go(func(context.Context) error {
		wait = func() error { return g.Wait() } // called later, elsewhere
		return nil
	})
	return wait
}

func expectsTheError(g *group.Group) error {
	// Code that names ErrWaitInTask waits in a task on purpose.
	errs := make(chan error, 1)
	g.Go(func(context.Context) error { errs <- g.Wait(); return nil })
	if err := <-errs; !errors.Is(err, group.ErrWaitInTask) {
		return err
	}
	return nil
}

func ignored(g *group.Group) {
	g.Go(func(context.Context) error {
		return g.Wait() //nurseryvet:ignore=waitinside testing the runtime check
	})
}
