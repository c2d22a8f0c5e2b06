package rawgo

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/nursery"
	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/suppress"
)

// Analyzer reports go statements where a group could own the goroutine.
// The nurseryvet command runs it only with -rawgo; the Analyzer itself
// always reports.
var Analyzer = &analysis.Analyzer{
	Name: "rawgo",
	Doc: `report go statements in functions that have a group at hand (off by default)

A goroutine started with go in a function that has a group.Group,
*resource.Stack or *executor.Executor variable is owned by nothing: no Wait
waits for it and no panic handler sees it. Fix: g.Go(func(ctx
context.Context) error { …; return nil }). nurseryvet runs this check only
when given -rawgo.`,
	URL:      "https://pkg.go.dev/github.com/nursery-go/nursery/cmd/nurseryvet/passes/rawgo",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	rep := suppress.New(pass)
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	insp.WithStack([]ast.Node{(*ast.GoStmt)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		gs := n.(*ast.GoStmt)
		owners := inScope(pass, gs)
		if len(owners) == 0 {
			return true
		}
		o := owners[0]
		d := analysis.Diagnostic{Pos: gs.Pos(), End: gs.Go + 2}
		if nursery.KindOf(o.Type()) == nursery.Executor {
			d.Message = fmt.Sprintf("go statement where executor %s is at hand: nothing waits for this goroutine or sees its panic; submit it to %s instead", o.Name(), o.Name())
		} else {
			d.Message = fmt.Sprintf("go statement where group %s is at hand: nothing waits for this goroutine or sees its panic; start it with %s.Go instead", o.Name(), o.Name())
			if len(owners) == 1 {
				file, _ := stack[0].(*ast.File)
				if fix, ok := rewrite(pass, file, gs, o); ok {
					d.SuggestedFixes = []analysis.SuggestedFix{fix}
				}
			}
		}
		rep.Report(d)
		return true
	})
	return nil, nil
}

// inScope returns the variables of an owner type that are visible at gs
// and local to its function (parameters included), innermost first.
func inScope(pass *analysis.Pass, gs *ast.GoStmt) []*types.Var {
	var owners []*types.Var
	for s := pass.Pkg.Scope().Innermost(gs.Pos()); s != nil && s.Parent() != pass.Pkg.Scope() && s != pass.Pkg.Scope(); s = s.Parent() {
		for _, name := range s.Names() {
			v, ok := s.Lookup(name).(*types.Var)
			if !ok || v.Pos() >= gs.Pos() || nursery.KindOf(v.Type()) == nursery.NoKind {
				continue
			}
			if _, isPtr := v.Type().(*types.Pointer); !isPtr && nursery.KindOf(v.Type()) != nursery.Group {
				continue // a Stack or Executor by value is not a usable owner
			}
			owners = append(owners, v)
		}
	}
	return owners
}

// rewrite returns a fix that turns "go func() { … }()" or "go f()" into a
// task of o, when the rewrite keeps the meaning: no arguments to evaluate
// early, no return statements to rewrite, and the file imports context.
func rewrite(pass *analysis.Pass, file *ast.File, gs *ast.GoStmt, o *types.Var) (analysis.SuggestedFix, bool) {
	ctxName, ok := contextImport(file)
	if !ok || len(gs.Call.Args) > 0 {
		return analysis.SuggestedFix{}, false
	}
	head := fmt.Sprintf("%s.Go(func(%s.Context) error {", o.Name(), ctxName)
	fix := analysis.SuggestedFix{Message: fmt.Sprintf("start it with %s.Go", o.Name())}
	switch fun := ast.Unparen(gs.Call.Fun).(type) {
	case *ast.FuncLit:
		if fun.Type.Params.NumFields() > 0 || fun.Type.Results.NumFields() > 0 || hasReturn(fun.Body) {
			return analysis.SuggestedFix{}, false
		}
		fix.TextEdits = []analysis.TextEdit{
			{Pos: gs.Pos(), End: fun.Body.Lbrace + 1, NewText: []byte(head)},
			{Pos: fun.Body.Rbrace, End: fun.Body.Rbrace, NewText: []byte("return nil\n")},
			{Pos: fun.Body.Rbrace + 1, End: gs.Call.End(), NewText: []byte(")")},
		}
	case *ast.Ident, *ast.SelectorExpr:
		if !plain(fun) {
			return analysis.SuggestedFix{}, false
		}
		var call bytes.Buffer
		call.WriteString(types.ExprString(fun))
		fix.TextEdits = []analysis.TextEdit{{
			Pos: gs.Pos(), End: gs.End(),
			NewText: []byte(fmt.Sprintf("%s %s(); return nil })", head, call.String())),
		}}
	default:
		return analysis.SuggestedFix{}, false
	}
	return fix, true
}

// plain reports whether e is an identifier or a chain of selectors on one,
// which the rewrite may evaluate late.
func plain(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return plain(e.X)
	}
	return false
}

// hasReturn reports whether body has a return statement of its own.
func hasReturn(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = true
		}
		return !found
	})
	return found
}

// contextImport returns the name under which file imports package context.
func contextImport(file *ast.File) (string, bool) {
	if file == nil {
		return "", false
	}
	for _, imp := range file.Imports {
		if path, err := strconv.Unquote(imp.Path.Value); err != nil || path != "context" {
			continue
		}
		if imp.Name == nil {
			return "context", true
		}
		if imp.Name.Name == "_" || imp.Name.Name == "." {
			return "", false
		}
		return imp.Name.Name, true
	}
	return "", false
}
