package queue_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

// FuzzQueue runs a random sequence of operations, decoded from the input
// one byte each, on a Queue and on a slice model, and checks that every
// result agrees. Operations that would block are skipped, so one goroutine
// suffices.
func FuzzQueue(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 1, 1, 1})
	f.Add([]byte{2, 0, 0, 0, 0, 6, 9, 8})
	f.Add([]byte{1, 0, 0, 7, 1, 0, 3, 5, 5, 10})
	f.Add([]byte{3, 4, 4, 4, 4, 2, 3, 11, 9, 7, 8, 11})
	f.Add([]byte{0, 4, 4, 4, 6, 4, 12, 7, 12, 1, 9})
	f.Add([]byte{0, 13, 13, 1, 1, 1, 13, 5, 8, 13, 7, 10})
	f.Add([]byte{0, 0, 0, 0, 0, 15, 14, 0, 0, 0, 0, 15, 7, 15, 14})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 {
			return
		}
		bg := context.Background()
		done := cancelled()
		capacity := int(ops[0] % 4) // 0 is unbounded
		q := queue.New[int](capacity)
		var model []int
		isClosed := false
		full := func() bool { return capacity > 0 && len(model) >= capacity }
		next := 0

		for i, op := range ops[1:] {
			kind := op % 16
			msg := "op " + strconv.Itoa(i) + " (" + strconv.Itoa(int(kind)) + ")"
			switch kind {
			case 0, 4: // TryPut, or Put when it cannot block
				if kind == 4 && full() && !isClosed {
					continue
				}
				next++
				var err error
				if kind == 0 {
					err = q.TryPut(next)
				} else {
					err = q.Put(bg, next)
				}
				switch {
				case isClosed:
					require.ErrorIs(t, err, queue.ErrClosed, msg)
				case full():
					require.ErrorIs(t, err, queue.ErrFull, msg)
				default:
					require.NoError(t, err, msg)
					model = append(model, next)
				}
			case 1, 5: // TryGet, or Get when it cannot block
				if kind == 5 && len(model) == 0 && !isClosed {
					continue
				}
				var v int
				var err error
				if kind == 1 {
					v, err = q.TryGet()
				} else {
					v, err = q.Get(bg)
				}
				switch {
				case len(model) > 0:
					require.NoError(t, err, msg)
					require.Equal(t, model[0], v, msg)
					model = model[1:]
				case isClosed:
					require.ErrorIs(t, err, queue.ErrClosed, msg)
				default:
					require.ErrorIs(t, err, queue.ErrEmpty, msg)
				}
			case 2: // Put with a done ctx adds nothing
				require.ErrorIs(t, q.Put(done, -1), errCause, msg)
			case 3: // Get with a done ctx takes nothing
				_, err := q.Get(done)
				require.ErrorIs(t, err, errCause, msg)
			case 6: // GetUntilEmpty when it cannot block
				if len(model) == 0 && !isClosed {
					continue
				}
				v, err := q.GetUntilEmpty(bg)
				if len(model) == 0 {
					require.ErrorIs(t, err, queue.ErrClosed, msg)
				} else {
					require.NoError(t, err, msg)
					require.Equal(t, model[len(model)-1], v, msg)
					model = nil
				}
			case 7:
				q.Close()
				isClosed = true
			case 8:
				got := q.Drain()
				require.Equal(t, len(model), len(got), msg)
				if len(model) > 0 {
					require.Equal(t, model, got, msg)
				}
				model = nil
			case 9: // GetUntilEmpty with a done ctx takes nothing
				_, err := q.GetUntilEmpty(done)
				require.ErrorIs(t, err, errCause, msg)
			case 10: // All on a closed queue yields the rest, then ends
				if !isClosed {
					continue
				}
				var got []int
				for v, err := range q.All(bg) {
					require.NoError(t, err, msg)
					got = append(got, v)
				}
				require.True(t, slices.Equal(model, got), msg)
				model = nil
			case 11: // All with a done ctx yields the cause once, unless drained
				n := 0
				for _, err := range q.All(done) {
					require.ErrorIs(t, err, errCause, msg)
					n++
				}
				want := 1
				if isClosed && len(model) == 0 {
					want = 0
				}
				require.Equal(t, want, n, msg)
			case 12:
				require.Equal(t, capacity, q.Cap(), msg)
				require.Equal(t, isClosed, q.IsClosed(), msg)
			case 14: // TryGetUntilEmpty
				v, err := q.TryGetUntilEmpty()
				switch {
				case len(model) > 0:
					require.NoError(t, err, msg)
					require.Equal(t, model[len(model)-1], v, msg)
					model = nil
				case isClosed:
					require.ErrorIs(t, err, queue.ErrClosed, msg)
				default:
					require.ErrorIs(t, err, queue.ErrEmpty, msg)
				}
			case 15: // First when it cannot block: up to a multiple of 3
				i := slices.IndexFunc(model, func(v int) bool { return v%3 == 0 })
				if i < 0 && !isClosed {
					continue
				}
				v, err := q.First(bg, func(v int) bool { return v%3 == 0 })
				if i < 0 {
					require.ErrorIs(t, err, queue.ErrClosed, msg)
					model = nil
				} else {
					require.NoError(t, err, msg)
					require.Equal(t, model[i], v, msg)
					model = model[i+1:]
				}
			case 13: // a burst, to span several chunks of an unbounded queue
				for range 150 {
					next++
					err := q.TryPut(next)
					switch {
					case isClosed:
						require.ErrorIs(t, err, queue.ErrClosed, msg)
					case full():
						require.ErrorIs(t, err, queue.ErrFull, msg)
					default:
						require.NoError(t, err, msg)
						model = append(model, next)
					}
				}
			}
			require.Equal(t, len(model), q.Len(), msg)
			require.Equal(t, len(model) == 0, q.Empty(), msg)
			require.Equal(t, full(), q.Full(), msg)
		}
	})
}
