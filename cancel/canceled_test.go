package cancel_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nursery-go/nursery/cancel"
	"github.com/stretchr/testify/require"
)

var errCallerGone = errors.New("caller gone")

// A caller cancelled while the function ran gets the function's value and
// a *CanceledError that matches context.Canceled and carries the result.
func TestTimeoutValueReportsTheCallersCancellation(t *testing.T) {
	t.Run("success during cancellation", func(t *testing.T) {
		ctx, stop := context.WithCancelCause(context.Background())
		v, err := cancel.TimeoutValue(ctx, "op", time.Hour, func(context.Context) (int, error) {
			stop(errCallerGone) // the caller is cancelled while the op runs
			return 123, nil
		})
		require.Equal(t, 123, v)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, errCallerGone)
		var ce *cancel.CanceledError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, 123, ce.Value)
		require.NoError(t, ce.Err)
		require.Equal(t, errCallerGone, ce.Cause)
	})
	t.Run("failure during cancellation", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		errOp := errors.New("op failed")
		v, err := cancel.TimeoutValue(ctx, "op", time.Hour, func(context.Context) (int, error) {
			stop()
			return 7, errOp
		})
		require.Equal(t, 7, v)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, errOp)
		var ce *cancel.CanceledError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, 7, ce.Value)
		require.Equal(t, errOp, ce.Err)
	})
	t.Run("Timeout too", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		err := cancel.Timeout(ctx, "op", time.Hour, func(context.Context) error {
			stop()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		var ce *cancel.CanceledError
		require.ErrorAs(t, err, &ce)
		require.Nil(t, ce.Value)
	})
	t.Run("no cancellation", func(t *testing.T) {
		v, err := cancel.TimeoutValue(context.Background(), "op", time.Hour, func(context.Context) (int, error) {
			return 1, nil
		})
		require.NoError(t, err)
		require.Equal(t, 1, v)
	})
}

// A caller cancelled while the work ran still gets the work's result,
// with an error that says it was cancelled (hat.aio's wait_for).
func ExampleCanceledError() {
	ctx, stop := context.WithCancel(context.Background())
	v, err := cancel.TimeoutValue(ctx, "lookup", time.Minute, func(context.Context) (int, error) {
		stop() // the caller is cancelled meanwhile
		return 123, nil
	})
	fmt.Println(v, errors.Is(err, context.Canceled))
	var ce *cancel.CanceledError
	if errors.As(err, &ce) {
		fmt.Println(ce.Value, ce.Err)
	}
	// Output:
	// 123 true
	// 123 <nil>
}

// A CanceledError made by hand, with no context's end recorded, matches
// context.Canceled and nothing else it does not hold.
func TestCanceledErrorMadeByHand(t *testing.T) {
	err := &cancel.CanceledError{Value: 1}
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, context.DeadlineExceeded)
	require.NotErrorIs(t, err, errCallerGone)

	withErr := &cancel.CanceledError{Err: errCallerGone}
	require.ErrorIs(t, withErr, errCallerGone)
	require.ErrorIs(t, withErr, context.Canceled)
}
