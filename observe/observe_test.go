package observe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
	"github.com/nursery-go/nursery/observe"
	"github.com/stretchr/testify/require"
)

func block(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// get fetches path from srv and returns the status, content type and body.
func get(t *testing.T, srv *httptest.Server, path string, header ...string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// TestHandlerOverHTTP serves a live tree from a real server and reads it
// as text and as JSON.
func TestHandlerOverHTTP(t *testing.T) {
	root := group.New(context.Background(), group.Name("server"))
	root.Go(block, group.Name("http"))
	ex := executor.New(root, executor.MaxWorkers(2), executor.Name("crawl"))
	for range 5 {
		_, err := ex.Enqueue(block)
		require.NoError(t, err)
	}
	other := group.New(context.Background(), group.Name("batch"))
	srv := httptest.NewServer(observe.Handler(root, other))
	defer srv.Close()

	code, ctype, text := get(t, srv, "/")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "text/plain; charset=utf-8", ctype)
	require.Contains(t, text, `"server" open`)
	require.Contains(t, text, `task 1 "http" running`)
	require.Contains(t, text, `"crawl" executor open`)
	require.Contains(t, text, "max_workers=2")
	require.Contains(t, text, `"batch" open`)
	require.Contains(t, text, "observe_test.block")

	_, _, limited := get(t, srv, "/?tasks=1")
	require.Contains(t, limited, "… 4 more tasks") // the executor's 5 jobs, 1 listed

	for _, how := range [][]string{{"/?format=json"}, {"/", "Accept", "application/json"}} {
		code, ctype, body := get(t, srv, how[0], how[1:]...)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, "application/json", ctype)
		var snaps []group.Snapshot
		require.NoError(t, json.Unmarshal([]byte(body), &snaps))
		require.Len(t, snaps, 2)
		require.Equal(t, "server", snaps[0].Name)
		require.Equal(t, "http", snaps[0].Tasks[0].Name)
		require.Equal(t, group.Running, snaps[0].Tasks[0].State)
		require.Len(t, snaps[0].Groups, 1)
		require.Len(t, snaps[0].Groups[0].Tasks, 5, "every job, not only the first 100 or tasks=N")
		require.Equal(t, int64(3), snaps[0].Groups[0].Info["waiting"])
		require.Equal(t, "batch", snaps[1].Name)
	}

	code, _, _ = get(t, srv, "/?format=xml")
	require.Equal(t, http.StatusBadRequest, code)
	code, _, _ = get(t, srv, "/?tasks=-1")
	require.Equal(t, http.StatusBadRequest, code)
	resp, err := srv.Client().Post(srv.URL, "text/plain", strings.NewReader("x"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))

	require.NoError(t, root.Close())
	require.NoError(t, other.Close())
	_, _, text = get(t, srv, "/")
	require.Contains(t, text, `"server" closed`)
}

// TestSlog logs every kind of event and checks levels and attributes.
func TestSlog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
			Level: slog.LevelDebug,
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		}))
		g := group.New(context.Background(), group.Name("jobs"), group.Observe(observe.Slog(l)),
			group.OnError(func(error) {}), group.PanicsAsErrors(), group.OnPanic(func(*group.PanicError) {}))
		g.Go(func(context.Context) error { time.Sleep(time.Second); return nil }, group.Name("ok"))
		time.Sleep(2 * time.Second)
		g.Go(func(context.Context) error { return errors.New("disk full") }, group.Name("bad"))
		synctest.Wait()
		groupctl.Emit(g, group.Event{Kind: group.TaskRestarted, Err: errors.New("disk full"), Duration: 2 * time.Second, Attempt: 3})
		require.NoError(t, g.Close())
		g.Go(func(context.Context) error { return nil })

		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		want := []string{
			`level=DEBUG msg=task-started group=jobs task_id=1 task=ok`,
			`level=DEBUG msg=task-succeeded group=jobs task_id=1 task=ok duration=1s`,
			`level=DEBUG msg=task-started group=jobs task_id=2 task=bad`,
			`level=ERROR msg=task-failed group=jobs task_id=2 task=bad err="disk full" duration=0s`,
			`level=WARN msg=task-restarted group=jobs err="disk full" duration=2s attempt=3`,
			`level=DEBUG msg=group-closed group=jobs duration=2s`,
			`level=DEBUG msg=task-refused group=jobs task_id=3 err="group: closed"`,
		}
		require.Equal(t, want, lines)

		// At Info, the routine events are not even formatted.
		buf.Reset()
		quiet := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		h := group.New(context.Background(), group.Observe(observe.Slog(quiet)))
		h.Go(func(context.Context) error { return nil })
		require.NoError(t, h.Wait())
		require.Empty(t, buf.String())
	})
}

func TestMisuse(t *testing.T) {
	require.PanicsWithValue(t, "observe: Handler with a nil group", func() { observe.Handler(nil) })
	require.PanicsWithValue(t, "observe: Slog with a nil logger", func() { observe.Slog(nil) })
}
