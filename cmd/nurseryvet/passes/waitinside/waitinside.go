package waitinside

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

// Analyzer reports Wait, Close and Shutdown of a group from its own task.
var Analyzer = &analysis.Analyzer{
	Name: "waitinside",
	Doc: `report a task that waits for its own group

Wait, Close or Shutdown of a group, called from a function literal passed to
that same group's Go (Start, Submit, Async…), waits for itself: it returns
group.ErrWaitInTask instead of ever returning normally. Fix: wait where the
group was made, or have the task start a Subgroup and wait for that.`,
	URL:      "https://pkg.go.dev/github.com/nursery-go/nursery/cmd/nurseryvet/passes/waitinside",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	info := pass.TypesInfo
	rep := suppress.New(pass)
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)

	// parents maps an owner variable to the group it was made in:
	// executor.New(g), g.Subgroup() and resource.NewStack(g) (a Stack is
	// its group: both ways).
	parents := make(map[*types.Var][]*types.Var)
	insp.WithStack([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		call := n.(*ast.CallExpr)
		fn := nursery.Callee(info, call)
		if !nursery.IsChildMaker(fn) {
			return true
		}
		child := assigned(info, call, stack)
		parent := nursery.Var(info, parentExpr(call, fn))
		if child == nil || parent == nil || child == parent {
			return true
		}
		parents[child] = append(parents[child], parent)
		if nursery.Name(fn) == nursery.ResourcePkg+".NewStack" {
			parents[parent] = append(parents[parent], child)
		}
		return true
	})

	memo := make(map[ast.Node]bool)
	expects := func(decl ast.Node) bool {
		e, ok := memo[decl]
		if !ok {
			e = expectsWaitInTask(info, decl)
			memo[decl] = e
		}
		return e
	}
	insp.WithStack([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		call := n.(*ast.CallExpr)
		fn := nursery.Callee(info, call)
		sp, ok := nursery.SpawnerOf(fn)
		if !ok {
			return true
		}
		owner := nursery.Var(info, sp.OwnerExpr(call))
		if owner == nil || len(stack) < 2 || expects(stack[1]) {
			return true
		}
		owners := map[*types.Var]bool{owner: true}
		for todo := []*types.Var{owner}; len(todo) > 0; {
			v := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			for _, p := range parents[v] {
				if !owners[p] {
					owners[p] = true
					todo = append(todo, p)
				}
			}
		}
		for _, arg := range call.Args {
			if lit, ok := ast.Unparen(arg).(*ast.FuncLit); ok {
				checkTask(pass, rep, lit, owner, owners)
			}
		}
		return true
	})
	return nil, nil
}

// expectsWaitInTask reports whether a top-level declaration names
// group.ErrWaitInTask: code that checks for the error waits in a task on
// purpose, as the library's own tests do.
func expectsWaitInTask(info *types.Info, decl ast.Node) bool {
	found := false
	ast.Inspect(decl, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == "ErrWaitInTask" {
			obj := info.Uses[id]
			found = obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == nursery.GroupPkg
		}
		return !found
	})
	return found
}

// checkTask reports the waits for one of owners in the goroutine of lit,
// a task of owner.
func checkTask(pass *analysis.Pass, rep *suppress.Reporter, lit *ast.FuncLit, owner *types.Var, owners map[*types.Var]bool) {
	info := pass.TypesInfo
	ast.PreorderStack(lit.Body, nil, func(n ast.Node, stack []ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			// Only a literal called here runs in the task's goroutine
			// (func() { … }() and defer func() { … }()).
			call, ok := stackTop(stack).(*ast.CallExpr)
			return ok && ast.Unparen(call.Fun) == n
		case *ast.GoStmt:
			return false // another goroutine
		case *ast.CallExpr:
			sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr)
			if !ok {
				return true
			}
			fn := nursery.Callee(info, n)
			if !nursery.IsCloser(fn) {
				return true
			}
			v := nursery.Var(info, sel.X)
			if v == nil || !owners[v] {
				return true
			}
			whose := owner.Name()
			if v != owner {
				whose = fmt.Sprintf("%s, which %s owns", owner.Name(), v.Name())
			}
			rep.Report(analysis.Diagnostic{
				Pos: n.Pos(),
				End: n.End(),
				Message: fmt.Sprintf("%s.%s called from a task of %s waits for itself and returns group.ErrWaitInTask: wait where %s was made, or start a Subgroup in the task and wait for that",
					v.Name(), fn.Name(), whose, v.Name()),
			})
		}
		return true
	})
}

func stackTop(stack []ast.Node) ast.Node {
	if len(stack) == 0 {
		return nil
	}
	return stack[len(stack)-1]
}

// parentExpr returns the expression of the group that a child maker's
// call makes its child in.
func parentExpr(call *ast.CallExpr, fn *types.Func) ast.Expr {
	if fn.Type().(*types.Signature).Recv() != nil {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return sel.X
		}
		return nil
	}
	if len(call.Args) == 0 {
		return nil
	}
	return call.Args[0]
}

// assigned returns the variable that call's first result is assigned to
// (x := call, x = call, var x = call), or nil.
func assigned(info *types.Info, call *ast.CallExpr, stack []ast.Node) *types.Var {
	// stack ends with call itself.
	if len(stack) < 2 {
		return nil
	}
	var lhs ast.Expr
	switch p := stack[len(stack)-2].(type) {
	case *ast.AssignStmt:
		for i, r := range p.Rhs {
			if r == call && i < len(p.Lhs) {
				lhs = p.Lhs[i]
			}
		}
	case *ast.ValueSpec:
		for i, r := range p.Values {
			if r == call && i < len(p.Names) {
				lhs = p.Names[i]
			}
		}
	}
	if id, ok := lhs.(*ast.Ident); ok {
		return nursery.Var(info, id)
	}
	return nil
}
