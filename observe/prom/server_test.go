package prom_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe"
	"github.com/nursery-go/nursery/observe/prom"
)

// get returns the body of url, which must answer 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// TestMetricsBesideTheTree serves what Example_server serves and reads
// both: the metrics of a running job, and the same job in the tree.
func TestMetricsBesideTheTree(t *testing.T) {
	c := prom.New()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	root := group.New(context.Background(), group.Name("server"), group.Observe(c.Observe))
	defer func() { require.NoError(t, root.Close()) }()
	c.AddGroup(root)
	pool := executor.New(root, executor.Name("pool"), executor.MaxWorkers(8))
	c.AddExecutor(pool)
	c.AddGroup(pool.Group())

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/debug/nursery", observe.Handler(root))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	running := make(chan struct{})
	_, err := pool.Submit(context.Background(), func(ctx context.Context) error {
		close(running)
		<-ctx.Done()
		return ctx.Err()
	})
	require.NoError(t, err)
	<-running

	metrics := get(t, srv.URL+"/metrics")
	assert.Contains(t, metrics, `nursery_executor_workers{group="server/pool",state="busy"} 1`)
	assert.Contains(t, metrics, `nursery_executor_workers{group="server/pool",state="idle"} 7`)
	assert.Contains(t, metrics, `nursery_tasks_running{group="server/pool"} 1`)
	assert.Contains(t, metrics, `nursery_tasks_spawned_total{group="server"} 0`)

	tree := get(t, srv.URL+"/debug/nursery")
	assert.Contains(t, tree, `"server"`)
	assert.Contains(t, tree, `"pool" executor`)
}
