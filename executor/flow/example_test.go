package flow_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
)

// paco's pipeline example: filter → map → dropwhile → reduce over 1..10.
// Every stage runs its calls concurrently (4 at a time) and reads the stage
// before it as results come, so memory stays bounded however long the input.
func Example_pipeline() {
	ctx := context.Background()
	lessThan8 := func(_ context.Context, x int) (bool, error) { return x < 8, nil }
	double := func(_ context.Context, x int) (int, error) { return x * 2, nil }
	lessThan10 := func(_ context.Context, x int) (bool, error) { return x < 10, nil }
	add := func(_ context.Context, acc, x int) (int, error) { return acc + x, nil }

	numbers := flow.Slice([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	n, err := flow.Reduce(ctx,
		flow.DropWhile(ctx,
			flow.Map(ctx,
				flow.Filter(ctx, numbers, lessThan8, 4),
				double, 4),
			lessThan10, 4),
		add, 0)
	fmt.Println("Number:", n, err)
	// Output: Number: 36 <nil>
}

func ExampleMap() {
	ctx := context.Background()
	words := flow.Slice([]string{"structured", "concurrency", "in", "go"})
	upper := func(_ context.Context, s string) (string, error) { return strings.ToUpper(s), nil }
	// At most 2 calls at once; results in input order.
	for w, err := range flow.Map(ctx, words, upper, 2) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(w)
	}
	// Output:
	// STRUCTURED
	// CONCURRENCY
	// IN
	// GO
}

func ExampleMap_failure() {
	ctx := context.Background()
	parse := func(_ context.Context, s string) (int, error) {
		if s == "x" {
			return 0, errors.New("not a number: x")
		}
		return len(s), nil
	}
	// The values before the failing one, in order, then the failure.
	vs, err := flow.Collect(flow.Map(ctx, flow.Slice([]string{"a", "bb", "x", "dddd"}), parse, 0))
	fmt.Println(vs, err)
	// Output: [1 2] not a number: x
}

func ExampleFlatMap() {
	ctx := context.Background()
	split := func(_ context.Context, s string) ([]string, error) { return strings.Fields(s), nil }
	words, err := flow.Collect(flow.FlatMap(ctx, flow.Slice([]string{"a b", "c", "d e f"}), split, 0))
	fmt.Println(words, err)
	// Output: [a b c d e f] <nil>
}

func ExampleFilter() {
	ctx := context.Background()
	even := func(_ context.Context, x int) (bool, error) { return x%2 == 0, nil }
	evens, _ := flow.Collect(flow.Filter(ctx, flow.Values(slices.Values([]int{1, 2, 3, 4, 5, 6})), even, 3))
	fmt.Println(evens)
	// Output: [2 4 6]
}

func ExampleDropWhile() {
	ctx := context.Background()
	small := func(_ context.Context, x int) (bool, error) { return x < 3, nil }
	rest, err := flow.Collect(flow.DropWhile(ctx, flow.Slice([]int{1, 2, 3, 1, 4}), small, 2))
	fmt.Println(rest, err)
	// Output: [3 1 4] <nil>
}

func ExampleEach() {
	ctx := context.Background()
	var total atomic.Int64
	err := flow.Each(ctx, flow.Slice([]int64{1, 2, 3, 4}), func(_ context.Context, x int64) error {
		total.Add(x)
		return nil
	}, 2)
	fmt.Println(total.Load(), err)
	// Output: 10 <nil>
}

func ExampleReduce() {
	ctx := context.Background()
	join := func(_ context.Context, acc string, s string) (string, error) { return acc + s, nil }
	left, _ := flow.Reduce(ctx, flow.Slice([]string{"a", "b", "c"}), join, ">")
	// From the right: the values reversed first.
	vs, _ := flow.Collect(flow.Slice([]string{"a", "b", "c"}))
	slices.Reverse(vs)
	right, _ := flow.Reduce(ctx, flow.Slice(vs), join, ">")
	fmt.Println(left, right)
	// Output: >abc >cba
}

func ExampleEvery() {
	ctx := context.Background()
	positive := func(_ context.Context, x int) (bool, error) { return x > 0, nil }
	all, _ := flow.Every(ctx, flow.Slice([]int{3, 1, 2}), positive, 0)
	some, _ := flow.Some(ctx, flow.Slice([]int{-3, -1, 2}), positive, 0)
	none, _ := flow.Some(ctx, flow.Slice([]int{-3, -1}), positive, 0)
	fmt.Println(all, some, none)
	// Output: true true false
}

func ExampleFirst() {
	ctx := context.Background()
	long := func(_ context.Context, s string) (bool, error) { return len(s) > 3, nil }
	w, _ := flow.First(ctx, flow.Slice([]string{"go", "rust", "python"}), long, "none", 0)
	d, _ := flow.First(ctx, flow.Slice([]string{"go", "c"}), long, "none", 0)
	fmt.Println(w, d)
	// Output: rust none
}

func ExampleRace() {
	ctx := context.Background()
	slow := func(ctx context.Context) (string, error) {
		<-ctx.Done() // waits until the race is won by another
		return "", ctx.Err()
	}
	failing := func(context.Context) (string, error) { return "", errors.New("mirror down") }
	fast := func(context.Context) (string, error) { return "mirror 2", nil }
	fmt.Println(flow.Race(ctx, slow, failing, fast))
	// Output: mirror 2 <nil>
}

func ExampleGather() {
	ctx := context.Background()
	fetch := func(s string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return "got " + s, nil }
	}
	fmt.Println(flow.Gather(ctx, 2, fetch("a"), fetch("b"), fetch("c")))
	// Output: [got a got b got c] <nil>
}

func ExampleGatherAll() {
	ctx := context.Background()
	ok := func(context.Context) (int, error) { return 1, nil }
	bad := func(context.Context) (int, error) { return 0, errors.New("bad") }
	for _, r := range flow.GatherAll(ctx, 0, ok, bad, ok) {
		fmt.Println(r.Value, r.Err)
	}
	// Output:
	// 1 <nil>
	// 0 bad
	// 1 <nil>
}

func ExampleWait() {
	var g group.Group
	defer g.Close()
	release := make(chan struct{})
	quick := group.Async(&g, func(context.Context) (int, error) { return 1, nil })
	blocked := group.Async(&g, func(context.Context) (int, error) { <-release; return 2, nil })

	done, pending, err := flow.Wait(context.Background(), flow.FirstCompleted, quick, blocked)
	fmt.Println(len(done), len(pending), err, done[0] == quick)
	close(release)
	done, pending, err = flow.Wait(context.Background(), flow.AllCompleted, quick, blocked)
	fmt.Println(len(done), len(pending), err)
	// Output:
	// 1 1 <nil> true
	// 2 0 <nil>
}

func ExampleRepeat() {
	ctx := context.Background()
	double := func(_ context.Context, i int) (int, error) { return 2 * (i + 1), nil }
	fmt.Println(flow.Repeat(ctx, 5, double, 0))
	// Output: [2 4 6 8 10] <nil>
}

func ExampleUntil() {
	ctx := context.Background()
	calls := 0
	task := func(context.Context) (int, error) { calls++; return calls, nil }
	fmt.Println(flow.Until(ctx, task, func(context.Context) (bool, error) { return calls > 4, nil }))
	calls = 0
	fmt.Println(flow.Whilst(ctx, task, func(context.Context) (bool, error) { return calls < 4, nil }))
	// Output:
	// [1 2 3 4 5] <nil>
	// [1 2 3 4] <nil>
}

// MapAll yields every value's outcome, failures included, where Map would
// stop at the first failure.
func ExampleMapAll() {
	ctx := context.Background()
	parse := func(_ context.Context, s string) (int, error) { return strconv.Atoi(s) }
	for r, err := range flow.MapAll(ctx, flow.Slice([]string{"1", "two", "3"}), parse, 2) {
		if err != nil {
			fmt.Println("stream failed:", err) // src failed or ctx ended
			break
		}
		fmt.Println(r.Value, r.Err)
	}
	// Output:
	// 1 <nil>
	// 0 strconv.Atoi: parsing "two": invalid syntax
	// 3 <nil>
}
