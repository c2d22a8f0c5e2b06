package call_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor/call"
)

func TestBackoffZeroIsTheDefault(t *testing.T) {
	b := call.Backoff{NoJitter: true}
	var got []time.Duration
	for n := range 9 {
		got = append(got, b.Delay(n))
	}
	require.Equal(t, []time.Duration{
		100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 6400 * time.Millisecond, 10 * time.Second, 10 * time.Second,
	}, got)
	require.Equal(t, 10*time.Second, b.Delay(math.MaxInt), "a large n saturates at Max")
}

func TestBackoffFields(t *testing.T) {
	b := call.Backoff{Base: time.Second, Max: 5 * time.Second, Multiplier: 1.5, NoJitter: true}
	require.Equal(t, time.Second, b.Delay(0))
	require.Equal(t, 1500*time.Millisecond, b.Delay(1))
	require.Equal(t, 2250*time.Millisecond, b.Delay(2))
	require.Equal(t, 5*time.Second, b.Delay(9))

	// A Base above the default Max raises the cap to Base.
	require.Equal(t, 20*time.Second, call.Backoff{Base: 20 * time.Second, NoJitter: true}.Delay(3))
	// Multiplier 1 keeps the delay constant.
	require.Equal(t, time.Second, call.Backoff{Base: time.Second, Multiplier: 1, NoJitter: true}.Delay(7))
	// Back to back.
	require.Equal(t, time.Nanosecond, call.Backoff{Base: time.Nanosecond, Max: time.Nanosecond}.Delay(4))
}

func TestBackoffJitterStaysInTheUpperHalf(t *testing.T) {
	b := call.Backoff{Rand: rand.New(rand.NewPCG(3, 4))}
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := b.Delay(2) // nominal 400ms
		require.GreaterOrEqual(t, d, 200*time.Millisecond)
		require.LessOrEqual(t, d, 400*time.Millisecond)
		seen[d] = true
	}
	require.Greater(t, len(seen), 900, "the delays are spread, not one value")

	// The same source gives the same delays.
	x := call.Backoff{Rand: rand.New(rand.NewPCG(5, 6))}
	y := call.Backoff{Rand: rand.New(rand.NewPCG(5, 6))}
	for n := range 20 {
		require.Equal(t, x.Delay(n), y.Delay(n))
	}
}

func TestBackoffPanicsOnBadFields(t *testing.T) {
	for _, tt := range []struct {
		b    call.Backoff
		want string
	}{
		{call.Backoff{Base: -1}, "call: Backoff with a negative delay"},
		{call.Backoff{Max: -1}, "call: Backoff with a negative delay"},
		{call.Backoff{Base: 2, Max: 1}, "call: Backoff with Max below Base"},
		{call.Backoff{Multiplier: 0.5}, "call: Backoff Multiplier must be finite and at least 1"},
		{call.Backoff{Multiplier: math.NaN()}, "call: Backoff Multiplier must be finite and at least 1"},
		{call.Backoff{Multiplier: math.Inf(1)}, "call: Backoff Multiplier must be finite and at least 1"},
	} {
		require.PanicsWithValue(t, tt.want, func() { tt.b.Delay(0) })
		require.PanicsWithValue(t, tt.want, func() { call.WithBackoff(tt.b) })
	}
}
