package observe_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe"
	"github.com/stretchr/testify/require"
)

// endRecords is a slog.Handler that counts end records by group path.
type endRecords struct {
	mu sync.Mutex
	n  map[string]int
}

var endMessages = map[string]bool{"task-succeeded": true, "task-failed": true,
	"task-panicked": true, "task-canceled": true, "task-refused": true}

func (h *endRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *endRecords) Handle(_ context.Context, r slog.Record) error {
	if !endMessages[r.Message] {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "group" {
			h.mu.Lock()
			h.n[a.Value.String()]++
			h.mu.Unlock()
		}
		return true
	})
	return nil
}
func (h *endRecords) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *endRecords) WithGroup(string) slog.Handler      { return h }

// Pins behaviour: the Handler serves valid JSON and text while
// the tree churns (jobs enqueued, cancelled in the backlog, failing,
// executors closing), and the Slog observer writes exactly one end record
// per task: the end records add up to the group's Stats, refusals and
// backlog cancellations included.
func TestHandlerAndSlogUnderChurn(t *testing.T) {
	rec := &endRecords{n: map[string]int{}}
	root := group.New(context.Background(), group.Name("root"), group.Observe(observe.Slog(slog.New(rec))))
	h := observe.Handler(root)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var serveErr error
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, q := range []string{"/?format=json", "/?tasks=3"} {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, q, nil))
				if w.Code != http.StatusOK {
					serveErr = errors.New(w.Body.String())
				}
				if q == "/?format=json" {
					var snaps []group.Snapshot
					if err := json.Unmarshal(w.Body.Bytes(), &snaps); err != nil {
						serveErr = err
					}
				}
			}
		}
	})
	var stats []*group.Group
	for range 20 {
		ex := executor.New(root, executor.MaxWorkers(2), executor.SuppressErrors())
		stats = append(stats, ex.Group())
		for i := range 60 {
			tk, err := ex.Enqueue(func(context.Context) error {
				if i%5 == 0 {
					return errors.New("x")
				}
				return nil
			})
			require.NoError(t, err)
			if i%7 == 0 {
				tk.Cancel()
			}
		}
		require.NoError(t, ex.Close())
		ex.Group().Go(func(context.Context) error { return nil }) // refused
	}
	close(stop)
	wg.Wait()
	require.NoError(t, serveErr)
	require.NoError(t, root.Close())
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, g := range stats {
		st := g.Stats()
		require.Zero(t, st.Running)
		require.Equal(t, int(st.Spawned), rec.n[g.Path()], "end records of %s (%+v)", g.Path(), st)
	}
}
