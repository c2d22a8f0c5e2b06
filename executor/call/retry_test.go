package call_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/stretchr/testify/require"
)

// flaky fails its first n calls with errFlaky and records when each call
// happened.
type flaky struct {
	n     int
	begin time.Time
	at    []time.Duration
}

var errFlaky = errors.New("flaky")

func (f *flaky) call(context.Context) (int, error) {
	f.at = append(f.at, time.Since(f.begin))
	if len(f.at) <= f.n {
		return 0, errFlaky
	}
	return len(f.at), nil
}

func TestRetryBacksOffExponentially(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 10, begin: time.Now()}
		_, err := call.Retry(t.Context(), f.call, call.Attempts(5),
			call.WithBackoff(call.Backoff{Max: 300 * time.Millisecond, NoJitter: true}))
		require.ErrorIs(t, err, errFlaky)
		require.Equal(t, []time.Duration{0, sec(0.1), sec(0.3), sec(0.6), sec(0.9)}, f.at)
	})
}

func TestRetrySucceeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 2, begin: time.Now()}
		v, err := call.Retry(t.Context(), f.call, call.WithBackoff(call.Backoff{Multiplier: 3, NoJitter: true}))
		require.NoError(t, err)
		require.Equal(t, 3, v)
		require.Equal(t, []time.Duration{0, sec(0.1), sec(0.4)}, f.at)
	})
}

func TestRetryJitterIsReproducible(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 10, begin: time.Now()}
		_, err := call.Retry(t.Context(), f.call, call.Attempts(4),
			call.WithBackoff(call.Backoff{Rand: rand.New(rand.NewPCG(1, 2))}))
		require.ErrorIs(t, err, errFlaky)
		// The same draws, from the same seed, over the upper halves of
		// 100ms, 200ms, 400ms.
		r := rand.New(rand.NewPCG(1, 2))
		want := []time.Duration{0}
		for _, d := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
			j := d/2 + time.Duration(r.Int64N(int64(d-d/2)+1))
			require.GreaterOrEqual(t, j, d/2)
			require.LessOrEqual(t, j, d)
			want = append(want, want[len(want)-1]+j)
		}
		require.Equal(t, want, f.at)
	})
}

func TestRetryPermanentStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errNo := errors.New("no")
		calls := 0
		_, err := call.Retry(t.Context(), func(context.Context) (int, error) {
			calls++
			return 0, call.Permanent(errNo)
		})
		require.Equal(t, errNo, err)
		require.Equal(t, 1, calls)
		require.NoError(t, call.Permanent(nil))
	})
}

func TestRetryCtxEndsDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errGone := errors.New("gone")
		ctx, stop := context.WithCancelCause(t.Context())
		defer stop(nil)
		f := &flaky{n: 10, begin: time.Now()}
		done := make(chan error, 1)
		go func() {
			_, err := call.Retry(ctx, f.call, call.Attempts(100), call.WithBackoff(call.Backoff{NoJitter: true}))
			done <- err
		}()
		time.Sleep(sec(0.2))
		stop(errGone)
		err := <-done
		require.ErrorIs(t, err, errGone)
		require.ErrorIs(t, err, errFlaky)
		require.Equal(t, []time.Duration{0, sec(0.1)}, f.at)
		require.Equal(t, sec(0.2), time.Since(f.begin))
	})
}

func TestRetryDoneCtxDoesNotCall(t *testing.T) {
	errGone := errors.New("gone")
	ctx, stop := context.WithCancelCause(t.Context())
	stop(errGone)
	f := &flaky{begin: time.Now()}
	_, err := call.Retry(ctx, f.call)
	require.Equal(t, errGone, err)
	require.Empty(t, f.at)
}
