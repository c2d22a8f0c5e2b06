package resource_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

// A CutOffError says whether the budget was spent or the close was cut
// short, names what was cut off, and adds the resource's failures.
func TestCutOffErrorMessage(t *testing.T) {
	cut := []group.StuckTask{{Task: "db/flush", Age: 1500 * time.Millisecond}}
	spent := &resource.CutOffError{Resource: "db", Limit: 2 * time.Second, CutOff: cut}
	require.Equal(t, "resource: closing db took its whole budget of 2s and cut off 1: db/flush (running 1.5s)", spent.Error())

	errHurry := errors.New("second signal")
	errDisk := errors.New("disk full")
	short := &resource.CutOffError{Resource: "db", Limit: 2 * time.Second, Cause: errHurry, CutOff: cut, Err: errDisk}
	require.Equal(t, "resource: closing db was cut short (second signal) and cut off 1: db/flush (running 1.5s); failures: disk full", short.Error())
	require.ErrorIs(t, short, errDisk)
	require.NotErrorIs(t, short, errHurry, "the cause is not a failure of the resource")
}
