package cancel_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/group"
)

// hat.aio's
//
//	group.spawn(call_on_cancel, f.set_result, 123)
//	await group.async_close()
//	assert f.result() == 123
func ExampleOnCancel_group() {
	var g group.Group
	result := make(chan int, 1) // one hook, one value: the send never blocks

	g.Go(cancel.OnCancel(func(context.Context) error { result <- 123; return nil }))

	fmt.Println(g.Close(), <-result)
	// Output: <nil> 123
}

// hat.aio's
//
//	group.spawn(call_on_done, f, group.close)
//	f.set_result(None)
//	await group.wait_closed()
func ExampleOnDone_group() {
	var g group.Group
	f := make(chan struct{})

	g.Go(cancel.OnDone(f, func(context.Context) error { g.Cancel(); return nil }))

	close(f)
	<-g.Done()
	fmt.Println(g.State())
	// Output: closed
}

// A main built on a group: the first Ctrl-C cancels the group's tasks, and
// Wait returns nil for a stop that was asked for, so main needs no filter
// for it; a failure while stopping is still reported.
func ExampleShutdownOn_group() {
	signals := make(chan os.Signal, 1)
	graceful, _, stop := cancel.ShutdownOn(context.Background(), signals)
	defer stop()

	g := group.New(graceful)
	g.Go(func(ctx context.Context) error {
		<-ctx.Done() // serve until told to stop
		return ctx.Err()
	})
	signals <- os.Interrupt // Ctrl-C
	fmt.Println(g.Wait())
	// Output: <nil>
}
