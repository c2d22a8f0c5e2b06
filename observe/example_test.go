package observe_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe"
)

// Mount the tree beside net/http/pprof and read it as JSON, as a tool
// would; a person would open /debug/nursery in a browser for the text view.
func ExampleHandler() {
	root := group.New(context.Background(), group.Name("server"))
	defer root.Close()
	listening := make(chan struct{})
	root.Go(func(ctx context.Context) error {
		close(listening)
		<-ctx.Done()
		return nil
	}, group.Name("listener"))
	<-listening

	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.Handle("/debug/nursery", observe.Handler(root))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/debug/nursery?format=json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var trees []group.Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&trees); err != nil {
		fmt.Println(err)
		return
	}
	for _, task := range trees[0].Tasks {
		fmt.Println(trees[0].Name, task.ID, task.Name, task.State)
	}
	// Output: server 1 listener running
}

func ExampleSlog() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelWarn, // failures, panics and restarts only
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	g := group.New(context.Background(), group.Name("jobs"), group.Observe(observe.Slog(logger)))
	g.Go(func(context.Context) error { return nil }, group.Name("fine"))
	g.Go(func(context.Context) error { return fmt.Errorf("disk full") }, group.Name("backup"))
	_ = g.Wait()
	// Output: level=ERROR msg=task-failed group=jobs task_id=2 task=backup err="disk full"
}
