package outerctx

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/nursery"
	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/suppress"
)

// Analyzer reports task functions that use a captured context instead of
// their own.
var Analyzer = &analysis.Analyzer{
	Name: "outerctx",
	Doc: `report task functions that ignore their own context for a captured one

A function literal passed to the library (Go, Async, Submit, Exec, Start,
flow stages…) whose context parameter is blank, unnamed or unused, while it
passes a context captured from the enclosing function to a call, cannot be
cancelled by its group. Fix: name the parameter (ctx) and use it.`,
	URL:      "https://pkg.go.dev/github.com/nursery-go/nursery/cmd/nurseryvet/passes/outerctx",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	rep := suppress.New(pass)
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	insp.Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		call := n.(*ast.CallExpr)
		fn := nursery.Callee(pass.TypesInfo, call)
		if !nursery.IsAPI(fn) {
			return
		}
		for _, arg := range call.Args {
			if lit, ok := ast.Unparen(arg).(*ast.FuncLit); ok {
				check(pass, rep, lit)
			}
		}
	})
	return nil, nil
}

// ctxParam returns the literal's first context.Context parameter, the
// field that declares it, and its index among the field's names.
func ctxParam(info *types.Info, lit *ast.FuncLit) (*types.Var, *ast.Field, int) {
	sig, _ := info.TypeOf(lit).(*types.Signature)
	if sig == nil {
		return nil, nil, 0
	}
	i := 0
	for _, f := range lit.Type.Params.List {
		n := max(len(f.Names), 1)
		for j := range n {
			if i < sig.Params().Len() && nursery.IsContext(sig.Params().At(i).Type()) {
				return sig.Params().At(i), f, j
			}
			i++
		}
	}
	return nil, nil, 0
}

// A capture is a captured context passed to a call in a task's body.
type capture struct {
	arg    *ast.Ident
	v      *types.Var
	callee string
}

func check(pass *analysis.Pass, rep *suppress.Reporter, lit *ast.FuncLit) {
	info := pass.TypesInfo
	param, field, idx := ctxParam(info, lit)
	if param == nil {
		return
	}
	how := "unused"
	switch param.Name() {
	case "":
		how = "unnamed"
	case "_":
		how = "blank"
	}
	inside := func(v *types.Var) bool { return lit.Pos() <= v.Pos() && v.Pos() < lit.End() }
	var caps []capture
	used, assigned := false, false
	ast.PreorderStack(lit.Body, nil, func(n ast.Node, stack []ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			// A nested literal with a context of its own is a task (or
			// a callback) of its own: checked, if at all, by itself.
			if p, _, _ := ctxParam(info, n); p != nil {
				return false
			}
		case *ast.Ident:
			if info.Uses[n] == param {
				used = true
			}
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok {
					if v, _ := info.Uses[id].(*types.Var); v != nil && nursery.IsContext(v.Type()) && !inside(v) {
						assigned = true
					}
				}
			}
		case *ast.CallExpr:
			sig, _ := info.TypeOf(n.Fun).(*types.Signature)
			if sig == nil {
				return true
			}
			for i, a := range n.Args {
				if !nursery.IsContext(paramType(sig, i, n.Ellipsis.IsValid())) {
					continue
				}
				id, ok := ast.Unparen(a).(*ast.Ident)
				if !ok {
					continue
				}
				if v, _ := info.Uses[id].(*types.Var); v != nil && nursery.IsContext(v.Type()) && !inside(v) {
					caps = append(caps, capture{arg: id, v: v, callee: calleeName(info, n)})
				}
			}
		}
		return true
	})
	if used || len(caps) == 0 {
		return
	}
	first := caps[0]
	d := analysis.Diagnostic{
		Pos: field.Pos(),
		End: field.End(),
		Message: fmt.Sprintf("task function ignores its own context (%s parameter) and passes the captured %s to %s: its group cannot cancel it; name the parameter and use it instead",
			how, first.v.Name(), first.callee),
	}
	for _, c := range caps {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: c.arg.Pos(), End: c.arg.End(), Message: fmt.Sprintf("captured %s passed to %s", c.v.Name(), c.callee)})
	}
	if fix, ok := rename(info, lit, field, idx, caps, assigned); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	rep.Report(d)
}

// rename returns a fix that makes the body use the task's context: it
// names the parameter (ctx, unless it has a name already) and replaces the
// uses of the one captured context by that name.
func rename(info *types.Info, lit *ast.FuncLit, field *ast.Field, idx int, caps []capture, assigned bool) (analysis.SuggestedFix, bool) {
	v := caps[0].v
	for _, c := range caps[1:] {
		if c.v != v {
			return analysis.SuggestedFix{}, false // two outer contexts: which one is meant?
		}
	}
	if assigned {
		return analysis.SuggestedFix{}, false // the body assigns an outer context
	}
	name := "ctx"
	if len(field.Names) > 0 && field.Names[idx].Name != "_" {
		name = field.Names[idx].Name
	}
	// The name must not mean anything else in the literal: no other
	// parameter or result, nothing declared in the body, and no use of
	// another outer variable of that name.
	sig := info.TypeOf(lit).(*types.Signature)
	for _, tup := range []*types.Tuple{sig.Params(), sig.Results()} {
		for p := range tup.Variables() {
			if p.Name() == name && !(len(field.Names) > 0 && info.Defs[field.Names[idx]] == p) {
				return analysis.SuggestedFix{}, false
			}
		}
	}
	var uses []*ast.Ident
	clash := false
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return !clash
		}
		if info.Uses[id] == v {
			uses = append(uses, id)
		} else if id.Name == name && (info.Defs[id] != nil || info.Uses[id] != nil) {
			clash = true
		}
		return !clash
	})
	if clash {
		return analysis.SuggestedFix{}, false
	}
	fix := analysis.SuggestedFix{Message: fmt.Sprintf("use the task's context, named %s", name)}
	switch {
	case len(field.Names) > 0:
		id := field.Names[idx]
		if id.Name != name {
			fix.TextEdits = append(fix.TextEdits, analysis.TextEdit{Pos: id.Pos(), End: id.End(), NewText: []byte(name)})
		}
	case len(lit.Type.Params.List) == 1:
		// func(context.Context): the only parameter, so it can be named
		// alone.
		fix.TextEdits = append(fix.TextEdits, analysis.TextEdit{Pos: field.Type.Pos(), End: field.Type.Pos(), NewText: []byte(name + " ")})
	default:
		return analysis.SuggestedFix{}, false // naming one would mean naming all
	}
	if v.Name() != name {
		for _, id := range uses {
			fix.TextEdits = append(fix.TextEdits, analysis.TextEdit{Pos: id.Pos(), End: id.End(), NewText: []byte(name)})
		}
	}
	return fix, true
}

// paramType returns the type of the parameter that the i'th argument of a
// call of sig is passed to.
func paramType(sig *types.Signature, i int, ellipsis bool) types.Type {
	n := sig.Params().Len()
	if n == 0 {
		return nil
	}
	if sig.Variadic() && i >= n-1 {
		t := sig.Params().At(n - 1).Type()
		if ellipsis {
			return t
		}
		if s, ok := t.(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	}
	if i >= n {
		return nil
	}
	return sig.Params().At(i).Type()
}

func calleeName(info *types.Info, call *ast.CallExpr) string {
	if fn := nursery.Callee(info, call); fn != nil {
		if sig := fn.Type().(*types.Signature); sig.Recv() == nil && fn.Pkg() != nil {
			return fn.Pkg().Name() + "." + fn.Name()
		}
		return fn.Name()
	}
	return types.ExprString(call.Fun)
}
