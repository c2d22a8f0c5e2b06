package tests

import (
	"context"
	"errors"
	"iter"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
)

// loadDuration is how long each load test pushes work: long enough for
// millions of jobs without the race detector, short enough for CI.
func loadDuration() time.Duration {
	if raceEnabled {
		return 500 * time.Millisecond
	}
	return 2 * time.Second
}

// heapInUse returns the heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// memWatch samples the heap and the goroutine count once the run has
// warmed up and then at regular points, and checks that neither grows with
// the number of jobs.
type memWatch struct {
	warm, peak  uint64
	goroutines  int
	samples     int
	warmedUp    bool
	maxRoutines int
}

func (m *memWatch) sample() {
	h := heapInUse()
	if n := runtime.NumGoroutine(); n > m.goroutines {
		m.goroutines = n
	}
	if !m.warmedUp {
		m.warm, m.warmedUp = h, true
		return
	}
	m.samples++
	m.peak = max(m.peak, h)
}

// check fails the test if the heap grew beyond generous slack: twice the
// warm heap plus 16 MiB. A leak of even 8 bytes per job over millions of
// jobs exceeds it; O(MaxWorkers) memory never does.
func (m *memWatch) check(t *testing.T, jobs int64) {
	t.Helper()
	limit := 2*m.warm + 16<<20
	t.Logf("heap in use: %.1f MiB after warm-up, at most %.1f MiB over %d later samples (limit %.1f MiB); at most %d goroutines; %d jobs",
		mib(m.warm), mib(m.peak), m.samples, mib(limit), m.goroutines, jobs)
	if m.peak > limit {
		t.Errorf("heap grew from %.1f MiB to %.1f MiB over %d jobs: memory is not flat", mib(m.warm), mib(m.peak), jobs)
	}
	if m.goroutines > m.maxRoutines {
		t.Errorf("%d goroutines at peak, want at most %d (O(MaxWorkers))", m.goroutines, m.maxRoutines)
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// TestLoadSubmit pushes tiny jobs through executors with back-pressure from
// several producers for a bounded time, and checks that every accepted job
// ran exactly once, the counts agree exactly, and memory stays flat.
func TestLoadSubmit(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped with -short")
	}
	for _, workers := range []int{8, 256} {
		t.Run("workers="+strconv.Itoa(workers), func(t *testing.T) { loadSubmit(t, workers) })
	}
}

func loadSubmit(t *testing.T, workers int) {
	const producers = 4
	g := group.New(context.Background(), quiet)
	ex := executor.New(g, executor.MaxWorkers(workers))
	var ran, accepted atomic.Int64
	job := func(context.Context) error {
		ran.Add(1)
		return nil
	}
	deadline := time.Now().Add(loadDuration())
	start := time.Now()
	var prods []*group.Task
	for range producers {
		// Producers are tasks of g, not jobs: Submit blocks them while
		// the executor is full, which is the back-pressure under test.
		prods = append(prods, g.Go(func(ctx context.Context) error {
			for i := 0; ; i++ {
				if i%1024 == 0 && time.Now().After(deadline) {
					return nil
				}
				if _, err := ex.Submit(ctx, job); err != nil {
					return err
				}
				accepted.Add(1)
			}
		}))
	}
	m := memWatch{maxRoutines: workers + producers + 32}
	ticker := time.NewTicker(loadDuration() / 8)
	for now := range ticker.C {
		m.sample()
		if now.After(deadline) {
			break
		}
	}
	ticker.Stop()
	// Wait refuses work once it finds nothing to run, so the producers
	// must be done before it is called.
	for _, p := range prods {
		within(t, "a producer", func() { <-p.Done() })
		if err := p.Err(); err != nil {
			t.Fatalf("producer: %v", err)
		}
	}
	var err error
	if v := within(t, "Executor.Wait after the load", func() { err = ex.Wait() }); v != nil {
		t.Fatalf("Wait panicked: %v", v)
	}
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("executor Wait: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("group Close: %v", err)
	}
	jobs := accepted.Load()
	t.Logf("%d jobs through %d workers from %d producers in %v: %.0f jobs/s", jobs, workers, producers, elapsed.Round(time.Millisecond), float64(jobs)/elapsed.Seconds())
	if ran.Load() != jobs {
		t.Errorf("%d jobs accepted, %d ran: jobs lost or run twice", jobs, ran.Load())
	}
	s := ex.Stats()
	if want := (executor.Stats{Submitted: jobs, Succeeded: jobs}); s != want {
		t.Errorf("executor Stats: want %+v, got %+v", want, s)
	}
	if gs := g.Stats(); gs.Spawned != producers || gs.Succeeded != producers {
		t.Errorf("producers: %+v", gs)
	}
	if jobs < 1000 {
		t.Errorf("only %d jobs in %v: the executor stalled", jobs, elapsed)
	}
	m.check(t, jobs)
}

// TestLoadMap streams an endless sequence through Executor.Map for a bounded
// time and checks that results come back in order, none is lost or
// repeated, and memory stays flat: the window bounds what is held.
func TestLoadMap(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped with -short")
	}
	const workers = 64
	g := group.New(context.Background(), quiet)
	ex := executor.New(g, executor.MaxWorkers(workers))
	ctx, stop := context.WithTimeout(context.Background(), loadDuration())
	defer stop()
	var produced atomic.Int64
	naturals := func(yield func(int64) bool) {
		for i := int64(0); ; i++ {
			produced.Store(i + 1)
			if !yield(i) {
				return
			}
		}
	}
	m := memWatch{maxRoutines: workers + 32}
	var next int64
	start := time.Now()
	last := start
	var mapErr error
	within(t, "ranging over Map", func() {
		for v, err := range executor.Map(ctx, ex, iter.Seq[int64](naturals), func(_ context.Context, v int64) (int64, error) {
			return 2 * v, nil
		}) {
			if err != nil {
				mapErr = err
				return
			}
			if v != 2*next {
				mapErr = errors.New("result out of order or lost: want " + strconv.Itoa(int(2*next)) + ", got " + strconv.Itoa(int(v)))
				return
			}
			next++
			if next%1024 == 0 && time.Since(last) >= loadDuration()/8 {
				m.sample()
				last = time.Now()
			}
		}
	})
	elapsed := time.Since(start)
	if !errors.Is(mapErr, context.DeadlineExceeded) {
		t.Fatalf("Map ended with %v, want the context's deadline", mapErr)
	}
	if err := ex.Close(); err != nil {
		t.Fatalf("executor Close: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("group Close: %v", err)
	}
	t.Logf("%d results in order through Map (%d workers) in %v: %.0f items/s", next, workers, elapsed.Round(time.Millisecond), float64(next)/elapsed.Seconds())
	// Map reads ahead by at most its window (twice MaxWorkers by default).
	if ahead := produced.Load() - next; ahead > 2*workers+1 {
		t.Errorf("Map read %d items past the last result it yielded: the window does not bound it", ahead)
	}
	if s := ex.Stats(); s.Running != 0 || s.Waiting != 0 || s.Submitted != s.Succeeded+s.Canceled+s.Failed {
		t.Errorf("executor Stats after Close: %+v", s)
	}
	m.check(t, next)
}
