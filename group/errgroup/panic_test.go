package errgroup_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/group/errgroup"
	"github.com/nursery-go/nursery/internal/testkit"
	"github.com/stretchr/testify/require"
)

// childEnv tells a re-executed test binary which crash to act out.
const childEnv = "ERRGROUP_TEST_CRASH"

// panicInFunction is the function whose frame the crash must show.
//
//go:noinline
func panicInFunction(v any) error { panic(v) }

// crashChild acts out a crash when the binary runs as TestPanicCrashesProgram's
// child. It never returns then.
func crashChild(mode string) {
	var g errgroup.Group
	g.SetName("crashy")
	if strings.Contains(mode, "hook") {
		g.SetPanicHook(func(pe *group.PanicError) {
			fmt.Fprintf(os.Stderr, "hook saw %v in %s\n", pe.Value, pe.Task)
		})
	}
	var v any = "boom"
	if strings.Contains(mode, "error") {
		v = errors.New("boom error")
	}
	if strings.Contains(mode, "trygo") {
		g.TryGo(func() error { return panicInFunction(v) })
	} else {
		g.Go(func() error { return panicInFunction(v) })
	}
	if strings.Contains(mode, "wait") {
		err := g.Wait()
		fmt.Println("Wait returned", err)
	}
	// The crash must come from the function's goroutine at once, not from
	// a Wait that this goroutine may never reach.
	<-time.After(testkit.Bound)
	fmt.Println("no crash")
	os.Exit(0)
}

func TestPanicCrashesProgram(t *testing.T) {
	if mode := os.Getenv(childEnv); mode != "" {
		crashChild(mode)
	}
	tests := []struct {
		mode      string
		wantPanic string // first line of the crash
		wantHook  string // "" when no hook is set
	}{
		{"go", "panic: boom", ""},
		{"trygo", "panic: boom", ""},
		{"go wait", "panic: boom", ""},
		{"go error", "panic: boom error", ""},
		{"go hook", "panic: boom", "hook saw boom in crashy/#"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*testkit.Bound)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPanicCrashesProgram$", "-test.count=1")
			cmd.Env = append(os.Environ(), childEnv+"="+tt.mode)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			require.Equal(t, 2, exit.ExitCode(), "an unrecovered panic exits with status 2")
			require.NotContains(t, stdout.String(), "no crash")
			require.NotContains(t, stdout.String(), "Wait returned")

			out := stderr.String()
			if tt.wantHook == "" {
				// Nothing is logged before the crash, as with x/sync.
				require.True(t, strings.HasPrefix(out, tt.wantPanic), "stderr:\n%s", out)
			} else {
				require.True(t, strings.HasPrefix(out, tt.wantHook), "stderr:\n%s", out)
				require.Contains(t, out, "\n"+tt.wantPanic)
			}
			// The crash happens in the goroutine that panicked, and its
			// trace still shows the panicking frame.
			require.Contains(t, out, "errgroup_test.panicInFunction(")
		})
	}
}
