package cancel_test

import (
	"context"
	"fmt"

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

	g.Go(cancel.OnDone(cancel.Chan(f), func(context.Context) error { g.Cancel(); return nil }))

	close(f)
	<-g.Done()
	fmt.Println(g.State())
	// Output: closed
}
