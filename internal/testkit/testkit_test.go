package testkit_test

import (
	"testing"

	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

func TestCatch(t *testing.T) {
	require.Equal(t, "boom", testkit.Catch(func() { panic("boom") }))
	require.Nil(t, testkit.Catch(func() {}))
}

func TestRecvAndNotClosed(t *testing.T) {
	ch := make(chan struct{})
	testkit.NotClosed(t, ch, "open channel")
	close(ch)
	testkit.Recv(t, ch, "closed channel")
}
