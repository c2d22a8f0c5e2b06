package main

// Tests of the example's supervised sync job.

import (
	"context"
	"errors"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/resource"
)

// With the default flags (-sync=500ms -fail-after=3) the sync job works
// for 1.5s between failures. The program is meant to run until Ctrl-C,
// restarting the job now and then; an earlier supervision (10 restarts a
// minute at most) escalated after about 40s and made `go run
// ./examples/server` exit 1 by itself. The supervisor below is the one
// serve() starts (same job, same Spec), run in a bubble for five minutes.
func TestSyncJobWithDefaultFlagsNeverEscalates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := config{sync: 500 * time.Millisecond, syncsPerUp: 3} // the flag defaults
		p := &printer{w: io.Discard}
		g := group.New(context.Background())
		syncs := 0
		sv := resource.Supervise(g, "sync", func(ctx context.Context) error {
			return syncLoop(ctx, cfg, &syncs, p)
		}, syncSupervision(func(resource.Restart) {}))
		start := time.Now()
		select {
		case <-sv.Done():
		case <-time.After(5 * time.Minute):
		}
		escalatedAfter := time.Since(start)
		g.Cancel()
		err := g.Wait()
		var ie *resource.IntensityError
		require.False(t, errors.As(err, &ie), "the example's sync job escalated after %v with the default flags: %v", escalatedAfter, err)
	})
}
