package resource_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/resource"
)

// Zero durations are valid options: no time at all, not no limit.
func TestOptionsAcceptZero(t *testing.T) {
	require.NotPanics(t, func() { resource.CloseTimeout(0) })
	require.NotPanics(t, func() { resource.DrainTimeout(0) })
	require.NotPanics(t, func() { resource.ShutdownTimeout(0) })
}
