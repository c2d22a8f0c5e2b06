package tests

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nursery-go/nursery/cancel"
	"github.com/nursery-go/nursery/executor"
	"github.com/nursery-go/nursery/executor/call"
	"github.com/nursery-go/nursery/executor/flow"
	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/group/errgroup"
	"github.com/nursery-go/nursery/queue"
	"github.com/nursery-go/nursery/resource"
	"github.com/stretchr/testify/require"
)

// nilCtx is a nil context.Context; a variable, so that vet does not
// complain about a literal nil where a context belongs.
var nilCtx context.Context

// Helpers for the table below: a value, a sequence, a function.
var (
	one     = func(context.Context) (int, error) { return 1, nil }
	ints    = func(yield func(int, error) bool) { yield(1, nil) }
	plain   = func(yield func(int) bool) { yield(1) }
	keep    = func(context.Context, int) (bool, error) { return true, nil }
	double  = func(_ context.Context, v int) (int, error) { return 2 * v, nil }
	add     = func(_ context.Context, acc, v int) (int, error) { return acc + v, nil }
	yes     = func(context.Context) (bool, error) { return true, nil }
	nilSigs = make(chan os.Signal)
)

// nilContextCases lists every exported function and method of the library
// that takes a context, each called with a nil one. g is an open group the
// call may use; it is closed afterwards.
var nilContextCases = []struct {
	name string // package.Func or package.Type.Method
	want string // the panic value, when it is not "pkg: Func with nil context"
	call func(g *group.Group)
}{
	{name: "group.New", call: func(*group.Group) { group.New(nilCtx) }},
	{name: "group.Group.Shutdown", call: func(g *group.Group) { _ = g.Shutdown(nilCtx) }},
	{name: "group.Group.Start", call: func(g *group.Group) {
		_ = g.Start(nilCtx, func(_ context.Context, ready func()) error { ready(); return nil })
	}},
	{name: "group.Future.Await", call: func(g *group.Group) { _, _ = group.Async(g, one).Await(nilCtx) }},

	{name: "errgroup.WithContext", call: func(*group.Group) { errgroup.WithContext(nilCtx) }},

	{name: "executor.Executor.Cancel", call: func(g *group.Group) { _, _ = executor.New(g).Cancel(nilCtx) }},
	{name: "executor.Executor.Shutdown", call: func(g *group.Group) { _ = executor.New(g).Shutdown(nilCtx) }},
	{name: "executor.Executor.Submit", call: func(g *group.Group) { _, _ = executor.New(g).Submit(nilCtx, nop) }},
	{name: "executor.Async", call: func(g *group.Group) { _, _ = executor.Async(nilCtx, executor.New(g), one) }},
	{name: "executor.Exec", call: func(g *group.Group) { _, _ = executor.Exec(nilCtx, executor.New(g), one) }},
	{name: "executor.Map", call: func(g *group.Group) { executor.Map(nilCtx, executor.New(g), plain, double) }},
	{name: "executor.MapUnordered", call: func(g *group.Group) {
		executor.MapUnordered(nilCtx, executor.New(g), plain, double)
	}},
	{name: "executor.MapBatches", call: func(g *group.Group) {
		executor.MapBatches(nilCtx, executor.New(g), plain, double, time.Second)
	}},
	{name: "call.Retry", call: func(*group.Group) { _, _ = call.Retry(nilCtx, one) }},
	{name: "call.RateLimiter.Wait", call: func(*group.Group) {
		_ = call.NewRateLimiter(1, time.Second, 0).Wait(nilCtx)
	}},

	{name: "flow.Race", call: func(*group.Group) { _, _ = flow.Race(nilCtx, one) }},
	{name: "flow.Gather", call: func(*group.Group) { _, _ = flow.Gather(nilCtx, 1, one) }},
	{name: "flow.GatherAll", call: func(*group.Group) { flow.GatherAll(nilCtx, 1, one) }},
	{name: "flow.Repeat", call: func(*group.Group) { _, _ = flow.Repeat(nilCtx, 1, double, 1) }},
	{name: "flow.Until", call: func(*group.Group) { _, _ = flow.Until(nilCtx, one, yes) }},
	{name: "flow.Whilst", call: func(*group.Group) { _, _ = flow.Whilst(nilCtx, one, yes) }},
	{name: "flow.Every", call: func(*group.Group) { _, _ = flow.Every(nilCtx, ints, keep, 1) }},
	{name: "flow.Some", call: func(*group.Group) { _, _ = flow.Some(nilCtx, ints, keep, 1) }},
	{name: "flow.First", call: func(*group.Group) { _, _ = flow.First(nilCtx, ints, keep, 0, 1) }},
	{name: "flow.Map", call: func(*group.Group) { flow.Map(nilCtx, ints, double, 1) }},
	{name: "flow.MapAll", call: func(*group.Group) { flow.MapAll(nilCtx, ints, double, 1) }},
	{name: "flow.FlatMap", call: func(*group.Group) {
		flow.FlatMap(nilCtx, ints, func(context.Context, int) ([]int, error) { return nil, nil }, 1)
	}},
	{name: "flow.Filter", call: func(*group.Group) { flow.Filter(nilCtx, ints, keep, 1) }},
	{name: "flow.DropWhile", call: func(*group.Group) { flow.DropWhile(nilCtx, ints, keep, 1) }},
	{name: "flow.Each", call: func(*group.Group) {
		_ = flow.Each(nilCtx, ints, func(context.Context, int) error { return nil }, 1)
	}},
	{name: "flow.Reduce", call: func(*group.Group) { _, _ = flow.Reduce(nilCtx, ints, add, 0) }},
	{name: "flow.Wait", call: func(g *group.Group) { _, _, _ = flow.Wait(nilCtx, flow.AllCompleted, g.Go(nop)) }},

	{name: "cancel.NewScope", call: func(*group.Group) { cancel.NewScope(nilCtx, time.Time{}) }},
	{name: "cancel.Shield", call: func(*group.Group) { _ = cancel.Shield(nilCtx, nop) }},
	{name: "cancel.ShieldValue", call: func(*group.Group) { _, _ = cancel.ShieldValue(nilCtx, one) }},
	{name: "cancel.NotifyShutdown", call: func(*group.Group) { cancel.NotifyShutdown(nilCtx) }},
	{name: "cancel.ShutdownOn", call: func(*group.Group) { cancel.ShutdownOn(nilCtx, nilSigs) }},
	{name: "cancel.Timeout", call: func(*group.Group) { _ = cancel.Timeout(nilCtx, "t", time.Second, nop) }},
	{name: "cancel.TimeoutValue", call: func(*group.Group) {
		_, _ = cancel.TimeoutValue(nilCtx, "t", time.Second, one)
	}},

	{name: "queue.Queue.Put", call: func(*group.Group) { _ = new(queue.Queue[int]).Put(nilCtx, 1) }},
	{name: "queue.Queue.Get", call: func(*group.Group) { _, _ = new(queue.Queue[int]).Get(nilCtx) }},
	{name: "queue.Queue.GetUntilEmpty", call: func(*group.Group) {
		_, _ = new(queue.Queue[int]).GetUntilEmpty(nilCtx)
	}},
	{name: "queue.Queue.First", call: func(*group.Group) {
		_, _ = new(queue.Queue[int]).First(nilCtx, func(int) bool { return true })
	}},
	{name: "queue.Queue.All", call: func(*group.Group) { new(queue.Queue[int]).All(nilCtx) }},

	{name: "resource.Queue.Shutdown", call: func(g *group.Group) {
		s, err := resource.NewStack(g)
		if err != nil {
			panic(err)
		}
		q, err := resource.NewQueue[int](s, 0)
		if err != nil {
			panic(err)
		}
		_ = q.Shutdown(nilCtx)
	}},
	{name: "resource.Open", call: func(g *group.Group) {
		s, err := resource.NewStack(g)
		if err != nil {
			panic(err)
		}
		_, _ = resource.Open(nilCtx, s, "r", func(_ context.Context, s *resource.Stack) (*resource.Stack, error) {
			return s, nil
		})
	}},
	{name: "resource.Run", want: "resource: Run with nil context or main", call: func(*group.Group) {
		resource.Run(nilCtx, func(context.Context, *resource.Stack) error { return nil })
	}},
}

// TestNilContext checks the one rule for nil contexts across the library:
// every exported function that takes a context panics at the call, before
// it blocks, starts anything or returns an iterator, with a message that
// names the function.
func TestNilContext(t *testing.T) {
	for _, tt := range nilContextCases {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == "" {
				pkg, fn, _ := strings.Cut(tt.name, ".")
				want = pkg + ": " + fn + " with nil context"
			}
			g := group.New(context.Background(), quiet)
			got := within(t, tt.name, func() { tt.call(g) })
			require.NoError(t, g.Close())
			require.Equal(t, want, got)
		})
	}
}

// TestNilContext_coversTheAPI fails when an exported function that takes a
// context is missing from the table above, so that a new one gets the
// check and the test.
func TestNilContext_coversTheAPI(t *testing.T) {
	var listed []string
	for _, tt := range nilContextCases {
		listed = append(listed, tt.name)
	}
	dirs := []string{"group", "group/errgroup", "executor", "executor/call", "executor/flow", "cancel", "queue", "resource"}
	found := 0
	for _, dir := range dirs {
		for _, name := range takesContext(t, filepath.Join("..", dir)) {
			found++
			require.Contains(t, listed, name, "add %s to nilContextCases", name)
		}
	}
	require.Equal(t, len(listed), found, "nilContextCases lists functions that take no context")
}

// takesContext lists the exported functions and methods of exported types
// in dir's non-test files that have a context.Context parameter.
func takesContext(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var names []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() || !hasContextParam(fd.Type) {
				continue
			}
			name := f.Name.Name + "." + fd.Name.Name
			if fd.Recv != nil {
				recv := receiverType(fd.Recv.List[0].Type)
				if !ast.IsExported(recv) {
					continue
				}
				name = f.Name.Name + "." + recv + "." + fd.Name.Name
			}
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

func hasContextParam(ft *ast.FuncType) bool {
	for _, p := range ft.Params.List {
		if se, ok := p.Type.(*ast.SelectorExpr); ok && se.Sel.Name == "Context" {
			if x, ok := se.X.(*ast.Ident); ok && x.Name == "context" {
				return true
			}
		}
	}
	return false
}

func receiverType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func TestExecutorCancel_nilTaskPanics(t *testing.T) {
	g := group.New(context.Background())
	ex := executor.New(g)
	got := within(t, "Cancel", func() { _, _ = ex.Cancel(context.Background(), nil) })
	require.NoError(t, g.Close())
	require.Equal(t, "executor: Executor.Cancel with a nil task", got)
}
