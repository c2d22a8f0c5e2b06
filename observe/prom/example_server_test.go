package prom_test

import (
	"context"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe"
	"github.com/nursery-go/nursery/observe/prom"
	"github.com/nursery-go/nursery/resource"
)

// A service's debug listener serves /metrics for Prometheus beside
// /debug/nursery, the live tree of groups and tasks, until Ctrl-C. (It has
// no output to check: it runs until stopped. TestMetricsBesideTheTree
// serves the same two handlers and reads them.)
func Example_server() {
	graceful, _, stop := cancel.NotifyShutdown(context.Background(), os.Interrupt)
	defer stop()

	c := prom.New()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	root := group.New(graceful, group.Name("server"), group.Observe(c.Observe))
	c.AddGroup(root)
	pool := executor.New(root, executor.Name("pool"), executor.MaxWorkers(8))
	c.AddExecutor(pool)
	c.AddGroup(pool.Group())

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/debug/nursery", observe.Handler(root))
	ln, err := net.Listen("tcp", "127.0.0.1:9090")
	if err != nil {
		log.Fatal(err)
	}
	resource.Serve(root, &http.Server{Handler: mux}, ln)

	// The service's work would run here, in root and in pool.
	if err := root.Wait(); err != nil {
		log.Fatal(err)
	}
}
