package nursery

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// Module is the library's module path.
const Module = "github.com/nursery-go/nursery"

// Package paths of the library's packages that the checks know by name.
const (
	GroupPkg    = Module + "/group"
	ExecutorPkg = Module + "/executor"
	ResourcePkg = Module + "/resource"
	QueuePkg    = Module + "/queue"
	errgroupPkg = Module + "/group/errgroup"
)

// IsAPI reports whether fn is part of the library's public API: an
// exported function or method of one of its packages other than internal
// ones, tests, examples, commands and the errgroup drop-in (whose tasks
// take no context).
func IsAPI(fn *types.Func) bool {
	if fn == nil || fn.Pkg() == nil || !fn.Exported() {
		return false
	}
	rest, ok := strings.CutPrefix(fn.Pkg().Path(), Module+"/")
	if !ok || fn.Pkg().Path() == errgroupPkg {
		return false
	}
	first, _, _ := strings.Cut(rest, "/")
	switch first {
	case "internal", "tests", "examples", "cmd":
		return false
	}
	return !strings.Contains(rest, "/internal/") && !strings.HasSuffix(rest, "_test")
}

// Kind is what an owner of goroutines is.
type Kind int

// The kinds of owners the checks track.
const (
	NoKind   Kind = iota
	Group         // group.Group
	Executor      // executor.Executor
	Stack         // resource.Stack
)

// KindOf returns the kind of owner a value of type t is, looking through
// one pointer.
func KindOf(t types.Type) Kind {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return NoKind
	}
	switch n.Obj().Pkg().Path() + "." + n.Obj().Name() {
	case GroupPkg + ".Group":
		return Group
	case ExecutorPkg + ".Executor":
		return Executor
	case ResourcePkg + ".Stack":
		return Stack
	}
	return NoKind
}

// Callee returns the function or method that call calls statically, its
// generic origin for an instantiation, or nil.
func Callee(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil {
		return nil
	}
	return fn.Origin()
}

// Name returns "pkgpath.Func" for a package-level function and
// "pkgpath.Type.Method" for a method (its receiver's named type, pointer or
// not), or "" for nil.
func Name(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil || sig.Recv() == nil {
		return fn.Pkg().Path() + "." + fn.Name()
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return ""
	}
	return fn.Pkg().Path() + "." + n.Obj().Name() + "." + fn.Name()
}

// Constructors maps each constructor of an owner to the kind it makes.
// The first argument of executor.New and resource.NewStack is the parent
// group; closing the parent closes what they made.
var Constructors = map[string]Kind{
	GroupPkg + ".New":         Group,
	ExecutorPkg + ".New":      Executor,
	ResourcePkg + ".NewStack": Stack,
}

// childMakers are the calls whose result is owned by their first argument
// (the receiver for a method): closing the parent closes the child.
var childMakers = map[string]bool{
	ExecutorPkg + ".New":         true,
	ResourcePkg + ".NewStack":    true,
	GroupPkg + ".Group.Subgroup": true,
}

// IsChildMaker reports whether fn makes an owner that its first argument
// (or receiver) owns.
func IsChildMaker(fn *types.Func) bool { return childMakers[Name(fn)] }

// closers are the methods that end an owner and wait for what it runs.
var closers = map[string]bool{"Close": true, "Wait": true, "Shutdown": true}

// IsCloser reports whether fn is Close, Wait or Shutdown of a group or an
// executor (a Stack's are its group's).
func IsCloser(fn *types.Func) bool {
	if fn == nil || !closers[fn.Name()] {
		return false
	}
	switch Name(fn) {
	case GroupPkg + ".Group." + fn.Name(), ExecutorPkg + ".Executor." + fn.Name():
		return true
	}
	return false
}

// IsDone reports whether fn is the Done method of a group or an executor,
// whose channel is closed once it is Closed.
func IsDone(fn *types.Func) bool {
	if fn == nil || fn.Name() != "Done" {
		return false
	}
	switch Name(fn) {
	case GroupPkg + ".Group.Done", ExecutorPkg + ".Executor.Done":
		return true
	}
	return false
}

// borrowers are the functions that take an owner as an argument, use it and
// give it back: passing an owner to one of them is not handing it over.
// (Stack.Own, by contrast, takes ownership, and so does any function the
// checks do not know.)
var borrowers = map[string]bool{
	ExecutorPkg + ".New":          true,
	ExecutorPkg + ".Async":        true,
	ExecutorPkg + ".EnqueueAsync": true,
	ExecutorPkg + ".Exec":         true,
	ExecutorPkg + ".Map":          true,
	ExecutorPkg + ".MapUnordered": true,
	ExecutorPkg + ".MapBatches":   true,
	GroupPkg + ".Async":           true,
	ResourcePkg + ".NewStack":     true,
	ResourcePkg + ".Open":         true,
	ResourcePkg + ".NewQueue":     true,
	ResourcePkg + ".Serve":        true,
	ResourcePkg + ".Supervise":    true,
	ResourcePkg + ".After":        true,
}

// IsBorrower reports whether passing an owner to fn leaves it with the caller.
func IsBorrower(fn *types.Func) bool { return borrowers[Name(fn)] }

// Spawner describes a call that runs a function as a task of an owner.
type Spawner struct {
	Owner int // index of the owner argument; -1: the receiver
}

// spawners maps the calls that start tasks to where their owner is.
var spawners = map[string]Spawner{
	GroupPkg + ".Group.Go":              {Owner: -1},
	GroupPkg + ".Group.Start":           {Owner: -1},
	GroupPkg + ".Async":                 {Owner: 0},
	ExecutorPkg + ".Executor.Submit":    {Owner: -1},
	ExecutorPkg + ".Executor.TrySubmit": {Owner: -1},
	ExecutorPkg + ".Executor.Enqueue":   {Owner: -1},
	ExecutorPkg + ".Async":              {Owner: 1},
	ExecutorPkg + ".EnqueueAsync":       {Owner: 0},
	ExecutorPkg + ".Exec":               {Owner: 1},
	ExecutorPkg + ".Map":                {Owner: 1},
	ExecutorPkg + ".MapUnordered":       {Owner: 1},
	ExecutorPkg + ".MapBatches":         {Owner: 1},
	ResourcePkg + ".Stack.OnClose":      {Owner: -1},
	ResourcePkg + ".Supervise":          {Owner: 0},
	ResourcePkg + ".After":              {Owner: 0},
}

// SpawnerOf reports whether fn starts tasks, and where their owner is.
func SpawnerOf(fn *types.Func) (Spawner, bool) {
	s, ok := spawners[Name(fn)]
	return s, ok
}

// OwnerExpr returns the expression of call that denotes the owner s spawns
// into, or nil.
func (s Spawner) OwnerExpr(call *ast.CallExpr) ast.Expr {
	if s.Owner < 0 {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return sel.X
		}
		return nil
	}
	if s.Owner < len(call.Args) {
		return call.Args[s.Owner]
	}
	return nil
}

// Var returns the variable that e denotes, looking through parentheses,
// & and *, and through a Stack's embedded Group field (s.Group is s's
// group), or nil.
func Var(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			v, _ := info.Uses[x].(*types.Var)
			if v == nil {
				v, _ = info.Defs[x].(*types.Var)
			}
			return v
		case *ast.UnaryExpr:
			if x.Op.String() != "&" {
				return nil
			}
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.SelectorExpr:
			if x.Sel.Name != "Group" || KindOf(info.TypeOf(x.X)) != Stack {
				return nil
			}
			e = x.X
		default:
			return nil
		}
	}
}

// IsContext reports whether t is context.Context.
func IsContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// InMisuseTest reports whether a function literal is, by the look of it, a
// test of the library's panics or refusals: a literal in a _test.go file
// that takes no context.Context (a task would), such as the one in
// require.Panics(t, func() { ex.TrySubmit(nil) }). What such a literal
// drops, it drops on purpose.
func InMisuseTest(fset *token.FileSet, info *types.Info, lit *ast.FuncLit) bool {
	if lit == nil || !strings.HasSuffix(fset.File(lit.Pos()).Name(), "_test.go") {
		return false
	}
	sig, _ := info.TypeOf(lit).(*types.Signature)
	if sig == nil {
		return false
	}
	for p := range sig.Params().Variables() {
		if IsContext(p.Type()) {
			return false
		}
	}
	return true
}
