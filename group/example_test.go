package group_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/nursery-go/nursery/group"
)

// The basic nursery: start tasks, wait for all of them.
func Example() {
	var g group.Group
	var mu sync.Mutex
	var squares []int
	for i := 1; i <= 3; i++ {
		g.Go(func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			squares = append(squares, i*i)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		fmt.Println("error:", err)
	}
	sort.Ints(squares)
	fmt.Println(squares, g.State())
	// Output: [1 4 9] closed
}

// defer g.Close() bounds every goroutine a function starts to the function
// itself: when it returns, its tasks are cancelled and joined.
func ExampleGroup_Close() {
	serve := func() error {
		var g group.Group
		defer g.Close()
		g.Go(func(ctx context.Context) error {
			<-ctx.Done() // a background loop, stopped by Close
			fmt.Println("background loop stopped:", context.Cause(ctx))
			return ctx.Err()
		})
		fmt.Println("handling a request")
		return nil
	}
	fmt.Println(serve())
	// Output:
	// handling a request
	// background loop stopped: group: closed
	// <nil>
}

// The first failure cancels the other tasks and is what Wait returns.
func ExampleGroup_Go_failFast() {
	g := group.New(context.Background())
	g.Go(func(ctx context.Context) error {
		<-ctx.Done()
		fmt.Println("sibling cancelled because:", context.Cause(ctx))
		return ctx.Err() // not a failure: it answered the cancellation
	})
	g.Go(func(context.Context) error {
		return errors.New("disk full")
	}, group.Name("writer"))
	fmt.Println("wait:", g.Wait())
	// Output:
	// sibling cancelled because: task writer: disk full
	// wait: task writer: disk full
}

// With OnError, failures go to a handler and the group stays open.
func ExampleOnError() {
	g := group.New(context.Background(), group.OnError(func(err error) {
		fmt.Println("logged:", err)
	}))
	t := g.Go(func(context.Context) error { return errors.New("bad record") }, group.Name("import"))
	<-t.Done()
	fmt.Println("still", g.State())
	fmt.Println("close:", g.Close())
	// Output:
	// logged: task import: bad record
	// still open
	// close: <nil>
}

// Subgroups nest: closing the parent closes them first.
func ExampleGroup_Subgroup() {
	root := group.New(context.Background(), group.Name("server"))
	workers := root.Subgroup(group.Name("workers"))
	for range 3 {
		workers.Go(func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
	}
	fmt.Println(root.Close(), workers.State(), workers.Stats().Canceled)
	// Output: <nil> closed 3
}

// Async starts a task with a typed result.
func ExampleAsync() {
	var g group.Group
	defer g.Close()
	f := group.Async(&g, func(context.Context) (string, error) {
		return "forty-two", nil
	})
	v, err := f.Result()
	fmt.Println(v, err)
	// Output: forty-two <nil>
}

// Start returns once the task is ready: here, once its listener is bound.
func ExampleGroup_Start() {
	var g group.Group
	defer g.Close()
	var addr net.Addr
	err := g.Start(context.Background(), func(ctx context.Context, ready func()) error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err // goes to Start's caller, not the group
		}
		defer ln.Close()
		addr = ln.Addr()
		ready()
		<-ctx.Done()
		return ctx.Err()
	}, group.Name("listener"))
	fmt.Println(err, addr != nil)
	// Output: <nil> true
}

// Shutdown lets tasks finish until its deadline, then cancels the rest and,
// if some ignore their cancellation, names them instead of hanging.
func ExampleGroup_Shutdown() {
	g := group.New(context.Background(), group.Name("svc"), group.ShutdownGrace(10*time.Millisecond))
	release := make(chan struct{})
	defer func() { close(release); _ = g.Wait() }()
	quick := g.Go(func(context.Context) error { return nil }, group.Name("quick"))
	<-quick.Done()
	g.Go(func(context.Context) error {
		<-release // ignores its context
		return nil
	}, group.Name("stubborn"))

	ctx, stop := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer stop()
	err := g.Shutdown(ctx)
	var se *group.ShutdownError
	if errors.As(err, &se) {
		for _, s := range se.Stuck {
			fmt.Println("stuck:", s.Task)
		}
	}
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output:
	// stuck: svc/stubborn
	// true
}

// errors.As finds which task failed.
func ExampleTaskError() {
	g := group.New(context.Background(), group.Name("import"))
	g.Go(func(context.Context) error { return errors.New("bad record") }, group.Name("parse"))
	err := g.Wait()
	var te *group.TaskError
	if errors.As(err, &te) {
		fmt.Printf("%s/%s (task %d): %v\n", te.Group, te.Name, te.ID, te.Err)
	}
	fmt.Println(err)
	// Output:
	// import/parse (task 1): bad record
	// task parse: bad record
}
