package call_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nursery-go/nursery/executor/call"
)

func ExampleRateLimiter() {
	// At most 2 starts per 3ms, at least 1ms apart.
	l := call.NewRateLimiter(2, 3*time.Millisecond, time.Millisecond)
	for i := range 4 {
		if err := l.Wait(context.Background()); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("query", i)
	}
	// Output:
	// query 0
	// query 1
	// query 2
	// query 3
}

func ExampleThrottle() {
	var calls atomic.Int32
	mul2 := call.Throttle(func(context.Context) (int32, error) {
		return 2 * calls.Add(1), nil
	}, time.Hour)
	a, _ := mul2(context.Background())
	b, _ := mul2(context.Background()) // within the frame: not run
	fmt.Println(a, b, calls.Load())
	// Output: 2 2 1
}

func ExampleDefer() {
	body := call.Defer(time.Millisecond, func(context.Context) error {
		fmt.Println("ran")
		return nil
	})
	fmt.Println(body(context.Background()))

	ctx, stop := context.WithCancelCause(context.Background())
	stop(errors.New("shutting down"))
	fmt.Println(body(ctx))
	// Output:
	// ran
	// <nil>
	// shutting down
}

func ExampleInterval() {
	ctx, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	n := 0
	body := call.Interval(time.Millisecond, func(context.Context) error {
		n++
		fmt.Println("tick", n)
		if n == 3 {
			stop(errors.New("enough"))
		}
		return nil
	})
	fmt.Println(body(ctx))
	// Output:
	// tick 1
	// tick 2
	// tick 3
	// enough
}

func ExampleRetry() {
	calls := 0
	v, err := call.Retry(context.Background(), func(context.Context) (string, error) {
		if calls++; calls < 3 {
			return "", errors.New("unavailable")
		}
		return "ok", nil
	}, call.WithBackoff(call.Backoff{Base: time.Millisecond}))
	fmt.Println(v, err, calls)

	_, err = call.Retry(context.Background(), func(context.Context) (string, error) {
		return "", errors.New("unavailable")
	}, call.Attempts(2), call.WithBackoff(call.Backoff{Base: time.Millisecond}))
	fmt.Println(err)
	// Output:
	// ok <nil> 3
	// call: retry: 2 attempts failed: unavailable
}

func ExamplePermanent() {
	errDenied := errors.New("denied")
	calls := 0
	_, err := call.Retry(context.Background(), func(context.Context) (int, error) {
		calls++
		return 0, call.Permanent(errDenied)
	})
	fmt.Println(errors.Is(err, errDenied), calls)
	// Output: true 1
}

func ExampleTimes() {
	ctx := context.Background()
	calls := 0
	next := call.Times(2, func(context.Context) (int, error) { calls++; return calls * 10, nil })
	for range 4 {
		v, _ := next(ctx)
		fmt.Print(v, " ")
	}
	fmt.Println("calls:", calls)
	// Output: 10 20 20 20 calls: 2
}
