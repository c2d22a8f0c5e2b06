package group_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

func TestAsyncResult(t *testing.T) {
	var g group.Group
	f := group.Async(&g, func(context.Context) (string, error) { return "hello", nil }, group.Name("greet"))
	v, err := result(t, f)
	require.NoError(t, err)
	require.Equal(t, "hello", v)
	require.Equal(t, "greet", f.Name())
	require.Equal(t, group.Succeeded, f.State())
	require.NoError(t, wait(t, &g))
}

func TestAsyncErrorFailsTheGroup(t *testing.T) {
	boom := errors.New("boom")
	g := group.New(context.Background())
	f := group.Async(g, func(context.Context) (int, error) { return 0, boom })
	_, err := result(t, f)
	require.Equal(t, boom, err)
	require.ErrorIs(t, wait(t, g), boom)
}

func TestAwaitIsBoundedByItsContext(t *testing.T) {
	g := group.New(context.Background())
	release := make(chan struct{})
	f := group.Async(g, func(context.Context) (int, error) { <-release; return 7, nil })
	why := errors.New("impatient")
	ctx, stop := context.WithCancelCause(context.Background())
	stop(why)
	v, err := f.Await(ctx)
	require.ErrorIs(t, err, why)
	require.Equal(t, 0, v)
	close(release)
	v, err = f.Await(context.Background())
	require.NoError(t, err)
	require.Equal(t, 7, v)
	require.NoError(t, wait(t, g))
}

func TestFutureCancel(t *testing.T) {
	g := group.New(context.Background())
	up := make(chan struct{})
	f := group.Async(g, func(ctx context.Context) (int, error) {
		close(up)
		<-ctx.Done()
		return -1, ctx.Err()
	})
	recv(t, up, "future start")
	f.Cancel()
	v, err := result(t, f)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, -1, v)
	require.Equal(t, group.Canceled, f.State())
	require.NoError(t, wait(t, g))
}
