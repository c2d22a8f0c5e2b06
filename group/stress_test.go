package group_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// world is the state of one stress run: every group and task ever made.
type world struct {
	mu     sync.Mutex
	rng    *rand.Rand
	groups []*group.Group
	tasks  map[*group.Group][]*group.Task
}

func (w *world) intn(n int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rng.IntN(n)
}

func (w *world) pickGroup() *group.Group {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.groups[w.rng.IntN(len(w.groups))]
}

func (w *world) pickTask() *group.Task {
	w.mu.Lock()
	defer w.mu.Unlock()
	g := w.groups[w.rng.IntN(len(w.groups))]
	ts := w.tasks[g]
	if len(ts) == 0 {
		return nil
	}
	return ts[w.rng.IntN(len(ts))]
}

func (w *world) add(g *group.Group, t *group.Task) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tasks[g] = append(w.tasks[g], t)
}

var errStress = errors.New("stress failure")

// body returns a random task body; some start more work.
func (w *world) body(depth int) func(context.Context) error {
	switch w.intn(8) {
	case 0:
		return func(context.Context) error { return nil }
	case 1:
		return func(context.Context) error { return errStress }
	case 2:
		return func(context.Context) error { panic("stress panic") }
	case 3, 4:
		return blockUntilCancelled
	case 5:
		return func(ctx context.Context) error {
			<-ctx.Done()
			return nil // catches its cancellation
		}
	default:
		return func(ctx context.Context) error {
			if depth < 3 {
				w.op(depth + 1)
				w.op(depth + 1)
			}
			return nil
		}
	}
}

// op does one random operation on the world.
func (w *world) op(depth int) {
	switch n := w.intn(20); {
	case n < 12:
		g := w.pickGroup()
		w.add(g, g.Go(w.body(depth)))
	case n < 14:
		g := w.pickGroup()
		opts := []group.Option{}
		if w.intn(2) == 0 {
			opts = append(opts, group.OnError(func(error) {}))
		}
		sg := g.Subgroup(opts...)
		w.mu.Lock()
		w.groups = append(w.groups, sg)
		w.mu.Unlock()
	case n < 17:
		if t := w.pickTask(); t != nil {
			t.Cancel()
		}
	case n < 18:
		w.pickGroup().Cancel()
	case n < 19:
		g := w.pickGroup()
		f := group.Async(g, func(ctx context.Context) (int, error) { return w.intn(10), nil })
		w.add(g, &f.Task)
	default:
		g := w.pickGroup()
		if g.Name() != "root" {
			// Closing a subgroup from outside its tasks; swallow its panic.
			_ = catch(func() { _ = g.Close() })
		}
	}
}

func TestStressRandomOperations(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 5
	}
	for seed := range uint64(seeds) {
		root := group.New(context.Background(), group.Name("root"), group.OnPanic(func(*group.PanicError) {}))
		w := &world{
			rng:    rand.New(rand.NewPCG(seed, 42)),
			groups: []*group.Group{root},
			tasks:  map[*group.Group][]*group.Task{},
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 100 {
					w.op(0)
				}
			})
		}
		waitAll(t, &wg)
		_ = catch(func() { _ = closeAndWait(t, root) })

		w.mu.Lock()
		for _, g := range w.groups {
			require.Equal(t, group.Closed, g.State(), "seed %d", seed)
			var want group.Stats
			for _, task := range w.tasks[g] {
				select {
				case <-task.Done():
				default:
					t.Fatalf("seed %d: task not done after its group closed", seed)
				}
				want.Spawned++
				switch task.State() {
				case group.Succeeded:
					want.Succeeded++
				case group.Failed:
					want.Failed++
					require.Error(t, task.Err(), "seed %d", seed)
				case group.Canceled:
					want.Canceled++
				case group.Refused:
					want.Refused++
					require.ErrorIs(t, task.Err(), group.ErrClosed, "seed %d", seed)
				default:
					t.Fatalf("seed %d: task in state %v after close", seed, task.State())
				}
			}
			require.Equal(t, want, g.Stats(), "seed %d: stats add up task by task", seed)
		}
		w.mu.Unlock()
	}
}
