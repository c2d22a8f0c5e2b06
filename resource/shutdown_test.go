package resource_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/queue"
	"github.com/nursery-go/nursery/resource"
)

// A resource's tasks keep an uncancelled context while it drains: a job
// accepted before the close finishes its work.
func TestOpen_tasksKeepTheirContextDuringTheDrain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		var ctxErr error
		finished := false
		_, err = resource.Open(context.Background(), parent, "worker", func(ctx context.Context, s *resource.Stack) (*resource.Stack, error) {
			s.Go(func(ctx context.Context) error {
				time.Sleep(3 * time.Second) // within the 5s budget
				ctxErr, finished = ctx.Err(), true
				return nil
			})
			return s, nil
		})
		require.NoError(t, err)
		time.Sleep(time.Second)
		require.NoError(t, parent.Close())
		require.True(t, finished)
		require.NoError(t, ctxErr, "the task's context was cancelled during the drain")
	})
}

// When the budget is spent, what still runs is cancelled and named.
func TestOpen_spentBudgetCutsOffAndNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		var cause error
		_, err = resource.Open(context.Background(), parent, "worker", func(ctx context.Context, s *resource.Stack) (*resource.Stack, error) {
			s.Go(func(ctx context.Context) error {
				<-ctx.Done()
				cause = context.Cause(ctx)
				return ctx.Err()
			}, group.Name("slow"))
			return s, nil
		}, resource.CloseTimeout(2*time.Second)) // an option of Open: it type-checks
		require.NoError(t, err)
		start := time.Now()
		err = parent.Close()
		require.Equal(t, 2*time.Second, time.Since(start), "the budget set on Open")
		var co *resource.CutOffError
		require.ErrorAs(t, err, &co)
		require.Equal(t, "worker", co.Resource)
		require.NoError(t, co.Cause, "the budget was spent; nothing cut it short")
		require.Equal(t, 2*time.Second, co.Limit)
		require.Len(t, co.CutOff, 1)
		require.Equal(t, "worker/slow", co.CutOff[0].Task)
		require.Equal(t, 2*time.Second, co.CutOff[0].Age)
		var te *cancel.TimeoutError
		require.ErrorAs(t, cause, &te, "the task learns why it was cut off")
	})
}

// The close hooks of a resource run at the start of its turn, while its
// tasks still run: a producer's hook closes the queue, the consumer
// drains it, and nothing accepted is lost (issue 24's minimal program:
// producer and consumer resources, SIGTERM after 500 puts).
func TestRun_acceptedQueueItemsAreAllProcessed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var accepted, processed atomic.Int64
		put500 := make(chan struct{})
		sigs, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			q := queue.New[int](64)
			if _, err := resource.Open(ctx, s, "consumer", func(ctx context.Context, cs *resource.Stack) (*resource.Stack, error) {
				cs.Go(func(ctx context.Context) error {
					for _, err := range q.All(ctx) {
						if err != nil {
							return err
						}
						time.Sleep(time.Millisecond) // work
						processed.Add(1)
					}
					return nil
				})
				return cs, nil
			}); err != nil {
				return err
			}
			_, err := resource.Open(ctx, s, "producer", func(ctx context.Context, ps *resource.Stack) (*resource.Stack, error) {
				ps.Go(func(ctx context.Context) error {
					for i := 0; ; i++ {
						if err := q.Put(ctx, i); err != nil {
							return nil // closed by the hook below: stop producing
						}
						if accepted.Add(1) == 500 {
							close(put500)
						}
					}
				})
				return ps, ps.OnClose("close queue", func(context.Context) error { q.Close(); return nil })
			})
			if err != nil {
				return err
			}
			<-ctx.Done() // the signal
			return nil
		})
		<-put500
		sigs <- syscall.SIGTERM
		require.Equal(t, resource.ExitOK, <-code, out.String())
		require.GreaterOrEqual(t, accepted.Load(), int64(500))
		require.Equal(t, accepted.Load(), processed.Load(), "accepted items were dropped")
	})
}

// A cut-off is never silent: Run prints the straggler report and returns
// a non-zero exit code.
func TestRun_cutOffIsReportedWithANonZeroExit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		sigs, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			_, err := resource.Open(ctx, s, "jobs", func(ctx context.Context, js *resource.Stack) (*resource.Stack, error) {
				js.Go(func(ctx context.Context) error {
					close(started)
					<-ctx.Done()
					return ctx.Err()
				}, group.Name("endless"))
				return js, nil
			})
			if err != nil {
				return err
			}
			<-ctx.Done() // the signal
			return nil
		}, resource.CloseTimeout(time.Second)) // an option of Run too
		<-started
		sigs <- syscall.SIGTERM
		require.Equal(t, resource.ExitTimeout, <-code)
		require.Contains(t, out.String(), "resource: cut off: jobs/endless in jobs after 1s (budget 1s)")
	})
}

// An executor is a resource: Open returns it, and its turn is a graceful
// Shutdown (accepted jobs finish, new ones are refused).
func TestOpen_executorIsAResource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		ex, err := resource.Open(context.Background(), parent, "pool", func(ctx context.Context, s *resource.Stack) (*executor.Executor, error) {
			return executor.New(s.Group, executor.MaxWorkers(2)), nil
		})
		require.NoError(t, err)
		var done atomic.Int64
		for range 4 { // two run, two wait in the backlog
			_, err := ex.Enqueue(func(ctx context.Context) error {
				time.Sleep(time.Second)
				if ctx.Err() == nil {
					done.Add(1)
				}
				return nil
			})
			require.NoError(t, err)
		}
		require.NoError(t, parent.Close())
		require.EqualValues(t, 4, done.Load(), "accepted jobs were cut off")
		require.Equal(t, group.Closed, ex.State())
		_, err = ex.Submit(context.Background(), func(context.Context) error { return nil })
		require.ErrorIs(t, err, executor.ErrClosed)
	})
}

// pipeListener is an in-memory listener, so that an HTTP server runs in a
// synctest bubble: dial hands it one end of a net.Pipe.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error   { l.once.Do(func() { close(l.closed) }); return nil }
func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// Issue 24's first repro: an executor, then an HTTP server with
// DrainTimeout 8s, Run with ShutdownTimeout 10s; SIGTERM while a
// request's 6 s job runs. The request is answered 200 and the exit code is
// 0 (it was "500 group: closed" after 5 s, exit 0, nothing printed).
func TestRun_slowRequestWithinTheDrainIsAnswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ln := newPipeListener()
		inJob := make(chan struct{})
		sigs, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			ex, err := resource.Open(ctx, s, "executor", func(ctx context.Context, s *resource.Stack) (*executor.Executor, error) {
				return executor.New(s.Group, executor.MaxWorkers(4)), nil
			})
			if err != nil {
				return err
			}
			_, err = resource.Open(ctx, s, "http", func(ctx context.Context, hs *resource.Stack) (*resource.Stack, error) {
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, err := executor.Exec(r.Context(), ex, func(ctx context.Context) (string, error) {
						close(inJob)
						time.Sleep(6 * time.Second)
						return "ok", ctx.Err()
					})
					if err != nil {
						http.Error(w, err.Error(), http.StatusInternalServerError)
						return
					}
					_, _ = io.WriteString(w, "ok")
				})
				resource.Serve(hs.Group, &http.Server{Handler: h}, ln, resource.DrainTimeout(8*time.Second))
				return hs, nil
			})
			if err != nil {
				return err
			}
			<-ctx.Done() // the signal
			return nil
		}, resource.ShutdownTimeout(10*time.Second))
		tr := &http.Transport{DialContext: ln.dial}
		defer tr.CloseIdleConnections()
		type result struct {
			status int
			err    error
		}
		res := make(chan result, 1)
		go func() {
			resp, err := (&http.Client{Transport: tr}).Get("http://pipe/")
			if err != nil {
				res <- result{err: err}
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			res <- result{status: resp.StatusCode}
		}()
		<-inJob
		start := time.Now()
		sigs <- syscall.SIGTERM
		r := <-res
		require.NoError(t, r.err)
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, resource.ExitOK, <-code, out.String())
		// The job's 6 s, and the server's polling for idle connections.
		require.GreaterOrEqual(t, time.Since(start), 6*time.Second)
		require.Less(t, time.Since(start), 8*time.Second)
	})
}

// Run's ShutdownTimeout caps the total: a resource whose budget is longer
// is cut off at the overall deadline, and named.
func TestRun_shutdownTimeoutCapsTheBudgets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		sigs, code, out := program(func(ctx context.Context, s *resource.Stack) error {
			_, err := resource.Open(ctx, s, "jobs", func(ctx context.Context, js *resource.Stack) (*resource.Stack, error) {
				js.Go(func(ctx context.Context) error {
					close(started)
					<-ctx.Done()
					return ctx.Err()
				}, group.Name("endless"))
				return js, nil
			}, resource.CloseTimeout(time.Minute))
			if err != nil {
				return err
			}
			<-ctx.Done() // the signal
			return nil
		}, resource.ShutdownTimeout(3*time.Second))
		<-started
		start := time.Now()
		sigs <- syscall.SIGTERM
		require.Equal(t, resource.ExitTimeout, <-code)
		require.Equal(t, 3*time.Second, time.Since(start))
		require.Contains(t, out.String(), "resource: cut off: jobs/endless in jobs after 3s (cut short: cancel: shutdown: timeout of 3s exceeded)")
	})
}

// A queue is a resource: Open returns it; in its turn it stops accepting
// and its consumers drain it with their contexts intact.
func TestOpen_queueIsAResourceThatDrains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		var processed atomic.Int64
		q, err := resource.Open(context.Background(), parent, "events", func(ctx context.Context, s *resource.Stack) (*resource.Queue[int], error) {
			q, err := resource.NewQueue[int](s, 0, resource.DrainTimeout(time.Minute))
			s.Go(func(ctx context.Context) error {
				for _, err := range q.All(ctx) {
					if err != nil {
						return err
					}
					time.Sleep(time.Second)
					processed.Add(1)
				}
				return nil
			})
			return q, err
		})
		require.NoError(t, err)
		for i := range 30 { // 30 s of work: more than CloseTimeout, within the drain
			require.NoError(t, q.Put(context.Background(), i))
		}
		start := time.Now()
		require.NoError(t, parent.Close())
		require.EqualValues(t, 30, processed.Load())
		require.Equal(t, 30*time.Second, time.Since(start))
		require.ErrorIs(t, q.Put(context.Background(), 31), queue.ErrClosed, "the queue stopped accepting")
	})
}

// Items a queue had accepted and its consumers did not take before the
// budget ran out are named, with the consumer that was cut off.
func TestOpen_queueItemsLeftAreReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, err := resource.NewStack(group.New(context.Background()))
		require.NoError(t, err)
		q, err := resource.Open(context.Background(), parent, "events", func(ctx context.Context, s *resource.Stack) (*resource.Queue[int], error) {
			q, err := resource.NewQueue[int](s, 0)
			s.Go(func(ctx context.Context) error {
				for _, err := range q.All(ctx) {
					if err != nil {
						return err
					}
					select {
					case <-time.After(time.Second):
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return nil
			}, group.Name("consumer"))
			return q, err
		}, resource.CloseTimeout(3500*time.Millisecond)) // between two items: no tie with the consumer's timer
		require.NoError(t, err)
		for i := range 10 {
			require.NoError(t, q.Put(context.Background(), i))
		}
		err = parent.Close()
		var co *resource.CutOffError
		require.ErrorAs(t, err, &co)
		var names []string
		for _, c := range co.CutOff {
			names = append(names, c.Task)
		}
		// Taken at 0, 1, 2 and 3 s: the 4th is cut off in the consumer, 6 never taken.
		require.Equal(t, []string{"events/consumer", "queue of events: 6 item(s) never taken"}, names)
	})
}

// An owned resource closes gracefully too: its tasks finish with their
// contexts intact within CloseTimeout, and are cancelled after it.
func TestStack_ownClosesGracefully(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := resource.NewStack(group.New(context.Background()), resource.CloseTimeout(2*time.Second))
		require.NoError(t, err)
		child := group.New(context.Background())
		var quick, slow error
		child.Go(func(ctx context.Context) error {
			time.Sleep(time.Second)
			quick = ctx.Err()
			return nil
		})
		child.Go(func(ctx context.Context) error {
			<-ctx.Done()
			slow = context.Cause(ctx)
			return ctx.Err()
		})
		require.NoError(t, s.Own("child", child))
		start := time.Now()
		err = s.Close()
		require.ErrorIs(t, err, context.DeadlineExceeded, "the cut is reported")
		require.Equal(t, 2*time.Second, time.Since(start))
		require.NoError(t, quick, "cancelled during the drain")
		var te *cancel.TimeoutError
		require.ErrorAs(t, slow, &te)
	})
}
