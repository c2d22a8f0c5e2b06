package outerctx_test

import (
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/vettest"
	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/outerctx"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The seeded mistakes in testdata/src/outerctx are reported (the // want
// lines), its correct uses are not, and the fixes give the .golden file.
func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, vettest.Testdata(t), outerctx.Analyzer, "outerctx")
}
