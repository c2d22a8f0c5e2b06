package queue_test

import (
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/queue"
)

var stressSeed = flag.Uint64("stress.seed", 0, "seed for TestStress (0: random)")

// TestStress runs producers and consumers with random cancellations and a
// Close at a random moment, and checks that every item whose Put returned
// nil was received exactly once or returned by Drain, and nothing else.
func TestStress(t *testing.T) {
	seed := *stressSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("reproduce with: go test -race -run TestStress ./queue/ -stress.seed=%d", seed)
		}
	})
	rng := rand.New(rand.NewPCG(seed, 0))
	rounds := 100
	if testing.Short() {
		rounds = 10
	}
	for range rounds {
		stressRound(t, rng.Uint64())
		if t.Failed() {
			return
		}
	}
}

// randomCtx returns a context that is, at random, not cancelled, already
// cancelled, or cancelled after a few microseconds, and the func to
// release it.
func randomCtx(rng *rand.Rand) (context.Context, context.CancelFunc) {
	switch rng.IntN(8) {
	case 0:
		ctx, stop := context.WithCancelCause(context.Background())
		stop(errCause)
		return ctx, func() {}
	case 1, 2:
		d := time.Duration(rng.IntN(30)) * time.Microsecond
		return context.WithTimeoutCause(context.Background(), d, errCause)
	default:
		return context.Background(), func() {}
	}
}

func stressRound(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var (
		capacity    = []int{0, 1, 2, 8, 64}[rng.IntN(5)]
		producers   = 1 + rng.IntN(6)
		consumers   = 1 + rng.IntN(6)
		perProducer = 50 + rng.IntN(250)
		closeAfter  = int64(rng.IntN(producers * perProducer * 5 / 4))
		quitEarly   = rng.IntN(3) == 0
		q           = queue.New[int](capacity)
		puts        atomic.Int64 // successful puts so far
		trigger     = make(chan struct{})
		sent        = make([][]int, producers)
		got         = make([][]int, consumers)
		wg          sync.WaitGroup
		prodWG      sync.WaitGroup
	)
	if closeAfter == 0 {
		close(trigger)
	}
	for p := range producers {
		prng := rand.New(rand.NewPCG(seed, uint64(10+p)))
		prodWG.Go(func() {
			for i := range perProducer {
				v := p*perProducer + i
				var err error
				if prng.IntN(4) == 0 {
					err = q.TryPut(v)
				} else {
					ctx, stop := randomCtx(prng)
					err = q.Put(ctx, v)
					stop()
				}
				switch {
				case err == nil:
					sent[p] = append(sent[p], v)
					if puts.Add(1) == closeAfter {
						close(trigger)
					}
				case errors.Is(err, queue.ErrClosed):
					return
				case !errors.Is(err, errCause) && !errors.Is(err, queue.ErrFull):
					t.Errorf("Put: unexpected error %v", err)
					return
				}
			}
		})
	}
	var consWG sync.WaitGroup
	for c := range consumers {
		crng := rand.New(rand.NewPCG(seed, uint64(100+c)))
		// In a third of the rounds the consumers give up after a random
		// number of calls, so that items are left for Drain at shutdown.
		budget := -1
		if quitEarly {
			budget = crng.IntN(producers * perProducer / consumers)
		}
		consWG.Go(func() {
			for ; budget != 0; budget-- {
				var v int
				var err error
				switch crng.IntN(16) {
				case 0, 1:
					v, err = q.TryGet()
				case 2:
					got[c] = append(got[c], q.Drain()...)
					continue
				default:
					ctx, stop := randomCtx(crng)
					v, err = q.Get(ctx)
					stop()
				}
				switch {
				case err == nil:
					got[c] = append(got[c], v)
				case errors.Is(err, queue.ErrClosed):
					return
				case !errors.Is(err, errCause) && !errors.Is(err, queue.ErrEmpty):
					t.Errorf("Get: unexpected error %v", err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		// Close at a random moment: after the closeAfter-th successful put,
		// or when every producer or every consumer is done (they could
		// block forever otherwise), whichever comes first. Two calls at
		// once check that Close is idempotent.
		allSent := make(chan struct{})
		go func() { prodWG.Wait(); close(allSent) }()
		allGot := make(chan struct{})
		go func() { consWG.Wait(); close(allGot) }()
		select {
		case <-trigger:
		case <-allSent:
		case <-allGot:
		}
		var closers sync.WaitGroup
		closers.Go(q.Close)
		closers.Go(q.Close)
		closers.Wait()
		<-allSent
		<-allGot
	})

	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	select {
	case <-finished:
	case <-timeout.C:
		t.Fatalf("round %d: goroutines still blocked after 10s: %v", seed, q)
	}

	left := q.Drain()
	counts := make(map[int]int)
	for _, vs := range append(got, left) {
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
	require.Equal(t, want, counts, "round seed %d: received+drained != put", seed)

	// FIFO: each producer's items enter in order, and each consumer takes
	// items in queue order, so it sees every producer's items in order.
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
	t.Logf("cap=%d p=%d c=%d quit=%v closeAfter=%d sent=%d left=%d", capacity, producers, consumers, quitEarly, closeAfter, len(want), len(left))
}
