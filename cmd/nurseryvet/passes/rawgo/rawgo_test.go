package rawgo_test

import (
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/rawgo"
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

// The go statements seeded in testdata/src/rawgo are reported (the // want
// lines), those with no owner at hand are not, and the fixes give the
// .golden file.
func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), rawgo.Analyzer, "rawgo")
}
