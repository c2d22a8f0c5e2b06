package observe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The handler costs nothing between requests: it starts no goroutine, and
// takes a snapshot only when a request asks for the tree; the page itself
// takes none.
func TestHandler_snapshotsOnlyOnRequest(t *testing.T) {
	var taken atomic.Int64
	defer func(f func(*group.Group) group.Snapshot) { snapshot = f }(snapshot)
	snapshot = func(g *group.Group) group.Snapshot {
		taken.Add(1)
		return g.Snapshot()
	}
	root := group.New(context.Background(), group.Name("server"))
	defer root.Close()
	other := group.New(context.Background(), group.Name("batch"))
	defer other.Close()
	before := goleak.IgnoreCurrent()
	h := Handler(root, other)

	// The program works: tasks start and end, and nothing looks at them.
	work := root.Subgroup(group.Name("work"))
	for range 1000 {
		work.Go(func(context.Context) error { return nil })
	}
	require.NoError(t, work.Wait())
	require.Zero(t, taken.Load())
	goleak.VerifyNone(t, before) // no goroutine of the handler's

	count := func(target, accept string) int64 {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code, target)
		return taken.Swap(0)
	}
	require.Zero(t, count("/", "text/html"), "the page")
	require.Zero(t, count("/?format=html", ""), "the page")
	require.Equal(t, int64(2), count("/?format=live", ""), "one per root")
	require.Equal(t, int64(2), count("/?format=json", ""), "one per root")
	require.Equal(t, int64(2), count("/", ""), "one per root")
	goleak.VerifyNone(t, before)
}
