package droppedsubmit

import (
	"flag"
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/nursery"
	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/suppress"
)

// Analyzer reports discarded errors of Submit, Put and the like.
var Analyzer = &analysis.Analyzer{
	Name: "droppedsubmit",
	Doc: `report discarded errors of calls that can refuse work

The error of Executor.Submit, Enqueue, executor.Async, EnqueueAsync, Exec,
Queue.Put, TryPut, Group.Start and resource.Open, and the ok result of
Executor.TrySubmit, say whether the work was accepted. droppedsubmit reports
a call that drops it. Fix: check it.`,
	URL:      "https://pkg.go.dev/github.com/nursery-go/nursery/cmd/nurseryvet/passes/droppedsubmit",
	Flags:    flags(),
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// blank makes the check report results assigned to _ too.
var blank bool

func flags() flag.FlagSet {
	fs := flag.NewFlagSet("droppedsubmit", flag.ExitOnError)
	fs.BoolVar(&blank, "blank", false, "also report results assigned to the blank identifier (_, err = … is a visible decision, so it is not reported by default)")
	return *fs
}

// why says, for each checked call, what its dropped result hides.
var why = map[string]string{
	nursery.ExecutorPkg + ".Executor.Submit":    "a refused job (closed executor, ended context, ErrDeadlock) is lost silently",
	nursery.ExecutorPkg + ".Executor.Enqueue":   "a refused job (closed executor, full backlog) is lost silently",
	nursery.ExecutorPkg + ".Executor.TrySubmit": "when it is false the job never started and is lost silently",
	nursery.ExecutorPkg + ".Async":              "a refused job (closed executor, ended context, ErrDeadlock) is lost silently",
	nursery.ExecutorPkg + ".EnqueueAsync":       "a refused job (closed executor, full backlog) is lost silently",
	nursery.ExecutorPkg + ".Exec":               "the job's failure or refusal goes unseen",
	nursery.QueuePkg + ".Queue.Put":             "an item that was not put (closed queue, ended context) is lost silently",
	nursery.QueuePkg + ".Queue.TryPut":          "an item that was not put (closed or full queue) is lost silently",
	nursery.GroupPkg + ".Group.Start":           "a task that never became ready goes unseen",
	nursery.ResourcePkg + ".Open":               "a resource that did not open goes unseen",
}

func run(pass *analysis.Pass) (any, error) {
	rep := suppress.New(pass)
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	kinds := []ast.Node{(*ast.ExprStmt)(nil), (*ast.GoStmt)(nil), (*ast.DeferStmt)(nil), (*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil)}
	insp.WithStack(kinds, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		for i := len(stack) - 1; i >= 0; i-- {
			if lit, ok := stack[i].(*ast.FuncLit); ok {
				if nursery.InMisuseTest(pass.Fset, pass.TypesInfo, lit) {
					return true // require.Panics(t, func() { ex.TrySubmit(nil) })
				}
				break
			}
		}
		switch n := n.(type) {
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok {
				check(pass, rep, call, nil)
			}
		case *ast.GoStmt:
			check(pass, rep, n.Call, nil)
		case *ast.DeferStmt:
			check(pass, rep, n.Call, nil)
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 {
				if call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); ok {
					check(pass, rep, call, n.Lhs)
				}
			}
		case *ast.ValueSpec:
			if len(n.Values) == 1 {
				if call, ok := ast.Unparen(n.Values[0]).(*ast.CallExpr); ok {
					lhs := make([]ast.Expr, len(n.Names))
					for i, id := range n.Names {
						lhs[i] = id
					}
					check(pass, rep, call, lhs)
				}
			}
		}
		return true
	})
	return nil, nil
}

// check reports call if it is a checked call whose last result is dropped:
// lhs is nil when all results are, else what they are assigned to.
func check(pass *analysis.Pass, rep *suppress.Reporter, call *ast.CallExpr, lhs []ast.Expr) {
	fn := nursery.Callee(pass.TypesInfo, call)
	reason, ok := why[nursery.Name(fn)]
	if !ok {
		return
	}
	res := fn.Type().(*types.Signature).Results()
	if lhs != nil {
		if len(lhs) != res.Len() {
			return
		}
		if id, ok := lhs[len(lhs)-1].(*ast.Ident); !ok || id.Name != "_" || !blank {
			return
		}
	}
	what := "error"
	if res.Len() > 0 && types.Identical(res.At(res.Len()-1).Type(), types.Typ[types.Bool]) {
		what = "ok result"
	}
	rep.Report(analysis.Diagnostic{
		Pos:     call.Pos(),
		End:     call.End(),
		Message: fmt.Sprintf("the %s of %s is discarded: %s; check it", what, fn.Name(), reason),
	})
}
