package testkit_test

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/internal/testkit"
)

func TestBubbleRunsItsFunction(t *testing.T) {
	ran := false
	testkit.Bubble(t, func(t *testing.T) {
		time.Sleep(time.Hour) // fake time: returns at once
		ran = true
	})
	require.True(t, ran)
}

// A bubble that spins ends the test binary, naming the test, instead of
// hanging: checked in a child process, which is what dies.
func TestBubbleEndsASpin(t *testing.T) {
	if os.Getenv("TESTKIT_SPIN") == "1" {
		testkit.BubbleBound = 200 * time.Millisecond
		testkit.Bubble(t, func(t *testing.T) {
			for {
				runtime.Gosched() // busy, never blocked: fake time never moves
			}
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBubbleEndsASpin$", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), "TESTKIT_SPIN=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the child must fail")
	require.Contains(t, string(out), "TestBubbleEndsASpin: its synctest bubble is still running after 200ms of real time")
}
