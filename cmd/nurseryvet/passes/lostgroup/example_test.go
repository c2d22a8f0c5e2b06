package lostgroup_test

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/lostgroup"
)

// Running the check on a package: fetchAll returns early without closing
// its group.
func Example() {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "testdata"))
	cfg := &packages.Config{
		Mode: packages.LoadAllSyntax,
		Env:  append(os.Environ(), "GOPATH="+dir, "GO111MODULE=off", "GOFLAGS=", "GOWORK=off"),
	}
	pkgs, err := packages.Load(cfg, "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{lostgroup.Analyzer}, pkgs, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for act := range graph.All() {
		if act.Analyzer != lostgroup.Analyzer || !act.IsRoot {
			continue
		}
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			fmt.Printf("%s:%d: %s\n", filepath.Base(pos.Filename), pos.Line, d.Message)
			for _, r := range d.Related {
				fmt.Printf("\t%d: %s\n", act.Package.Fset.Position(r.Pos).Line, r.Message)
			}
			for _, f := range d.SuggestedFixes {
				fmt.Println("\tfix:", f.Message)
			}
		}
	}
	// Output:
	// example.go:13: g (group) is not closed on every path: its goroutines outlive the function; defer g.Close() after making it, or Wait/Shutdown it before each return
	// 	18: this return can be reached without closing g
	// 	fix: defer g.Close()
}
