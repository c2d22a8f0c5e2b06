package lostgroup

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/nursery"
	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/suppress"
)

// Analyzer reports groups, executors and stacks that are not closed on
// every path.
var Analyzer = &analysis.Analyzer{
	Name: "lostgroup",
	Doc: `report groups, executors and stacks that are not closed on every path

A group.New, executor.New or resource.NewStack result owns goroutines until
it is closed. lostgroup reports one that can reach a return of the function
that made it without a Close, Wait or Shutdown (of it, or of the local group
it was made in) and without being returned, stored or passed on, one that is
dropped at once, and a zero-value group.Group that starts tasks and is never
closed. Fix: defer x.Close() right after making it.`,
	URL:      "https://pkg.go.dev/github.com/nursery-go/nursery/cmd/nurseryvet/passes/lostgroup",
	Requires: []*analysis.Analyzer{inspect.Analyzer, ctrlflow.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	if !importsLibrary(pass.Pkg) {
		return nil, nil
	}
	rep := suppress.New(pass)
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	cfgs := pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs)
	insp.Preorder([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)}, func(n ast.Node) {
		c := &checker{pass: pass, rep: rep, fn: n}
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body == nil {
				return
			}
			c.body = n.Body
			c.sig, _ = pass.TypesInfo.Defs[n.Name].Type().(*types.Signature)
			c.graph = func() *cfg.CFG { return cfgs.FuncDecl(n) }
		case *ast.FuncLit:
			c.body = n.Body
			c.sig, _ = pass.TypesInfo.TypeOf(n).(*types.Signature)
			c.graph = func() *cfg.CFG { return cfgs.FuncLit(n) }
		}
		c.check()
	})
	return nil, nil
}

// importsLibrary reports whether pkg imports a package whose owners this
// check tracks.
func importsLibrary(pkg *types.Package) bool {
	for _, imp := range pkg.Imports() {
		switch imp.Path() {
		case nursery.GroupPkg, nursery.ExecutorPkg, nursery.ResourcePkg:
			return true
		}
	}
	return false
}

// A checker checks the owners made in one function.
type checker struct {
	pass  *analysis.Pass
	rep   *suppress.Reporter
	fn    ast.Node // *ast.FuncDecl or *ast.FuncLit
	body  *ast.BlockStmt
	sig   *types.Signature
	graph func() *cfg.CFG

	// stacks maps a local group to the Stacks made on it: a Stack is its
	// group (s.Group == g), so closing one closes the other.
	stacks map[*types.Var][]*types.Var
}

// A made is one owner made in the function and kept in a local variable.
type made struct {
	v    *types.Var
	call *ast.CallExpr
	stmt ast.Node // the statement that assigns it: an *ast.AssignStmt or *ast.ValueSpec
}

func (c *checker) local(v *types.Var) bool {
	return v != nil && c.fn.Pos() <= v.Pos() && v.Pos() < c.fn.End()
}

func (c *checker) check() {
	var tracked []made
	var zeros []*types.Var
	ast.PreorderStack(c.body, nil, func(n ast.Node, stack []ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // checked on its own
		case *ast.ValueSpec:
			zeros = append(zeros, c.zeroGroups(n)...)
		case *ast.CallExpr:
			fn := nursery.Callee(c.pass.TypesInfo, n)
			c.noteStack(n, fn, stack)
			kind, ok := nursery.Constructors[nursery.Name(fn)]
			if !ok || !c.root(n, fn) {
				return true
			}
			if m, ok := c.classify(n, fn, kind, stack); ok {
				tracked = append(tracked, m)
			}
		}
		return true
	})
	if len(tracked) > 0 {
		g := c.graph()
		for _, m := range tracked {
			if ret := c.lostPath(g, m); ret != nil {
				c.reportLost(m, ret)
			}
		}
	}
	for _, v := range zeros {
		c.checkZero(v)
	}
}

// noteStack records a Stack made on a local group and kept in a local
// variable.
func (c *checker) noteStack(call *ast.CallExpr, fn *types.Func, stack []ast.Node) {
	if nursery.Name(fn) != nursery.ResourcePkg+".NewStack" || len(call.Args) == 0 {
		return
	}
	id, _ := lhsOf(call, stack).(*ast.Ident)
	s := nursery.Var(c.pass.TypesInfo, id)
	g := nursery.Var(c.pass.TypesInfo, call.Args[0])
	if c.local(s) && c.local(g) {
		if c.stacks == nil {
			c.stacks = make(map[*types.Var][]*types.Var)
		}
		c.stacks[g] = append(c.stacks[g], s)
		c.stacks[s] = append(c.stacks[s], g)
	}
}

// root reports whether call makes an owner that nothing else in the
// function owns: a group.New, or an executor or stack made in a group that
// is made in the same expression (executor.New(group.New(ctx))). An
// executor or stack made in any other group is closed by that group, so the
// check follows the group instead.
func (c *checker) root(call *ast.CallExpr, fn *types.Func) bool {
	if !nursery.IsChildMaker(fn) {
		return true
	}
	if len(call.Args) == 0 {
		return false
	}
	inner, ok := ast.Unparen(call.Args[0]).(*ast.CallExpr)
	if !ok {
		return false
	}
	_, made := nursery.Constructors[nursery.Name(nursery.Callee(c.pass.TypesInfo, inner))]
	return made
}

// lhsOf returns the expression that call's first result is assigned to,
// if call is assigned, or nil.
func lhsOf(call *ast.CallExpr, stack []ast.Node) ast.Expr {
	if len(stack) == 0 {
		return nil
	}
	switch p := stack[len(stack)-1].(type) {
	case *ast.AssignStmt:
		for i, r := range p.Rhs {
			if r == call && i < len(p.Lhs) {
				return p.Lhs[i]
			}
		}
	case *ast.ValueSpec:
		for i, r := range p.Values {
			if r == call && i < len(p.Names) {
				return p.Names[i]
			}
		}
	}
	return nil
}

// classify reports a constructor call whose result is dropped, and returns
// the call to track when its result is kept in a local variable.
func (c *checker) classify(call *ast.CallExpr, fn *types.Func, kind nursery.Kind, stack []ast.Node) (made, bool) {
	parent := stack[len(stack)-1]
	switch p := parent.(type) {
	case *ast.AssignStmt, *ast.ValueSpec:
		lhs := lhsOf(call, stack)
		id, ok := lhs.(*ast.Ident)
		if !ok {
			return made{}, false // stored in a field, a map, through a pointer: handed on
		}
		if id.Name == "_" {
			c.report(call, "the %s made by %s is discarded: it can never be closed; keep it and defer its Close", kindName(kind), callName(fn))
			return made{}, false
		}
		v := nursery.Var(c.pass.TypesInfo, id)
		if !c.local(v) {
			return made{}, false // an outer variable: its owner closes it
		}
		return made{v: v, call: call, stmt: parent}, true
	case *ast.ExprStmt:
		if lit, ok := c.fn.(*ast.FuncLit); ok && nursery.InMisuseTest(c.pass.Fset, c.pass.TypesInfo, lit) {
			return made{}, false // require.Panics(t, func() { group.New(nil) })
		}
		c.report(call, "the %s made by %s is discarded: it can never be closed; keep it and defer its Close", kindName(kind), callName(fn))
	case *ast.SelectorExpr:
		sel := c.pass.TypesInfo.Selections[p]
		if sel != nil {
			if m, ok := sel.Obj().(*types.Func); ok && nursery.IsCloser(m) {
				return made{}, false
			}
		}
		c.report(call, "the %s made by %s is used once and dropped: it is never closed; keep it in a variable and defer its Close", kindName(kind), callName(fn))
	}
	// Anything else hands it on: an argument (or the group of
	// executor.New(group.New(ctx)), tracked as the executor), a return,
	// a composite literal…
	return made{}, false
}

// lostPath returns a return statement that a path from m's assignment
// reaches without handling m, or nil.
func (c *checker) lostPath(g *cfg.CFG, m made) *ast.ReturnStmt {
	owners := map[*types.Var]bool{m.v: true}
	for todo := []*types.Var{m.v}; len(todo) > 0; {
		v := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, s := range c.stacks[v] {
			if !owners[s] {
				owners[s] = true
				todo = append(todo, s)
			}
		}
	}
	namedResult := false
	if c.sig != nil {
		for r := range c.sig.Results().Variables() {
			if r == m.v {
				namedResult = true
			}
		}
	}
	handles := func(nodes []ast.Node) bool {
		for _, n := range nodes {
			if c.handles(n, owners, namedResult) {
				return true
			}
		}
		return false
	}
	var def *cfg.Block
	var rest []ast.Node
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			if n.Pos() <= m.call.Pos() && m.call.End() <= n.End() {
				def, rest = b, b.Nodes[i+1:]
				break
			}
		}
		if def != nil {
			break
		}
	}
	if def == nil || !def.Live {
		return nil
	}
	if handles(rest) {
		return nil
	}
	if ret := def.Return(); ret != nil {
		return ret
	}
	seen := make(map[*cfg.Block]bool)
	memo := make(map[*cfg.Block]bool)
	var search func([]*cfg.Block) *ast.ReturnStmt
	search = func(blocks []*cfg.Block) *ast.ReturnStmt {
		for _, b := range blocks {
			if seen[b] {
				continue
			}
			seen[b] = true
			h, ok := memo[b]
			if !ok {
				h = handles(b.Nodes)
				if rs, isRange := b.Stmt.(*ast.RangeStmt); isRange && b.Kind == cfg.KindRangeLoop && c.nonEmpty(rs) {
					// Every path through the head of a loop that
					// runs at least once runs its body.
					h = h || c.handles(rs.Body, owners, namedResult)
				}
				memo[b] = h
			}
			if h {
				continue
			}
			if ret := b.Return(); ret != nil {
				return ret
			}
			if ret := search(b.Succs); ret != nil {
				return ret
			}
		}
		return nil
	}
	return search(def.Succs)
}

// nonEmpty reports whether rs ranges over a positive constant or a
// composite literal with elements, so that its body runs at least once.
func (c *checker) nonEmpty(rs *ast.RangeStmt) bool {
	if lit, ok := ast.Unparen(rs.X).(*ast.CompositeLit); ok {
		return len(lit.Elts) > 0
	}
	tv, ok := c.pass.TypesInfo.Types[rs.X]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int {
		return false
	}
	return constant.Sign(tv.Value) > 0
}

// handles reports whether n closes, waits for or shuts down one of owners,
// or hands one on (returns, stores or passes it to a function that may
// keep it), counting what n's function literals do.
func (c *checker) handles(n ast.Node, owners map[*types.Var]bool, namedResult bool) bool {
	info := c.pass.TypesInfo
	found := false
	ast.PreorderStack(n, nil, func(n ast.Node, stack []ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.ReturnStmt:
			if len(n.Results) == 0 && namedResult {
				found = true
			}
		case *ast.Ident:
			if v, _ := info.Uses[n].(*types.Var); v != nil && owners[v] {
				found = handlingUse(info, n, stack)
			}
		}
		return !found
	})
	return found
}

// handlingUse reports whether the use id of an owner variable, below
// stack, closes it or hands it on.
func handlingUse(info *types.Info, id *ast.Ident, stack []ast.Node) bool {
	// Climb to the whole expression denoting the owner: (x), &x, *x,
	// and a Stack's x.Group.
	var e ast.Expr = id
	i := len(stack) - 1
	for ; i >= 0; i-- {
		switch p := stack[i].(type) {
		case *ast.ParenExpr, *ast.StarExpr:
			e = p.(ast.Expr)
			continue
		case *ast.UnaryExpr:
			if p.Op == token.AND {
				e = p
				continue
			}
		case *ast.SelectorExpr:
			if p.X == e && p.Sel.Name == "Group" && nursery.KindOf(info.TypeOf(p.X)) == nursery.Stack {
				e = p
				continue
			}
		}
		break
	}
	if i < 0 {
		return true
	}
	switch p := stack[i].(type) {
	case *ast.SelectorExpr:
		// x.Method or x.field: only Close, Wait and Shutdown end it, and
		// Done waits for its end.
		if sel := info.Selections[p]; sel != nil {
			m, ok := sel.Obj().(*types.Func)
			return ok && (nursery.IsCloser(m) || nursery.IsDone(m))
		}
		return false
	case *ast.CallExpr:
		if p.Fun == e {
			return false
		}
		// An argument: a borrower gives it back; anything else may keep it.
		return !nursery.IsBorrower(nursery.Callee(info, p))
	case *ast.BinaryExpr:
		return false // a comparison
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l == e {
				return false // assigned to, not handed on
			}
		}
		return true
	case *ast.IncDecStmt, *ast.RangeStmt:
		return false
	}
	return true
}

// zeroGroups returns the local group.Group variables (not pointers) that
// spec declares without a value.
func (c *checker) zeroGroups(spec *ast.ValueSpec) []*types.Var {
	if len(spec.Values) > 0 {
		return nil
	}
	var vs []*types.Var
	for _, id := range spec.Names {
		v, _ := c.pass.TypesInfo.Defs[id].(*types.Var)
		if v == nil {
			continue
		}
		if _, ptr := v.Type().(*types.Pointer); !ptr && nursery.KindOf(v.Type()) == nursery.Group {
			vs = append(vs, v)
		}
	}
	return vs
}

// checkZero reports a zero-value group variable that starts work and is
// never closed, waited for or handed on anywhere in the function.
func (c *checker) checkZero(v *types.Var) {
	info := c.pass.TypesInfo
	var start ast.Node
	handled := false
	ast.PreorderStack(c.body, nil, func(n ast.Node, stack []ast.Node) bool {
		if handled {
			return false
		}
		id, ok := n.(*ast.Ident)
		if !ok || info.Uses[id] != v {
			return true
		}
		if handlingUse(info, id, stack) {
			handled = true
			return false
		}
		if start == nil && startsWork(info, id, stack) {
			start = id
		}
		return true
	})
	if handled || start == nil {
		return
	}
	c.report(start, "group %s starts tasks but is never closed: its tasks are never joined; add defer %s.Close() after its declaration, or return %s.Wait()", v.Name(), v.Name(), v.Name())
}

// startsWork reports whether the use id of a group variable starts a task
// or a child in it.
func startsWork(info *types.Info, id *ast.Ident, stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch p := stack[i].(type) {
		case *ast.ParenExpr, *ast.UnaryExpr:
			continue
		case *ast.SelectorExpr:
			call, ok := stackAt(stack, i-1).(*ast.CallExpr)
			if !ok || call.Fun != p {
				return false
			}
			fn := nursery.Callee(info, call)
			_, spawns := nursery.SpawnerOf(fn)
			return spawns || nursery.IsChildMaker(fn)
		case *ast.CallExpr:
			fn := nursery.Callee(info, p)
			_, spawns := nursery.SpawnerOf(fn)
			return spawns || nursery.IsChildMaker(fn)
		}
		return false
	}
	return false
}

func stackAt(stack []ast.Node, i int) ast.Node {
	if i < 0 || i >= len(stack) {
		return nil
	}
	return stack[i]
}

// reportLost reports m, with a fix that defers its Close when one fits.
func (c *checker) reportLost(m made, ret *ast.ReturnStmt) {
	kind := nursery.Constructors[nursery.Name(nursery.Callee(c.pass.TypesInfo, m.call))]
	name := m.v.Name()
	d := analysis.Diagnostic{
		Pos: m.call.Pos(),
		End: m.call.End(),
		Message: fmt.Sprintf("%s (%s) is not closed on every path: its goroutines outlive the function; defer %s.Close() after making it, or Wait/Shutdown it before each return",
			name, kindName(kind), name),
	}
	pos, end := ret.Pos(), ret.End()
	if c.pass.Fset.File(pos) != c.pass.Fset.File(end) {
		end = pos // a synthetic return at the end of the function
	}
	d.Related = []analysis.RelatedInformation{{Pos: pos, End: end, Message: fmt.Sprintf("this return can be reached without closing %s", name)}}
	if fix, ok := c.deferClose(m, kind); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	c.rep.Report(d)
}

// deferClose returns an edit that adds "defer v.Close()" after m's
// statement, when m is a plain "v := group.New(...)" or
// "v := executor.New(...)" statement in a block.
func (c *checker) deferClose(m made, kind nursery.Kind) (analysis.SuggestedFix, bool) {
	as, ok := m.stmt.(*ast.AssignStmt)
	if !ok || kind == nursery.Stack || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return analysis.SuggestedFix{}, false
	}
	tf := c.pass.Fset.File(as.Pos())
	src, err := c.pass.ReadFile(tf.Name())
	if err != nil {
		return analysis.SuggestedFix{}, false
	}
	start := tf.Offset(tf.LineStart(tf.Line(as.Pos())))
	indent := src[start:tf.Offset(as.Pos())]
	if len(bytes.TrimLeft(indent, " \t")) != 0 {
		return analysis.SuggestedFix{}, false // not alone on its line
	}
	// After the end of the statement's last line, so that a comment on
	// it stays there.
	at := as.End()
	if next := tf.Line(as.End()) + 1; next <= tf.LineCount() {
		at = tf.LineStart(next) - 1
	}
	text := "\n" + string(indent) + "defer " + m.v.Name() + ".Close()"
	return analysis.SuggestedFix{
		Message:   fmt.Sprintf("defer %s.Close()", m.v.Name()),
		TextEdits: []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(text)}},
	}, true
}

func (c *checker) report(n ast.Node, format string, args ...any) {
	c.rep.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Message: fmt.Sprintf(format, args...)})
}

func kindName(k nursery.Kind) string {
	switch k {
	case nursery.Executor:
		return "executor"
	case nursery.Stack:
		return "stack"
	}
	return "group"
}

func callName(fn *types.Func) string {
	return fn.Pkg().Name() + "." + fn.Name()
}
