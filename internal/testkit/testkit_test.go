package testkit_test

import (
	"regexp"
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

func TestOutputWaitFor(t *testing.T) {
	out := testkit.NewOutput()
	go func() { _, _ = out.Write([]byte("listening on 127.0.0.1:80\n")) }()
	m := out.WaitFor(t, regexp.MustCompile(`listening on (\S+)`), testkit.Bound)
	require.Equal(t, "127.0.0.1:80", m[1])
	require.Equal(t, "listening on 127.0.0.1:80\n", out.String())
}
