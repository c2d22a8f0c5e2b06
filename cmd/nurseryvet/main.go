package main

import (
	"os"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/droppedsubmit"
	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/lostgroup"
	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/outerctx"
	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/rawgo"
	"github.com/nursery-go/nursery/cmd/nurseryvet/passes/waitinside"
)

// analyzers are nurseryvet's checks, rawgo last.
var analyzers = []*analysis.Analyzer{
	lostgroup.Analyzer,
	outerctx.Analyzer,
	droppedsubmit.Analyzer,
	waitinside.Analyzer,
	rawgo.Analyzer,
}

func main() {
	os.Args = withDefaults(os.Args)
	multichecker.Main(analyzers...)
}

// withDefaults returns args with -rawgo=false added after the program
// name unless args set -rawgo themselves: rawgo is off by default. Like go
// vet's own checks, -NAME runs only the checks named, so -rawgo alone runs
// rawgo alone; -NAME=false runs all but those (and not rawgo).
func withDefaults(args []string) []string {
	for _, a := range args[1:] {
		if a == "--" {
			break
		}
		name, ok := strings.CutPrefix(a, "-")
		if !ok {
			continue
		}
		name = strings.TrimPrefix(name, "-")
		name, _, _ = strings.Cut(name, "=")
		if name == rawgo.Analyzer.Name {
			return args
		}
	}
	return slices.Insert(slices.Clone(args), 1, "-"+rawgo.Analyzer.Name+"=false")
}
