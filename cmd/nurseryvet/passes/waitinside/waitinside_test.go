package waitinside_test

import (
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/waitinside"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testdata returns the GOPATH tree that the checks' tests share.
func testdata(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// The waits seeded in testdata/src/waitinside are reported (the // want
// lines); waits outside the task, in other goroutines, for other groups or
// children, and in code that expects ErrWaitInTask are not.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, testdata(t), waitinside.Analyzer, "waitinside")
}
