package group_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

func TestTasksCarryPprofLabels(t *testing.T) {
	g := group.New(context.Background(), group.Name("api"))
	sub := g.Subgroup(group.Name("db"))
	upA, upB := make(chan struct{}), make(chan struct{})
	g.Go(started(upA), group.Name("listener"))
	sub.Go(started(upB))
	recv(t, upA, "listener")
	recv(t, upB, "db task")

	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
	profile := buf.String()
	var listener, dbTask bool
	for _, rec := range strings.Split(profile, "\n\n") {
		if !strings.Contains(rec, "started.func") {
			continue
		}
		switch {
		case strings.Contains(rec, `"nursery.group":"api"`) && strings.Contains(rec, `"nursery.task":"listener"`):
			listener = true
		case strings.Contains(rec, `"nursery.group":"api/db"`) && !strings.Contains(rec, `"nursery.task"`):
			dbTask = true
		}
	}
	require.True(t, listener, "named task's labels in profile:\n%s", profile)
	require.True(t, dbTask, "subgroup task's labels in profile:\n%s", profile)

	// The task's context carries the group's labels, so pprof.Do inside a
	// task adds to them instead of replacing them.
	got := make(chan string, 1)
	g.Go(func(ctx context.Context) error {
		v, _ := pprof.Label(ctx, group.LabelGroup)
		got <- v
		return nil
	})
	require.Equal(t, "api", take(t, got))
	require.NoError(t, closeAndWait(t, g))
}
