package main

import (
	"go/types"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/packages"
)

// stubbed are the library's packages stubbed in testdata.
var stubbed = []string{
	"github.com/nursery-go/nursery/group",
	"github.com/nursery-go/nursery/executor",
	"github.com/nursery-go/nursery/executor/flow",
	"github.com/nursery-go/nursery/resource",
	"github.com/nursery-go/nursery/queue",
	"github.com/nursery-go/nursery/cancel",
}

// Every exported identifier of the stubs in testdata exists in the real
// package with the same type: the same signature, parameter names
// included, for functions and methods (and the same fields and interface
// methods, where the stub declares them), so that the checks' tests see the
// API users do.
func TestStubsMatchLibrary(t *testing.T) {
	mode := packages.NeedName | packages.NeedTypes
	stubs := load(t, &packages.Config{Mode: mode, Env: append(os.Environ(), gopath(t)...), Dir: "testdata"})
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	real := load(t, &packages.Config{Mode: mode, Dir: root})
	compared := 0
	for path, stub := range stubs {
		lib := real[path].Scope()
		for _, name := range stub.Scope().Names() {
			obj := stub.Scope().Lookup(name)
			if !obj.Exported() {
				continue
			}
			want := lib.Lookup(name)
			if want == nil {
				t.Errorf("%s.%s: not in the library", path, name)
				continue
			}
			compared += compare(t, path+"."+name, obj, want)
		}
	}
	if compared < 50 {
		t.Errorf("compared %d identifiers; the stubs declare more", compared)
	}
}

func load(t *testing.T, cfg *packages.Config) map[string]*types.Package {
	t.Helper()
	pkgs, err := packages.Load(cfg, stubbed...)
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]*types.Package)
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
		m[p.PkgPath] = p.Types
	}
	if len(m) != len(stubbed) {
		t.Fatalf("loaded %d packages, want %d", len(m), len(stubbed))
	}
	return m
}

// compare reports how stub differs from want, the library's object of the
// same name, and returns how many identifiers it compared.
func compare(t *testing.T, name string, stub, want types.Object) int {
	t.Helper()
	str := func(t types.Type) string { return types.TypeString(t, nil) }
	switch stub := stub.(type) {
	case *types.Func, *types.Var, *types.Const:
		if str(stub.Type()) != str(want.Type()) {
			t.Errorf("%s:\n stub %s\n real %s", name, str(stub.Type()), str(want.Type()))
		}
		return 1
	case *types.TypeName:
		tn, ok := want.(*types.TypeName)
		if !ok {
			t.Errorf("%s: a type in the stub, a %T in the library", name, want)
			return 1
		}
		if stub.IsAlias() {
			if str(types.Unalias(stub.Type())) != str(types.Unalias(tn.Type())) {
				t.Errorf("%s: stub alias of %s, real of %s", name, str(types.Unalias(stub.Type())), str(types.Unalias(tn.Type())))
			}
			return 1
		}
		n := 1 + compareMethods(t, name, stub.Type(), tn.Type())
		switch u := stub.Type().Underlying().(type) {
		case *types.Struct:
			wu, ok := tn.Type().Underlying().(*types.Struct)
			if !ok {
				t.Errorf("%s: a struct in the stub, %s in the library", name, str(tn.Type().Underlying()))
				return n
			}
			for f := range u.Fields() {
				if !f.Exported() {
					continue
				}
				n++
				i := fieldIndex(wu, f.Name())
				if i < 0 || str(wu.Field(i).Type()) != str(f.Type()) || wu.Field(i).Embedded() != f.Embedded() {
					t.Errorf("%s.%s: field differs from the library's", name, f.Name())
				}
			}
		case *types.Interface:
			// Methods compared above; unexported ones cannot match.
		default:
			if str(u) != str(tn.Type().Underlying()) {
				t.Errorf("%s: underlying %s in the stub, %s in the library", name, str(u), str(tn.Type().Underlying()))
			}
		}
		return n
	}
	t.Errorf("%s: unexpected %T", name, stub)
	return 0
}

// compareMethods compares the exported methods of *stub with those of
// *want.
func compareMethods(t *testing.T, name string, stub, want types.Type) int {
	t.Helper()
	ptr := func(t types.Type) types.Type {
		if types.IsInterface(t) {
			return t
		}
		return types.NewPointer(t)
	}
	wantSet := types.NewMethodSet(ptr(want))
	set := types.NewMethodSet(ptr(stub))
	n := 0
	for sel := range set.Methods() {
		m := sel.Obj()
		if !m.Exported() {
			continue
		}
		n++
		w := wantSet.Lookup(m.Pkg(), m.Name())
		if w == nil {
			// Promoted methods belong to another package: look by name.
			for ws := range wantSet.Methods() {
				if ws.Obj().Name() == m.Name() {
					w = ws
				}
			}
		}
		if w == nil {
			t.Errorf("%s.%s: no such method in the library", name, m.Name())
			continue
		}
		// A method's type prints without its receiver.
		got, exp := types.TypeString(m.Type(), nil), types.TypeString(w.Obj().Type(), nil)
		if got != exp {
			t.Errorf("%s.%s:\n stub %s\n real %s", name, m.Name(), got, exp)
		}
	}
	return n
}

func fieldIndex(s *types.Struct, name string) int {
	for i := range s.NumFields() {
		if s.Field(i).Name() == name {
			return i
		}
	}
	return -1
}
