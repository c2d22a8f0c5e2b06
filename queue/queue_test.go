package queue_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/nursery-go/nursery/queue"
)

// errCause is the cause given to cancelled contexts in tests.
var errCause = errors.New("test cause")

// cancelled returns a context that is already done with errCause.
func cancelled() context.Context {
	ctx, stop := context.WithCancelCause(context.Background())
	stop(errCause)
	return ctx
}

// filled returns a queue of the given capacity holding items, closed if
// asked.
func filled(t *testing.T, capacity int, items []int, isClosed bool) *queue.Queue[int] {
	t.Helper()
	q := queue.New[int](capacity)
	for _, v := range items {
		require.NoError(t, q.TryPut(v))
	}
	if isClosed {
		q.Close()
	}
	return q
}

func TestNew(t *testing.T) {
	for _, capacity := range []int{0, 1, 1024, 1 << 40} {
		q := queue.New[int](capacity)
		require.Equal(t, capacity, q.Cap())
		require.Equal(t, 0, q.Len())
		require.False(t, q.IsClosed())
	}
}

func TestNew_panicsOnNegativeCapacity(t *testing.T) {
	require.PanicsWithValue(t, "queue: negative capacity", func() { queue.New[int](-1) })
}

func TestZeroValueIsUnboundedAndOpen(t *testing.T) {
	var q queue.Queue[string]
	require.Equal(t, 0, q.Cap())
	for range 1000 {
		require.NoError(t, q.Put(context.Background(), "x"))
	}
	require.False(t, q.Full())
	v, err := q.Get(context.Background())
	require.NoError(t, err)
	require.Equal(t, "x", v)
	require.Equal(t, 999, q.Len())
}

func TestTryPut(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		give     []int
		isClosed bool
		wantErr  error
		wantLen  int
	}{
		{"room", 2, []int{1}, false, nil, 2},
		{"unbounded", 0, []int{1, 2, 3}, false, nil, 4},
		{"full", 2, []int{1, 2}, false, queue.ErrFull, 2},
		{"closed", 2, nil, true, queue.ErrClosed, 0},
		{"closed and full", 1, []int{1}, true, queue.ErrClosed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := filled(t, tt.capacity, tt.give, tt.isClosed)
			err := q.TryPut(99)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.wantLen, q.Len())
		})
	}
}

func TestTryGet(t *testing.T) {
	tests := []struct {
		name     string
		give     []int
		isClosed bool
		want     int
		wantErr  error
	}{
		{"oldest first", []int{1, 2}, false, 1, nil},
		{"empty", nil, false, 0, queue.ErrEmpty},
		{"closed with items", []int{7}, true, 7, nil},
		{"closed and empty", nil, true, 0, queue.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := filled(t, 0, tt.give, tt.isClosed)
			got, err := q.TryGet()
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestPut(t *testing.T) {
	tests := []struct {
		name     string
		ctx      context.Context
		capacity int
		give     []int
		isClosed bool
		wantErr  error
		wantLen  int
	}{
		{"room", context.Background(), 2, nil, false, nil, 1},
		{"closed", context.Background(), 2, nil, true, queue.ErrClosed, 0},
		{"done ctx takes no room", cancelled(), 2, nil, false, errCause, 0},
		{"done ctx on full queue", cancelled(), 1, []int{1}, false, errCause, 1},
		{"done ctx wins over closed", cancelled(), 1, nil, true, errCause, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := filled(t, tt.capacity, tt.give, tt.isClosed)
			err := q.Put(tt.ctx, 99)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.wantLen, q.Len())
		})
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		name     string
		ctx      context.Context
		give     []int
		isClosed bool
		want     int
		wantErr  error
		wantLen  int
	}{
		{"oldest first", context.Background(), []int{1, 2}, false, 1, nil, 1},
		{"closed with items", context.Background(), []int{1, 2}, true, 1, nil, 1},
		{"closed and empty", context.Background(), nil, true, 0, queue.ErrClosed, 0},
		{"done ctx takes nothing", cancelled(), []int{1}, false, 0, errCause, 1},
		{"done ctx on closed queue", cancelled(), []int{1}, true, 0, errCause, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := filled(t, 0, tt.give, tt.isClosed)
			got, err := q.Get(tt.ctx)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.wantLen, q.Len())
		})
	}
}

func TestGetUntilEmpty(t *testing.T) {
	tests := []struct {
		name     string
		ctx      context.Context
		give     []int
		isClosed bool
		want     int
		wantErr  error
		wantLen  int
	}{
		{"one item", context.Background(), []int{1}, false, 1, nil, 0},
		{"returns the last", context.Background(), []int{1, 2, 3}, false, 3, nil, 0},
		{"closed with items", context.Background(), []int{1, 2}, true, 2, nil, 0},
		{"closed and empty", context.Background(), nil, true, 0, queue.ErrClosed, 0},
		{"done ctx takes nothing", cancelled(), []int{1, 2}, false, 0, errCause, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := filled(t, 0, tt.give, tt.isClosed)
			var got int
			var err error
			testkit.Within(t, "GetUntilEmpty", func() { got, err = q.GetUntilEmpty(tt.ctx) })
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.wantLen, q.Len())
		})
	}
}

func TestTryGetUntilEmpty(t *testing.T) {
	tests := []struct {
		name     string
		give     []int
		isClosed bool
		want     int
		wantErr  error
	}{
		{"one item", []int{1}, false, 1, nil},
		{"returns the last", []int{1, 2, 3}, false, 3, nil},
		{"closed with items", []int{1, 2}, true, 2, nil},
		{"open and empty", nil, false, 0, queue.ErrEmpty},
		{"closed and empty", nil, true, 0, queue.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := filled(t, 0, tt.give, tt.isClosed)
			var got int
			var err error
			testkit.Within(t, "TryGetUntilEmpty", func() { got, err = q.TryGetUntilEmpty() })
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, 0, q.Len())
		})
	}
}

func TestClose(t *testing.T) {
	t.Run("is idempotent", func(t *testing.T) {
		q := filled(t, 2, []int{1}, true)
		q.Close()
		q.Close()
		require.True(t, q.IsClosed())
		require.Equal(t, 1, q.Len())
	})
	t.Run("keeps buffered items for Get, then fails", func(t *testing.T) {
		q := filled(t, 3, []int{1, 2, 3}, true)
		for _, want := range []int{1, 2, 3} {
			got, err := q.Get(context.Background())
			require.NoError(t, err)
			require.Equal(t, want, got)
		}
		for range 3 { // stays failed, never panics
			_, err := q.Get(context.Background())
			require.ErrorIs(t, err, queue.ErrClosed)
			require.ErrorIs(t, q.Put(context.Background(), 4), queue.ErrClosed)
		}
	})
	t.Run("is safe from many goroutines", func(t *testing.T) {
		q := queue.New[int](1)
		done := make(chan struct{})
		for range 8 {
			go func() {
				q.Close()
				done <- struct{}{}
			}()
		}
		for range 8 {
			<-done
		}
		require.True(t, q.IsClosed())
	})
}
