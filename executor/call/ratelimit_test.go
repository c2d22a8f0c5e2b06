package call_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/stretchr/testify/require"
)

// starts records when each caller got through a RateLimiter.
type starts struct {
	mu    sync.Mutex
	begin time.Time
	order []int
	at    []time.Duration
}

func (s *starts) add(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.order = append(s.order, i)
	s.at = append(s.at, time.Since(s.begin))
}

func sec(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func TestRateLimiterStartsAtExactTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := call.NewRateLimiter(2, time.Second, 200*time.Millisecond)
		s := &starts{begin: time.Now()}
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				if err := l.Wait(t.Context()); err == nil {
					s.add(i)
				}
			})
			// Let caller i queue before caller i+1 arrives.
			synctest.Wait()
		}
		wg.Wait()
		require.Equal(t, []int{0, 1, 2, 3, 4, 5}, s.order)
		require.Equal(t, []time.Duration{0, sec(0.2), sec(1), sec(1.2), sec(2), sec(2.2)}, s.at)
	})
}

func TestRateLimiterSequentialCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := call.NewRateLimiter(3, time.Second, 0)
		s := &starts{begin: time.Now()}
		for i := range 7 {
			require.NoError(t, l.Wait(t.Context()))
			s.add(i)
		}
		require.Equal(t, []time.Duration{0, 0, 0, sec(1), sec(1), sec(1), sec(2)}, s.at)
	})
}

func TestRateLimiterWaiterThatLeavesKeepsTheOthersInOrder(t *testing.T) {
	tests := []struct {
		name      string
		leave     int
		wantOrder []int
		wantAt    []time.Duration
	}{
		{"head", 2, []int{0, 1, 3, 4}, []time.Duration{0, sec(0.2), sec(1), sec(1.2)}},
		{"middle", 3, []int{0, 1, 2, 4}, []time.Duration{0, sec(0.2), sec(1), sec(1.2)}},
		{"tail", 4, []int{0, 1, 2, 3}, []time.Duration{0, sec(0.2), sec(1), sec(1.2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := call.NewRateLimiter(2, time.Second, 200*time.Millisecond)
				s := &starts{begin: time.Now()}
				errLeft := errors.New("left")
				ctx, stop := context.WithCancelCause(t.Context())
				defer stop(nil)
				var (
					wg      sync.WaitGroup
					leftErr error
					leftAt  time.Duration
				)
				for i := range 5 {
					wg.Go(func() {
						c := t.Context()
						if i == tt.leave {
							c = ctx
						}
						err := l.Wait(c)
						if i == tt.leave {
							leftErr, leftAt = err, time.Since(s.begin)
							return
						}
						if err == nil {
							s.add(i)
						}
					})
					synctest.Wait()
				}
				time.Sleep(500 * time.Millisecond)
				stop(errLeft)
				wg.Wait()
				require.ErrorIs(t, leftErr, errLeft)
				require.Equal(t, sec(0.5), leftAt)
				require.Equal(t, tt.wantOrder, s.order)
				require.Equal(t, tt.wantAt, s.at)
			})
		})
	}
}

func TestRateLimiterDoneCtxReturnsCauseAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := call.NewRateLimiter(1, time.Second, 0)
		errWhy := errors.New("why")
		ctx, stop := context.WithCancelCause(t.Context())
		stop(errWhy)
		require.ErrorIs(t, l.Wait(ctx), errWhy)
		// The refused call took no start.
		begin := time.Now()
		require.NoError(t, l.Wait(t.Context()))
		require.Equal(t, time.Duration(0), time.Since(begin))
	})
}

func TestNewRateLimiterPanicsOnBadArguments(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		per     time.Duration
		spacing time.Duration
	}{
		{"no calls", 0, time.Second, 0},
		{"no period", 1, 0, 0},
		{"negative spacing", 1, time.Second, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Panics(t, func() { call.NewRateLimiter(tt.n, tt.per, tt.spacing) })
		})
	}
}
