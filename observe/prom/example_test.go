package prom_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe/prom"
)

// Count a group's tasks by final state, as a scrape would see them.
func ExampleCollector() {
	c := prom.New() // register it: prometheus.MustRegister(c)
	root := group.New(context.Background(), group.Name("crawl"),
		group.OnError(func(error) {}), // keep crawling past a failed page
		group.Observe(c.Observe))
	c.AddGroup(root)
	for _, page := range []string{"a", "b", "c"} {
		root.Go(func(ctx context.Context) error {
			if page == "b" {
				return errors.New("404")
			}
			return nil
		}, group.Name("fetch "+page))
	}
	_ = root.Wait()

	out, err := testutil.CollectAndFormat(c, expfmt.TypeTextPlain, "nursery_tasks_finished_total", "nursery_tasks_spawned_total")
	if err != nil {
		fmt.Println(err)
		return
	}
	for line := range strings.Lines(string(out)) {
		if !strings.HasPrefix(line, "#") {
			fmt.Print(line)
		}
	}
	// Output:
	// nursery_tasks_finished_total{group="crawl",state="canceled"} 0
	// nursery_tasks_finished_total{group="crawl",state="failed"} 1
	// nursery_tasks_finished_total{group="crawl",state="refused"} 0
	// nursery_tasks_finished_total{group="crawl",state="succeeded"} 2
	// nursery_tasks_spawned_total{group="crawl"} 3
}
