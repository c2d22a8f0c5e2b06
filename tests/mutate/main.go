// Command mutate is nursery's mutation tester: it changes one operator at
// a time in a package's code, runs the package's tests against each
// change, and reports the changes no test noticed.
//
//	go run ./tests/mutate ./group ./executor ./queue ./cancel ./resource
//
// The operators are those of common Go mutation testers: a comparison
// moved across its boundary (< and <=, > and >=) or negated (== and !=,
// < and >=, > and <=), + and -, * and /, % to *, ++ and --, and a unary
// minus removed. Only code that the package's own tests cover is mutated
// (one coverage run per package). Each mutant is built through
// `go test -overlay`, so the source tree is never touched, and run with
// -failfast and a timeout.
//
// A mutant is killed when a test fails (even if another test then hangs
// on the broken code: the failure is what counts), lived when the tests
// pass, timed out when the tests hang without any failing first, and not
// viable when it does not compile. Mutants known to be equivalent — no
// program can tell them from the original — are listed with their reason
// in tests/mutate/equivalent.txt and counted apart.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	workers = flag.Int("workers", 2, "mutants tested at once")
	timeout = flag.Duration("timeout", 90*time.Second, "how long one mutant's tests may run (above testkit.BubbleBound)")
	only    = flag.String("only", "", "test only mutants whose position (file.go:line) contains this")
	verbose = flag.Bool("v", false, "print every mutant's outcome as it comes")
)

// A mutant is one operator changed at one place.
type mutant struct {
	file     string // absolute path
	line     int
	col      int
	off      int    // byte offset of the operator
	old, new string // operator text
	status   string
	detail   string
}

func (m *mutant) pos() string {
	return fmt.Sprintf("%s:%d:%d", filepath.Base(m.file), m.line, m.col)
}

func (m *mutant) String() string { return fmt.Sprintf("%s %s→%s", m.pos(), m.old, m.new) }

func main() {
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./tests/mutate [flags] ./pkg ...")
		os.Exit(2)
	}
	equiv := readEquivalent()
	var summary []string
	for _, pkg := range flag.Args() {
		summary = append(summary, run(pkg, equiv))
	}
	fmt.Println("\npackage   mutants  killed  lived  timed-out  equivalent  not-viable  not-covered  killed/(killed+lived+timed-out)")
	for _, s := range summary {
		fmt.Println(s)
	}
}

// readEquivalent reads tests/mutate/equivalent.txt: "file.go:line:col old→new  reason".
func readEquivalent() map[string]string {
	out := map[string]string{}
	f, err := os.Open(filepath.Join("tests", "mutate", "equivalent.txt"))
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pkgPos, reason, _ := strings.Cut(line, "  ")
		out[strings.TrimSpace(pkgPos)] = strings.TrimSpace(reason)
	}
	return out
}

func run(pkg string, equiv map[string]string) string {
	dir, err := filepath.Abs(pkg)
	if err != nil {
		panic(err)
	}
	covered := coverage(pkg, dir)
	ms := enumerate(dir)
	var todo []*mutant
	notCovered := 0
	for _, m := range ms {
		if *only != "" && !strings.Contains(fmt.Sprintf("%s:%d", filepath.Base(m.file), m.line), *only) {
			continue
		}
		if !covered(m.file, m.line, m.col) {
			notCovered++
			continue
		}
		todo = append(todo, m)
	}
	fmt.Printf("== %s: %d mutants in covered code (%d more not covered)\n", pkg, len(todo), notCovered)
	tmp, err := os.MkdirTemp("", "mutate")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	var wg sync.WaitGroup
	ch := make(chan *mutant)
	for w := range *workers {
		wg.Go(func() {
			for m := range ch {
				test(pkg, m, filepath.Join(tmp, strconv.Itoa(w)))
				if *verbose {
					fmt.Printf("  %-10s %s %s\n", m.status, m, m.detail)
				}
			}
		})
	}
	for _, m := range todo {
		ch <- m
	}
	close(ch)
	wg.Wait()

	counts := map[string]int{}
	rel := strings.TrimPrefix(pkg, "./")
	for _, m := range todo {
		if m.status == "lived" || m.status == "timed-out" {
			// Trimmed as the file's keys are: a removal's new text is empty.
			if _, ok := equiv[strings.TrimSpace(rel+"/"+m.String())]; ok {
				m.status = "equivalent"
			}
		}
		counts[m.status]++
	}
	sort.Slice(todo, func(i, j int) bool {
		if todo[i].file != todo[j].file {
			return todo[i].file < todo[j].file
		}
		return todo[i].off < todo[j].off
	})
	for _, st := range []string{"lived", "timed-out", "equivalent"} {
		for _, m := range todo {
			if m.status == st {
				why := m.detail
				if st == "equivalent" {
					why = equiv[rel+"/"+m.String()]
				}
				fmt.Printf("  %-10s %s/%s %s\n", st, rel, m, why)
			}
		}
	}
	k, l, t := counts["killed"], counts["lived"], counts["timed-out"]
	score := 100.0
	if k+l+t > 0 {
		score = 100 * float64(k) / float64(k+l+t)
	}
	return fmt.Sprintf("%-9s %7d %7d %6d %10d %11d %11d %12d  %.1f%%", rel, len(todo), k, l, t, counts["equivalent"], counts["not-viable"], notCovered, score)
}

// coverage runs the package's tests once with a cover profile and returns
// whether a position is in a block that ran.
func coverage(pkg, dir string) func(file string, line, col int) bool {
	prof := filepath.Join(os.TempDir(), "mutate-cover.out")
	cmd := exec.Command("go", "test", "-count=1", "-coverprofile="+prof, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "the tests of %s fail without any mutant:\n%s", pkg, out)
		os.Exit(1)
	}
	type block struct{ l0, c0, l1, c1, n int }
	blocks := map[string][]block{}
	f, err := os.Open(prof)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "mode:") {
			continue
		}
		// import/path/file.go:l0.c0,l1.c1 stmts count
		name, rest, _ := strings.Cut(line, ":")
		var b block
		var stmts int
		fmt.Sscanf(rest, "%d.%d,%d.%d %d %d", &b.l0, &b.c0, &b.l1, &b.c1, &stmts, &b.n)
		base := filepath.Base(name)
		blocks[base] = append(blocks[base], b)
	}
	return func(file string, line, col int) bool {
		for _, b := range blocks[filepath.Base(file)] {
			after := line > b.l0 || line == b.l0 && col >= b.c0
			before := line < b.l1 || line == b.l1 && col <= b.c1
			if after && before && b.n > 0 {
				return true
			}
		}
		return false
	}
}

// enumerate finds the mutants of the package's non-test files.
func enumerate(dir string) []*mutant {
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var out []*mutant
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			panic(err)
		}
		add := func(p token.Pos, old string, news ...string) {
			pos := fset.Position(p)
			for _, n := range news {
				out = append(out, &mutant{file: path, line: pos.Line, col: pos.Column, off: pos.Offset, old: old, new: n})
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				switch n.Op {
				case token.LSS:
					add(n.OpPos, "<", "<=", ">=")
				case token.LEQ:
					add(n.OpPos, "<=", "<", ">")
				case token.GTR:
					add(n.OpPos, ">", ">=", "<=")
				case token.GEQ:
					add(n.OpPos, ">=", ">", "<")
				case token.EQL:
					add(n.OpPos, "==", "!=")
				case token.NEQ:
					add(n.OpPos, "!=", "==")
				case token.ADD:
					if !isString(n) {
						add(n.OpPos, "+", "-")
					}
				case token.SUB:
					add(n.OpPos, "-", "+")
				case token.MUL:
					add(n.OpPos, "*", "/")
				case token.QUO:
					add(n.OpPos, "/", "*")
				case token.REM:
					add(n.OpPos, "%", "*")
				}
			case *ast.IncDecStmt:
				if n.Tok == token.INC {
					add(n.TokPos, "++", "--")
				} else {
					add(n.TokPos, "--", "++")
				}
			case *ast.UnaryExpr:
				if n.Op == token.SUB {
					add(n.OpPos, "-", " ")
				}
			}
			return true
		})
	}
	return out
}

// isString reports whether a + is plainly a string concatenation.
func isString(b *ast.BinaryExpr) bool {
	for _, e := range []ast.Expr{b.X, b.Y} {
		if l, ok := e.(*ast.BasicLit); ok && l.Kind == token.STRING {
			return true
		}
		if c, ok := e.(*ast.CallExpr); ok {
			if s, ok := c.Fun.(*ast.SelectorExpr); ok && (s.Sel.Name == "Error" || s.Sel.Name == "String" || s.Sel.Name == "Itoa") {
				return true
			}
		}
	}
	return false
}

// test builds and tests one mutant through an overlay.
func test(pkg string, m *mutant, work string) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		panic(err)
	}
	src, err := os.ReadFile(m.file)
	if err != nil {
		panic(err)
	}
	mut := append(append(append([]byte{}, src[:m.off]...), m.new...), src[m.off+len(m.old):]...)
	mfile := filepath.Join(work, filepath.Base(m.file))
	if err := os.WriteFile(mfile, mut, 0o644); err != nil {
		panic(err)
	}
	ov, _ := json.Marshal(map[string]map[string]string{"Replace": {m.file: mfile}})
	ovFile := filepath.Join(work, "overlay.json")
	if err := os.WriteFile(ovFile, ov, 0o644); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-overlay="+ovFile, "-count=1", "-failfast",
		"-timeout="+timeout.String(), pkg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	text := out.String()
	switch {
	case err == nil:
		m.status = "lived"
	case strings.Contains(text, "[build failed]") || strings.Contains(text, "[setup failed]"):
		m.status = "not-viable"
	case strings.Contains(text, "--- FAIL"):
		m.status = "killed"
		if i := strings.Index(text, "--- FAIL"); i >= 0 {
			m.detail = strings.TrimSpace(strings.SplitN(text[i:], "\n", 2)[0])
		}
	case strings.Contains(text, "panic: test timed out"):
		m.status = "timed-out"
		if _, after, ok := strings.Cut(text, "running tests:\n"); ok {
			m.detail = strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
		}
	default:
		m.status = "killed" // a panic or a failed check outside a test function
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
				m.detail = l
				break
			}
		}
	}
}
