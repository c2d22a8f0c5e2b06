package droppedsubmit_test

import (
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/vettest"
	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/droppedsubmit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The drops seeded in testdata/src/droppedsubmit are reported (the // want
// lines), and its checked calls, explicit _ assignments, misuse tests and
// ignored line are not.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, vettest.Testdata(t), droppedsubmit.Analyzer, "droppedsubmit")
}

// With -blank, results assigned to _ are reported too.
func TestBlank(t *testing.T) {
	set(t, "blank", "true")
	analysistest.Run(t, vettest.Testdata(t), droppedsubmit.Analyzer, "droppedsubmit/blank")
}

// set sets one of the analyzer's flags for the test.
func set(t *testing.T, name, value string) {
	f := droppedsubmit.Analyzer.Flags.Lookup(name)
	if f == nil {
		t.Fatalf("no flag -%s", name)
	}
	old := f.Value.String()
	if err := f.Value.Set(value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Value.Set(old) })
}
