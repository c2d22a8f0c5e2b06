package flow_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/internal/testkit"
)

// errOdd returns the error MapAll's tests give to odd values.
func errOdd(i int) error { return fmt.Errorf("odd %d", i) }

func TestMapAll(t *testing.T) {
	// halve fails on odd values; the calls take longer for smaller values,
	// so that later values finish first.
	halve := func(ctx context.Context, i int) (int, error) {
		time.Sleep(time.Duration(20-i) * time.Millisecond)
		if i%2 == 1 {
			return -1, errOdd(i)
		}
		return i / 2, nil
	}

	for _, limit := range []int{0, 1, 3, 5000} {
		t.Run(fmt.Sprintf("every outcome in order, limit=%d", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var got []flow.Result[int]
				for r, err := range flow.MapAll(context.Background(), upTo(20), halve, limit) {
					require.NoError(t, err)
					got = append(got, r)
				}
				require.Len(t, got, 20)
				for i, r := range got {
					if i%2 == 1 {
						require.Equal(t, errOdd(i), r.Err, "value %d", i)
						require.Equal(t, -1, r.Value, "value %d keeps what fn returned", i)
					} else {
						require.NoError(t, r.Err, "value %d", i)
						require.Equal(t, i/2, r.Value)
					}
				}
			})
		})
	}

	t.Run("a failing call cancels nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fn := func(ctx context.Context, i int) (int, error) {
				if i == 1 {
					return 0, errBoom // fails while 0 and 2 still run
				}
				time.Sleep(time.Second)
				return i, context.Cause(ctx)
			}
			got, err := flow.Collect(flow.MapAll(context.Background(), upTo(3), fn, 0))
			require.NoError(t, err)
			require.Equal(t, []flow.Result[int]{{Value: 0}, {Err: errBoom}, {Value: 2}}, got)
		})
	})

	t.Run("a failure of src ends it after the values before", func(t *testing.T) {
		src := func(yield func(int, error) bool) {
			_ = yield(0, nil) && yield(1, nil) && yield(0, errBoom)
		}
		fn := func(_ context.Context, i int) (int, error) {
			if i == 1 {
				return 0, errOdd(1)
			}
			return i, nil
		}
		got, err := flow.Collect(flow.MapAll(context.Background(), src, fn, 2))
		require.ErrorIs(t, err, errBoom)
		require.Equal(t, []flow.Result[int]{{Value: 0}, {Err: errOdd(1)}}, got)
	})

	t.Run("ctx ending ends it with the cause", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			cause := errors.New("stop now")
			ctx, cancel := context.WithCancelCause(context.Background())
			var running atomic.Int64
			fn := func(ctx context.Context, i int) (int, error) {
				if i == 3 {
					cancel(cause)
				}
				running.Add(1)
				defer running.Add(-1)
				<-ctx.Done()
				return 0, context.Cause(ctx)
			}
			var pulled atomic.Int64
			n := 0
			var last error
			for r, err := range flow.MapAll(ctx, forever(&pulled), fn, 4) {
				if err != nil {
					last = err
					continue
				}
				require.ErrorIs(t, r.Err, cause, "a call that finished before the end")
				n++
			}
			require.ErrorIs(t, last, cause)
			require.LessOrEqual(t, n, 4)
			require.Zero(t, running.Load(), "calls still running after the range")
		})
	})

	t.Run("break cancels and joins", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var running atomic.Int64
			fn := func(ctx context.Context, i int) (int, error) {
				if i == 0 {
					return 0, errBoom
				}
				running.Add(1)
				defer running.Add(-1)
				<-ctx.Done()
				return 0, ctx.Err()
			}
			var pulled atomic.Int64
			for r, err := range flow.MapAll(context.Background(), forever(&pulled), fn, 3) {
				require.NoError(t, err)
				require.ErrorIs(t, r.Err, errBoom)
				break
			}
			require.Zero(t, running.Load(), "calls still running after the range")
		})
	})

	t.Run("a panic reaches the caller", func(t *testing.T) {
		fn := func(_ context.Context, i int) (int, error) {
			if i == 2 {
				panic("bug")
			}
			return i, nil
		}
		v := testkit.Catch(func() { _, _ = flow.Collect(flow.MapAll(context.Background(), upTo(5), fn, 2)) })
		require.NotNil(t, v)
		require.Contains(t, fmt.Sprint(v), "bug")
	})

	t.Run("bad input panics", func(t *testing.T) {
		id := func(_ context.Context, i int) (int, error) { return i, nil }
		for name, call := range map[string]func(){
			"nil src":  func() { flow.MapAll(context.Background(), nil, id, 1) },
			"nil fn":   func() { flow.MapAll[int, int](context.Background(), upTo(1), nil, 1) },
			"negative": func() { flow.MapAll(context.Background(), upTo(1), id, -1) },
		} {
			v := testkit.Catch(call)
			require.NotNil(t, v, name)
			require.Contains(t, fmt.Sprint(v), "flow: ", name)
		}
	})
}
