package queue_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

func TestDrain(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		give     []int
		isClosed bool
		want     []int
	}{
		{"empty open", 0, nil, false, nil},
		{"empty closed", 2, nil, true, nil},
		{"open", 0, []int{1, 2, 3}, false, []int{1, 2, 3}},
		{"closed", 3, []int{1, 2, 3}, true, []int{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := filled(t, tt.capacity, tt.give, tt.isClosed)
			require.Equal(t, tt.want, q.Drain())
			require.Equal(t, 0, q.Len())
			require.Equal(t, tt.isClosed, q.IsClosed())
			require.Nil(t, q.Drain())
		})
	}
	t.Run("open queue stays usable", func(t *testing.T) {
		q := filled(t, 2, []int{1, 2}, false)
		require.Equal(t, []int{1, 2}, q.Drain())
		require.NoError(t, q.TryPut(3))
		require.NoError(t, q.TryPut(4))
		require.ErrorIs(t, q.TryPut(5), queue.ErrFull)
		require.Equal(t, []int{3, 4}, q.Drain())
	})
}

func TestState(t *testing.T) {
	tests := []struct {
		name      string
		capacity  int
		give      []int
		isClosed  bool
		wantEmpty bool
		wantFull  bool
		wantStr   string
	}{
		{"zero", 0, nil, false, true, false, "queue(len=0, cap=unbounded, open)"},
		{"unbounded", 0, []int{1, 2}, false, false, false, "queue(len=2, cap=unbounded, open)"},
		{"bounded", 3, []int{1}, false, false, false, "queue(len=1, cap=3, open)"},
		{"full", 2, []int{1, 2}, false, false, true, "queue(len=2, cap=2, open)"},
		{"closed full", 1, []int{1}, true, false, true, "queue(len=1, cap=1, closed)"},
		{"closed empty", 1, nil, true, true, false, "queue(len=0, cap=1, closed)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := filled(t, tt.capacity, tt.give, tt.isClosed)
			require.Equal(t, len(tt.give), q.Len())
			require.Equal(t, tt.capacity, q.Cap())
			require.Equal(t, tt.wantEmpty, q.Empty())
			require.Equal(t, tt.wantFull, q.Full())
			require.Equal(t, tt.isClosed, q.IsClosed())
			require.Equal(t, tt.wantStr, q.String())
		})
	}
}
