package errgroup_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/nursery-go/nursery/group/errgroup"
	"github.com/stretchr/testify/require"
)

// blockedIn returns a function that closes up when it starts and then
// waits for release; its frame, labelledFunction, marks it in a profile.
func blockedIn(up chan struct{}, release <-chan struct{}) func() error {
	return func() error { return labelledFunction(up, release) }
}

//go:noinline
func labelledFunction(up chan struct{}, release <-chan struct{}) error {
	close(up)
	<-release
	return nil
}

// labelsOf returns the label lines of the goroutine profile records that
// show labelledFunction.
func labelsOf(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
	var labels []string
	for rec := range strings.SplitSeq(buf.String(), "\n\n") {
		if !strings.Contains(rec, "labelledFunction") {
			continue
		}
		for line := range strings.SplitSeq(rec, "\n") {
			if strings.HasPrefix(line, "# labels:") {
				labels = append(labels, line)
			}
		}
	}
	return strings.Join(labels, "\n")
}

func TestFunctionsCarryPprofLabels(t *testing.T) {
	tests := []struct {
		name string
		make func() *errgroup.Group
		want []string
	}{
		{
			name: "zero group",
			make: func() *errgroup.Group { return new(errgroup.Group) },
			want: []string{`"nursery.group":"#`},
		},
		{
			name: "named",
			make: func() *errgroup.Group {
				g := new(errgroup.Group)
				g.SetName("crawler")
				return g
			},
			want: []string{`"nursery.group":"crawler"`},
		},
		{
			name: "labels of WithContext's context",
			make: func() *errgroup.Group {
				ctx := pprof.WithLabels(context.Background(), pprof.Labels("request", "42"))
				g, _ := errgroup.WithContext(ctx)
				g.SetName("fetch")
				return g
			},
			want: []string{`"request":"42"`, `"nursery.group":"fetch"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.make()
			up := make(chan struct{})
			release, open := gate(t)
			g.Go(blockedIn(up, release))
			recv(t, up, "function")
			labels := labelsOf(t)
			open()
			require.NoError(t, result(t, waitAsync(g)))
			for _, want := range tt.want {
				require.Contains(t, labels, want)
			}
		})
	}
}

func TestSetNameAppliesAfterWait(t *testing.T) {
	var g errgroup.Group
	up := make(chan struct{})
	release, open := gate(t)
	g.Go(blockedIn(up, release))
	recv(t, up, "first function")
	g.SetName("later") // the running generation keeps its number
	require.NotContains(t, labelsOf(t), `"later"`)
	open()
	require.NoError(t, result(t, waitAsync(&g)))

	up = make(chan struct{})
	release, open = gate(t)
	g.Go(blockedIn(up, release))
	recv(t, up, "second function")
	labels := labelsOf(t)
	open()
	require.NoError(t, result(t, waitAsync(&g)))
	require.Contains(t, labels, `"nursery.group":"later"`)
}
