package rawgo_test

import (
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/vettest"
	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/rawgo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The go statements seeded in testdata/src/rawgo are reported (the // want
// lines), those with no owner at hand are not, and the fixes give the
// .golden file.
func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, vettest.Testdata(t), rawgo.Analyzer, "rawgo")
}
