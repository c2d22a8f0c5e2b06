package flow_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

// TestRaceRefusedTaskHangs guards against a bug where Race waits for a message on
// finished from every function, but a function whose task the group
// refused (the group closed while Race was still starting tasks: ctx ended
// or a function panicked) never runs, never sends, and Race blocks forever.
// Nothing can release it: on failure the blocked Race is abandoned.
func TestRaceRefusedTaskHangs(t *testing.T) {
	const n = 20000
	for _, mode := range []string{"ctx ends", "panic"} {
		t.Run(mode, func(t *testing.T) {
			for attempt := range 3 {
				ctx, cancel := context.WithCancelCause(context.Background())
				stop := errors.New("stop")
				release := make(chan struct{})
				fns := make([]func(context.Context) (int, error), n)
				for i := range fns {
					fns[i] = func(ctx context.Context) (int, error) {
						if i == 0 {
							if mode == "panic" {
								panic(stop)
							}
							cancel(stop)
							return 0, stop
						}
						select {
						case <-ctx.Done():
							return 0, ctx.Err()
						case <-release:
							return 0, errBoom
						}
					}
				}
				var err error
				p := bounded(t, fmt.Sprint("Race, attempt ", attempt), nil, func() {
					_, err = flow.Race(ctx, fns...)
				})
				close(release)
				cancel(nil)
				if t.Failed() {
					return
				}
				if mode == "panic" {
					var pe *group.PanicError
					require.ErrorAs(t, p.(error), &pe)
				} else {
					require.Nil(t, p)
					require.ErrorIs(t, err, stop)
				}
			}
		})
	}
}
