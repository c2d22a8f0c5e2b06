package tests

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine is left running after the
// tests: every test here must end everything it started.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
