package waitinside_test

import (
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/vettest"
	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/waitinside"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The waits seeded in testdata/src/waitinside are reported (the // want
// lines); waits outside the task, in other goroutines, for other groups or
// children, and in code that expects ErrWaitInTask are not.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, vettest.Testdata(t), waitinside.Analyzer, "waitinside")
}
