package errgroup_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/nursery-go/nursery/group/errgroup"
)

// The zero Group runs functions in parallel and waits for all of them.
func Example() {
	var g errgroup.Group
	squares := make([]int, 4)
	for i := range squares {
		g.Go(func() error {
			squares[i] = i * i // each function writes its own element
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		fmt.Println("error:", err)
	}
	fmt.Println(squares)
	// Output: [0 1 4 9]
}

// The first error cancels the Context of WithContext, so that the other
// functions can stop early, and is what Wait returns.
func ExampleWithContext() {
	errNotFound := errors.New("not found")
	g, ctx := errgroup.WithContext(context.Background())
	g.Go(func() error {
		return errNotFound
	})
	g.Go(func() error {
		<-ctx.Done() // a long search, stopped by the first error
		return ctx.Err()
	})
	err := g.Wait()
	fmt.Println("Wait:", err)
	fmt.Println("cause:", context.Cause(ctx))
	// Output:
	// Wait: not found
	// cause: not found
}

// With a limit, Go waits for a free slot and TryGo reports that there is
// none.
func ExampleGroup_SetLimit() {
	var g errgroup.Group
	g.SetLimit(1)
	release := make(chan struct{})
	g.Go(func() error {
		<-release
		return nil
	})
	fmt.Println("TryGo while full:", g.TryGo(func() error { return nil }))
	close(release)
	fmt.Println("Wait:", g.Wait())
	fmt.Println("TryGo after Wait:", g.TryGo(func() error { return nil }))
	fmt.Println("Wait:", g.Wait())
	// Output:
	// TryGo while full: false
	// Wait: <nil>
	// TryGo after Wait: true
	// Wait: <nil>
}

// A Group can be used again after Wait; the first error stays.
func ExampleGroup_Wait_reuse() {
	var g errgroup.Group
	g.Go(func() error { return errors.New("first") })
	fmt.Println(g.Wait())
	g.Go(func() error { return errors.New("second") })
	fmt.Println(g.Wait())
	// Output:
	// first
	// first
}

// SetName puts the Group's name in the pprof labels of its goroutines,
// so that goroutine and CPU profiles show which Group they belong to.
func ExampleGroup_SetName() {
	var g errgroup.Group
	g.SetName("thumbnails")
	g.Go(func() error {
		// This goroutine carries the label nursery.group=thumbnails.
		return nil
	})
	fmt.Println(g.Wait())
	// Output: <nil>
}
