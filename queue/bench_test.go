package queue_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/queue"
)

// benchCap is the capacity of the bounded queue and of every channel. The
// unbounded queue is compared with a channel of benchCap, since a channel
// cannot be unbounded.
const benchCap = 1024

// BenchmarkPutGet moves b.N items from P producers to C consumers, through a
// Queue (impl=queue) or a buffered channel (impl=chan), so that
//
//	benchstat -col /impl bench.txt
//
// puts the two side by side. ns/op is per item.
func BenchmarkPutGet(b *testing.B) {
	for _, load := range []struct{ p, c int }{{1, 1}, {4, 4}} {
		name := strconv.Itoa(load.p) + "p" + strconv.Itoa(load.c) + "c"
		for _, kind := range []string{"bounded", "unbounded"} {
			capacity := benchCap
			if kind == "unbounded" {
				capacity = 0
			}
			b.Run("impl=queue/load="+name+"/kind="+kind, func(b *testing.B) {
				benchQueue(b, load.p, load.c, capacity)
			})
			b.Run("impl=chan/load="+name+"/kind="+kind, func(b *testing.B) {
				benchChan(b, load.p, load.c)
			})
		}
	}
}

// share returns how many of n items producer i of p sends.
func share(n, p, i int) int {
	k := n / p
	if i < n%p {
		k++
	}
	return k
}

func benchQueue(b *testing.B, producers, consumers, capacity int) {
	b.ReportAllocs()
	ctx := context.Background()
	q := queue.New[int](capacity)
	var prod, cons sync.WaitGroup
	b.ResetTimer()
	for i := range producers {
		prod.Go(func() {
			for j := range share(b.N, producers, i) {
				if err := q.Put(ctx, j); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	for range consumers {
		cons.Go(func() {
			for {
				if _, err := q.Get(ctx); err != nil {
					return
				}
			}
		})
	}
	prod.Wait()
	q.Close()
	cons.Wait()
}

func benchChan(b *testing.B, producers, consumers int) {
	b.ReportAllocs()
	ch := make(chan int, benchCap)
	var prod, cons sync.WaitGroup
	b.ResetTimer()
	for i := range producers {
		prod.Go(func() {
			for j := range share(b.N, producers, i) {
				ch <- j
			}
		})
	}
	for range consumers {
		cons.Go(func() {
			for range ch {
			}
		})
	}
	prod.Wait()
	close(ch)
	cons.Wait()
}
