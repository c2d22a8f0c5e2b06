package suppress

import (
	"go/ast"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
)

const directive = "//nurseryvet:ignore"

// Reporter reports the diagnostics of one pass, leaving out those that a
// //nurseryvet:ignore comment covers. It is not safe for concurrent use.
type Reporter struct {
	pass  *analysis.Pass
	lines map[*token.File]map[int][]string // line -> the checks silenced there; nil slice: all
}

// New returns a Reporter for pass.
func New(pass *analysis.Pass) *Reporter {
	return &Reporter{pass: pass}
}

// Report reports d unless an ignore comment covers its position.
func (r *Reporter) Report(d analysis.Diagnostic) {
	if r.ignored(d.Pos) {
		return
	}
	r.pass.Report(d)
}

// ignored reports whether an ignore comment for this pass's check is on
// pos's line or on the line above.
func (r *Reporter) ignored(pos token.Pos) bool {
	tf := r.pass.Fset.File(pos)
	if tf == nil {
		return false
	}
	if r.lines == nil {
		r.lines = make(map[*token.File]map[int][]string)
		for _, f := range r.pass.Files {
			r.lines[r.pass.Fset.File(f.FileStart)] = directives(r.pass.Fset, f)
		}
	}
	dirs := r.lines[tf]
	line := tf.Line(pos)
	for _, l := range []int{line, line - 1} {
		names, ok := dirs[l]
		if ok && (names == nil || slices.Contains(names, r.pass.Analyzer.Name)) {
			return true
		}
	}
	return false
}

// directives maps each line of f that holds an ignore comment to the
// checks it names (nil for all).
func directives(fset *token.FileSet, f *ast.File) map[int][]string {
	var m map[int][]string
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			names, ok := Parse(c.Text)
			if !ok {
				continue
			}
			if m == nil {
				m = make(map[int][]string)
			}
			m[fset.Position(c.Slash).Line] = names
		}
	}
	return m
}

// Parse reports whether comment is an ignore directive and returns the
// checks it names, nil if it names none (it then silences all of them).
func Parse(comment string) (names []string, ok bool) {
	rest, ok := strings.CutPrefix(comment, directive)
	if !ok {
		return nil, false
	}
	if list, ok := strings.CutPrefix(rest, "="); ok {
		list, _, _ = strings.Cut(list, " ")
		list, _, _ = strings.Cut(list, "\t")
		for n := range strings.SplitSeq(list, ",") {
			if n != "" {
				names = append(names, n)
			}
		}
		return names, len(names) > 0
	}
	// "//nurseryvet:ignored" is not the directive.
	return nil, rest == "" || rest[0] == ' ' || rest[0] == '\t'
}
