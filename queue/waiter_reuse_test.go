package queue_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

// A getter that blocks again and again reuses the queue's waiters: a
// steady hand-off to a blocked Get allocates nothing, however long it goes.
func TestBlockedGetReusesItsWaiters(t *testing.T) {
	q := queue.New[int](1)
	ack := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			v, err := q.Get(context.Background())
			if err != nil {
				return
			}
			ack <- v
		}
	}()
	handoff := func() {
		require.NoError(t, q.Put(context.Background(), 1))
		<-ack
	}
	for range 10 {
		handoff() // warm up: the waiters and the goroutine's stack
	}
	require.Zero(t, testing.AllocsPerRun(500, handoff))
	q.Close()
	<-done
}
