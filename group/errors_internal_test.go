package group

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	errOwn   = errors.New("own")
	errWhy   = errors.New("why")
	errFault = errors.New("fault")
)

// A cancelled task's error joins how its context ended, what it returned
// and why, each once, in that order.
func TestCanceledOutcome(t *testing.T) {
	err := canceledOutcome(errOwn, context.Canceled, errWhy)
	require.Equal(t, "context canceled: own: why", err.Error())
	require.ErrorIs(t, err, errOwn)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, errWhy)

	// Returned nil: the context's end and cause.
	err = canceledOutcome(nil, context.Canceled, errWhy)
	require.Equal(t, "context canceled: why", err.Error())
	require.ErrorIs(t, err, context.Canceled)

	// Already says it all: itself.
	require.Same(t, errOwn, canceledOutcome(errOwn, nil, nil))
	require.Equal(t, context.Canceled, canceledOutcome(context.Canceled, context.Canceled, nil))
}

// Work refused by a group that left Open gets ErrClosed, wrapping why the
// group closed when that was not a plain close.
func TestRefusal(t *testing.T) {
	require.Equal(t, ErrClosed, refusal(nil))
	require.Equal(t, ErrClosed, refusal(ErrClosed))
	err := refusal(errFault)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, err, errFault)
}

func TestShutdownErrorMessageAndUnwrap(t *testing.T) {
	stuck := []StuckTask{{Task: "g/slow", Age: 1500 * time.Millisecond}}
	e := &ShutdownError{Cause: context.DeadlineExceeded, Stuck: stuck}
	require.Equal(t, "group: shutdown gave up (context deadline exceeded): 1 task(s) ignored cancellation: g/slow (running 1.5s)", e.Error())
	require.Equal(t, []error{context.DeadlineExceeded}, e.Unwrap())

	e.Err = errFault
	require.Equal(t, "group: shutdown gave up (context deadline exceeded): 1 task(s) ignored cancellation: g/slow (running 1.5s); failures: fault", e.Error())
	require.ErrorIs(t, e, errFault)
	require.ErrorIs(t, e, context.DeadlineExceeded)
}

func TestRoundAge(t *testing.T) {
	require.Equal(t, "1.5s", roundAge(1500*time.Millisecond+300*time.Microsecond))
	require.Equal(t, "1m2s", roundAge(time.Minute+1600*time.Millisecond))
}

func TestShutdownGraceZeroIsAllowed(t *testing.T) {
	require.NotPanics(t, func() { ShutdownGrace(0) })
}

// Every state's name decodes to that state; unknown names are errors.
func TestStatesRoundTripThroughText(t *testing.T) {
	for s := Open; s <= Closed; s++ {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var got State
		require.NoError(t, got.UnmarshalText(b))
		require.Equal(t, s, got)
	}
	for s := Pending; s <= Refused; s++ {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var got TaskState
		require.NoError(t, got.UnmarshalText(b))
		require.Equal(t, s, got)
	}
	var s State
	require.Error(t, s.UnmarshalText([]byte("ajar")))
	var ts TaskState
	require.Error(t, ts.UnmarshalText([]byte("asleep")))
}
