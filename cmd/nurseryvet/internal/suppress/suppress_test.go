package suppress_test

import (
	"testing"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/suppress"
)

// Parse tells the directive from other comments and reads the checks it
// names. (Reporter's silencing is tested through every check's testdata.)
func TestParse(t *testing.T) {
	tests := []struct {
		give      string
		wantOK    bool
		wantNames []string
	}{
		{give: "//nurseryvet:ignore", wantOK: true},
		{give: "//nurseryvet:ignore the group lives as long as the process", wantOK: true},
		{give: "//nurseryvet:ignore\treason", wantOK: true},
		{give: "//nurseryvet:ignore=lostgroup", wantOK: true, wantNames: []string{"lostgroup"}},
		{give: "//nurseryvet:ignore=lostgroup,outerctx reason", wantOK: true, wantNames: []string{"lostgroup", "outerctx"}},
		{give: "//nurseryvet:ignore=rawgo\treason", wantOK: true, wantNames: []string{"rawgo"}},
		{give: "//nurseryvet:ignore=", wantOK: false},
		{give: "//nurseryvet:ignored", wantOK: false},
		{give: "// nurseryvet:ignore", wantOK: false},
		{give: "//lint:ignore SA1012 reason", wantOK: false},
		{give: "/* nurseryvet:ignore */", wantOK: false},
	}
	for _, tt := range tests {
		names, ok := suppress.Parse(tt.give)
		if ok != tt.wantOK || !equal(names, tt.wantNames) {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.give, names, ok, tt.wantNames, tt.wantOK)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
