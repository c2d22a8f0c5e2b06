package resource_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

// Close hooks run when the group closes, last registered first.
func ExampleStack() {
	s, err := resource.NewStack(group.New(context.Background()))
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"flush logs", "close database", "stop server"} {
		_ = s.OnClose(name, func(ctx context.Context) error {
			fmt.Println(name)
			return nil
		})
	}
	fmt.Println("close:", s.Close())
	// Output:
	// stop server
	// close database
	// flush logs
	// close: <nil>
}

// Database is a resource type in hat.aio's style: it embeds the Stack that
// Open makes for it, and so has State, Closing, Done and Close.
type Database struct {
	*resource.Stack
	name string
}

func openDatabase(ctx context.Context, s *resource.Stack) (*Database, error) {
	db := &Database{Stack: s, name: "orders"}
	fmt.Println("database open")
	err := s.OnClose("disconnect", func(ctx context.Context) error {
		fmt.Println("database closed")
		return nil
	})
	return db, err
}

// Resources opened into a parent close with it, in reverse order of
// opening: the server before the database it uses.
func ExampleOpen() {
	parent, err := resource.NewStack(group.New(context.Background()))
	if err != nil {
		panic(err)
	}
	db, err := resource.Open(context.Background(), parent, "db", openDatabase)
	if err != nil {
		panic(err)
	}
	_, err = resource.Open(context.Background(), parent, "server", func(ctx context.Context, s *resource.Stack) (*resource.Stack, error) {
		fmt.Println("server open, using", db.name)
		return s, s.OnClose("stop", func(ctx context.Context) error {
			fmt.Println("server stopped")
			return nil
		})
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("close:", parent.Close())
	fmt.Println("database:", db.State())
	// Output:
	// database open
	// server open, using orders
	// server stopped
	// database closed
	// close: <nil>
	// database: closed
}

// A failing open leaves nothing behind: what it started is stopped and its
// hooks have run when Open returns.
func ExampleOpen_failure() {
	parent, err := resource.NewStack(group.New(context.Background()))
	if err != nil {
		panic(err)
	}
	defer parent.Close()
	_, err = resource.Open(context.Background(), parent, "cache", func(ctx context.Context, s *resource.Stack) (*resource.Stack, error) {
		s.Go(func(ctx context.Context) error {
			<-ctx.Done()
			fmt.Println("warm-up stopped")
			return nil
		})
		return nil, errors.New("no route to cache")
	})
	fmt.Println(err)
	// Output:
	// warm-up stopped
	// resource: open "cache": no route to cache
}

// A supervised job is restarted after each failure, with a growing
// backoff, until it says it is done.
func ExampleSupervise() {
	g := group.New(context.Background())
	defer g.Close()
	runs := 0
	sv := resource.Supervise(g, "sync", func(ctx context.Context) error {
		runs++
		if runs < 3 {
			return fmt.Errorf("upstream unavailable (run %d)", runs)
		}
		return resource.ErrStop
	}, resource.Spec{
		Backoff: call.Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond, NoJitter: true},
		OnRestart: func(r resource.Restart) {
			fmt.Printf("restart %d in %v after: %v\n", r.Restart, r.Delay, r.Err)
		},
	})
	<-sv.Done()
	fmt.Printf("stopped: err=%v, %+v\n", sv.Err(), sv.Stats())
	// Output:
	// restart 1 in 1ms after: upstream unavailable (run 1)
	// restart 2 in 2ms after: upstream unavailable (run 2)
	// stopped: err=<nil>, {Starts:3 Failures:2 Panics:0 Restarts:2 Backoff:3ms}
}

// A job that keeps failing in a burst escalates to its group: here at its
// third failure, when its restart count goes above 2.
func ExampleSpec() {
	g := group.New(context.Background())
	resource.Supervise(g, "flaky", func(ctx context.Context) error {
		return errors.New("crashed")
	}, resource.Spec{Threshold: 2, Backoff: call.Backoff{Base: time.Nanosecond, Max: time.Nanosecond}})
	fmt.Println(g.Wait())
	// Output:
	// task flaky: resource: job "flaky" restarted more often than its threshold of 2 (halving every 30s): crashed
}

// Serve runs an http.Server as a task; closing the group drains it.
func ExampleServe() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	g := group.New(context.Background())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello")
	})}
	resource.Serve(g, srv, ln, resource.DrainTimeout(5*time.Second))

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + ln.Addr().String())
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))
	fmt.Println("close:", g.Close())
	// Output:
	// hello
	// close: <nil>
}

// Run is a program's main; here a signal is sent through a channel, as a
// test would, instead of pressing Ctrl-C.
func ExampleRun() {
	sigs := make(chan os.Signal, 1)
	code := resource.Run(context.Background(), func(ctx context.Context, s *resource.Stack) error {
		_ = s.OnClose("goodbye", func(ctx context.Context) error {
			fmt.Println("closing")
			return nil
		})
		sigs <- os.Interrupt // as if the user pressed Ctrl-C
		<-ctx.Done()         // ends at the first signal
		return context.Cause(ctx)
	}, resource.Signals(sigs), resource.Output(os.Stdout))
	fmt.Println("exit code", code)
	// Output:
	// resource: cancel: received signal interrupt: shutting down (deadline 10s)
	// closing
	// exit code 0
}

// A queue and an executor are resources: Open returns them, and each
// closes gracefully in its turn. The producer, opened last, stops first;
// the executor then finishes the jobs it accepted; the queue, opened
// first, is closed last and its consumer drains every event put into it.
func ExampleNewQueue() {
	s, err := resource.NewStack(group.New(context.Background()))
	if err != nil {
		panic(err)
	}
	events, err := resource.Open(context.Background(), s, "events", func(ctx context.Context, s *resource.Stack) (*resource.Queue[string], error) {
		q, err := resource.NewQueue[string](s, 10)
		s.Go(func(ctx context.Context) error {
			for ev, err := range q.All(ctx) {
				if err != nil {
					return err
				}
				fmt.Println("handled", ev)
			}
			return nil
		})
		return q, err
	})
	if err != nil {
		panic(err)
	}
	ex, err := resource.Open(context.Background(), s, "executor", func(ctx context.Context, s *resource.Stack) (*executor.Executor, error) {
		return executor.New(s.Group, executor.MaxWorkers(1)), nil
	})
	if err != nil {
		panic(err)
	}
	for _, job := range []string{"a", "b", "c"} {
		if _, err := ex.Enqueue(func(ctx context.Context) error {
			return events.Put(ctx, "event "+job)
		}); err != nil {
			panic(err)
		}
	}
	fmt.Println("close:", s.Close()) // nothing accepted is lost
	// Output:
	// handled event a
	// handled event b
	// handled event c
	// close: <nil>
}

// A supervisor of supervisors: when a job of the subtree fails too often,
// the whole subtree restarts; when the subtree does, it escalates.
func ExampleTree() {
	g := group.New(context.Background())
	runs := 0
	resource.Supervise(g, "pipeline", resource.Tree(func(sub *group.Group) {
		runs++
		fmt.Println("pipeline run", runs)
		resource.Supervise(sub, "fetch", func(ctx context.Context) error {
			return errors.New("upstream gone")
		}, resource.Spec{Threshold: 0.5}) // escalates at its first failure
		resource.Supervise(sub, "index", func(ctx context.Context) error {
			<-ctx.Done() // stopped each time fetch escalates
			return ctx.Err()
		}, resource.Spec{})
	}), resource.Spec{Threshold: 1, Backoff: call.Backoff{Base: time.Millisecond, Max: time.Millisecond}})
	err := g.Wait()
	var ie *resource.IntensityError
	errors.As(err, &ie)
	fmt.Println("escalated:", ie.Job)
	// Output:
	// pipeline run 1
	// pipeline run 2
	// escalated: pipeline
}
