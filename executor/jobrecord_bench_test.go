package executor

import (
	"context"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/internal/groupctl"
)

// BenchmarkJobRecord measures the floor of a job's bookkeeping: its
// group.Task made as a held task and run to its end in the calling
// goroutine, with no worker, hand-off or contention. Every Submit pays at
// least this, on top of handing the job to a worker; compare it with a
// peer's whole cost per job in tests/bench (BenchmarkSubmit).
func BenchmarkJobRecord(b *testing.B) {
	b.ReportAllocs()
	g := group.New(context.Background())
	hold := groupctl.Hold.(group.Option)
	fn := func(context.Context) error { return nil }
	for b.Loop() {
		groupctl.RunHeld(g.Go(fn, hold))
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}
