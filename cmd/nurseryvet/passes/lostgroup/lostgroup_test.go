package lostgroup_test

import (
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/lostgroup"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The seeded mistakes in testdata/src/lostgroup are reported (the // want
// lines), its correct uses are not, and the fixes give the .golden file.
func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), lostgroup.Analyzer, "lostgroup")
}

// testdata returns the GOPATH tree that the checks' tests share.
func testdata(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
