package testkit_test

import (
	"regexp"
	"testing"
	"testing/synctest"

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

func TestBubbleGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		before := testkit.BubbleGoroutines()
		require.GreaterOrEqual(t, before, 1, "the caller counts")
		release := make(chan struct{})
		go func() { <-release }()
		synctest.Wait()
		require.Equal(t, before+1, testkit.BubbleGoroutines())
		close(release)
		synctest.Wait()
		require.Equal(t, before, testkit.BubbleGoroutines())
	})
	require.Panics(t, func() { testkit.BubbleGoroutines() }, "outside a bubble")
}
