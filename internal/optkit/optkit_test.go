package optkit

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCheck(t *testing.T) {
	require.NotPanics(t, func() { Check("p", "Opt", []string{"A", "B"}, "B") })
	require.PanicsWithValue(t, "p: Opt is an option of A, not of C", func() { Check("p", "Opt", []string{"A"}, "C") })
	require.PanicsWithValue(t, "p: Opt is an option of A or B, not of C", func() { Check("p", "Opt", []string{"A", "B"}, "C") })
	require.PanicsWithValue(t, "p: Opt is an option of A, B or D, not of C", func() { Check("p", "Opt", []string{"A", "B", "D"}, "C") })
}
