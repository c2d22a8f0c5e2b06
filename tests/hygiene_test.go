package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// offGoroutine names the calls whose function-literal arguments run on a
// goroutine other than the caller's: tasks, jobs, supervised jobs, and the
// bounded-wait helpers that run their argument aside.
var offGoroutine = map[string]bool{
	"Go": true, "TryGo": true, "Submit": true, "TrySubmit": true, "Enqueue": true,
	"Async": true, "Start": true, "Supervise": true, "Every": true, "After": true,
	"AfterFunc": true, "Within": true, "within": true,
}

// failNow names the calls that end the calling goroutine through
// t.FailNow: legal only on the test's own goroutine, where they end the
// test; elsewhere they end some other goroutine and leave the test hanging
// or passing.
func failNow(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		x, ok := fn.X.(*ast.Ident)
		if !ok {
			return ""
		}
		switch {
		case x.Name == "require":
			return "require." + fn.Sel.Name
		case (x.Name == "t" || x.Name == "b" || x.Name == "tb") &&
			(fn.Sel.Name == "Fatal" || fn.Sel.Name == "Fatalf" || fn.Sel.Name == "FailNow" ||
				fn.Sel.Name == "Skip" || fn.Sel.Name == "Skipf" || fn.Sel.Name == "SkipNow"):
			return x.Name + "." + fn.Sel.Name
		case x.Name == "testkit" && (fn.Sel.Name == "Recv" || fn.Sel.Name == "Receive" || fn.Sel.Name == "NotClosed"):
			return "testkit." + fn.Sel.Name
		}
	case *ast.Ident:
		if fn.Name == "recv" || fn.Name == "notClosed" || fn.Name == "take" {
			return fn.Name
		}
	}
	return ""
}

// TestNoFailNowOffTheTestGoroutine scans every test file of the module
// for require, t.Fatal and the bounded-wait helpers called inside a go
// statement or a task body. Such a call ends the task's goroutine, not the
// test, so a failing check can pass or hang. Pass what was seen back to
// the test goroutine and check it there.
func TestNoFailNowOffTheTestGoroutine(t *testing.T) {
	var found []string
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "bench" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		check := func(lit *ast.FuncLit) {
			ast.Inspect(lit.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if name := failNow(c); name != "" {
						found = append(found, fset.Position(c.Pos()).String()+": "+name)
					}
				}
				return true
			})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.GoStmt:
				if lit, ok := x.Call.Fun.(*ast.FuncLit); ok {
					check(lit)
				}
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				case *ast.IndexExpr:
					if se, ok := fn.X.(*ast.SelectorExpr); ok {
						name = se.Sel.Name
					}
				}
				if offGoroutine[name] {
					for _, a := range x.Args {
						if lit, ok := a.(*ast.FuncLit); ok {
							check(lit)
						}
					}
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	require.Empty(t, found, "calls that end the wrong goroutine")
}
