package queue

import (
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var segmentStressSeed = flag.Uint64("segstress.seed", 0, "seed for TestSegmentStress (0: random)")

// TestSegmentStress runs producers and consumers on queues with segments of
// one to eight slots, so that the lock-free paths meet segment boundaries,
// spare reuse, gates and waiters all the time, and closes the queue at a
// random moment while they run. It checks that every item whose put
// returned nil is received exactly once, nothing else is received, and each
// consumer sees each producer's items in the order they were put.
func TestSegmentStress(t *testing.T) {
	seed := *segmentStressSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("reproduce with: go test -race -run TestSegmentStress ./queue/ -segstress.seed=%d", seed)
		}
	})
	rng := rand.New(rand.NewPCG(seed, 0))
	rounds := 60
	if testing.Short() {
		rounds = 10
	}
	for range rounds {
		segmentStressRound(t, rng.Uint64())
		if t.Failed() {
			return
		}
	}
}

func segmentStressRound(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var (
		capacity    = []int{0, 0, 1, 2, 3, 5, 13}[rng.IntN(7)]
		size        = []int{1, 2, 3, 4, 8}[rng.IntN(5)]
		producers   = 1 + rng.IntN(4)
		consumers   = 1 + rng.IntN(4)
		perProducer = 100 + rng.IntN(900)
		closeAfter  = int64(1 + rng.IntN(producers*perProducer*5/4))
		q           = newSmall[int](capacity, size)
		puts        atomic.Int64
		trigger     = make(chan struct{})
		sent        = make([][]int, producers)
		got         = make([][]int, consumers)
		prod, cons  sync.WaitGroup
	)
	// Every wait is bounded: a lost wake-up fails the round instead of
	// hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for p := range producers {
		prng := rand.New(rand.NewPCG(seed, uint64(10+p)))
		prod.Go(func() {
			for i := range perProducer {
				v := p*perProducer + i
				var err error
				if prng.IntN(4) == 0 {
					err = q.TryPut(v)
				} else {
					err = q.Put(ctx, v)
				}
				switch {
				case err == nil:
					sent[p] = append(sent[p], v)
					if puts.Add(1) == closeAfter {
						close(trigger)
					}
				case errors.Is(err, ErrClosed):
					return
				case !errors.Is(err, ErrFull):
					t.Errorf("Put: %v", err)
					return
				}
			}
		})
	}
	for c := range consumers {
		crng := rand.New(rand.NewPCG(seed, uint64(100+c)))
		cons.Go(func() {
			for {
				var v int
				var err error
				switch crng.IntN(16) {
				case 0, 1:
					v, err = q.TryGet()
				case 2:
					got[c] = append(got[c], q.Drain()...)
					continue
				case 3:
					_, _ = q.Len(), q.Full()
					continue
				default:
					v, err = q.Get(ctx)
				}
				switch {
				case err == nil:
					got[c] = append(got[c], v)
				case errors.Is(err, ErrClosed):
					return // closed and drained
				case errors.Is(err, ErrEmpty):
					runtime.Gosched()
				default:
					t.Errorf("Get: %v", err)
					return
				}
			}
		})
	}
	allSent := make(chan struct{})
	go func() { prod.Wait(); close(allSent) }()
	select {
	case <-trigger:
	case <-allSent:
	}
	q.Close()
	<-allSent
	cons.Wait()
	require.Nil(t, q.Drain(), "round %d: the consumers left items", seed)

	counts := make(map[int]int)
	for _, vs := range got {
		for _, v := range vs {
			counts[v]++
		}
	}
	want := make(map[int]int)
	for _, vs := range sent {
		for _, v := range vs {
			want[v] = 1
		}
	}
	require.Equal(t, want, counts, "round seed %d (cap %d, segment %d): received != put", seed, capacity, size)
	for c, vs := range got {
		last := make(map[int]int)
		for _, v := range vs {
			p := v / perProducer
			if prev, ok := last[p]; ok {
				require.Less(t, prev, v, "round seed %d: consumer %d out of order", seed, c)
			}
			last[p] = v
		}
	}
}
