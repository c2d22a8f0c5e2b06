// Package vettest holds what the analyzers' tests share: the path of the
// testdata tree, with the stubs of the library's packages, that
// analysistest runs them on. It is for tests only.
package vettest

import (
	"path/filepath"
	"runtime"
	"testing"
)

// Testdata returns the absolute path of cmd/nurseryvet/testdata, the
// GOPATH tree that the checks' tests share.
func Testdata(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("vettest: cannot tell where this package is")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}
