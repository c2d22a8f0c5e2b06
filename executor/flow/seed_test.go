package flow_test

import (
	"flag"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

var flowSeed = flag.Uint64("flow.seed", 0,
	"seed for the randomized flow tests (0: a new random seed each run; the FLOW_SEED environment variable works too)")

// testSeed returns the seed for a randomized test: -flow.seed or FLOW_SEED
// when set, else a new random one. If the test fails, it prints the
// command that runs it again with the same seed.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := *flowSeed
	if env := os.Getenv("FLOW_SEED"); seed == 0 && env != "" {
		var err error
		if seed, err = strconv.ParseUint(env, 10, 64); err != nil {
			t.Fatalf("FLOW_SEED=%q: %v", env, err)
		}
	}
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d", seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay: go test ./executor/flow -run '%s' -flow.seed=%d", t.Name(), seed)
		}
	})
	return seed
}

// TestTestSeed_flagIsUsed: a seed given on the command line is the one the
// randomized tests draw from.
func TestTestSeed_flagIsUsed(t *testing.T) {
	old := *flowSeed
	defer func() { *flowSeed = old }()
	*flowSeed = 12345
	if got := testSeed(t); got != 12345 {
		t.Fatalf("testSeed with -flow.seed=12345 = %d", got)
	}
	*flowSeed = 0
	t.Setenv("FLOW_SEED", "678")
	if got := testSeed(t); got != 678 {
		t.Fatalf("testSeed with FLOW_SEED=678 = %d", got)
	}
}
