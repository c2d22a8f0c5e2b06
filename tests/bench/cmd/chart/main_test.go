package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// input is benchmark output as run.sh collects it: two passes, headers
// repeated, a benchmark without impl=, a log line and a failure line.
const input = `goos: linux
goarch: amd64
pkg: github.com/nursery-go/nursery/tests/bench
cpu: AMD EPYC
BenchmarkSpawnWait/impl=go-waitgroup-2   	 3000000	       300.0 ns/op	      24 B/op	       1 allocs/op
BenchmarkSpawnWait/impl=nursery-go-2     	 2000000	       500.0 ns/op	     194 B/op	       3 allocs/op
BenchmarkOther-2                         	 1000000	      1000 ns/op
BenchmarkSubmit/limit=8/impl=nursery-2   	 2000000	       530.0 ns/op	     186 B/op	       2 allocs/op
BenchmarkSubmit/limit=8/impl=pond-2      	 4000000	       290.0 ns/op	      42 B/op	       2 allocs/op
BenchmarkMap/impl=nursery-2              	       2	1600000000 ns/op	      1600 ns/item	  19587072 peak-heap-B	320047424 B/op	 3000000 allocs/op
PASS
ok  	github.com/nursery-go/nursery/tests/bench	10.0s
goos: linux
goarch: amd64
pkg: github.com/nursery-go/nursery/tests/bench
cpu: AMD EPYC
    group_test.go:12: a log line
BenchmarkSpawnWait/impl=go-waitgroup-2   	 3000000	       340.0 ns/op	      24 B/op	       1 allocs/op
BenchmarkSpawnWait/impl=nursery-go-2     	 2000000	       520.0 ns/op	     194 B/op	       3 allocs/op
BenchmarkSubmit/limit=8/impl=nursery-2   	 2000000	       550.0 ns/op	     186 B/op	       4 allocs/op
BenchmarkSubmit/limit=8/impl=pond-2      	 4000000	       310.0 ns/op	      42 B/op	       2 allocs/op
BenchmarkMap/impl=nursery-2              	       2	1800000000 ns/op	      1800 ns/item	  19587072 peak-heap-B	320047424 B/op	 3000000 allocs/op
BenchmarkSpawnWait/impl=go-waitgroup-2   	 3000000	       320.0 ns/op	      24 B/op	       1 allocs/op
BenchmarkCloseScale/n=100000/timed=close/impl=go-waitgroup-2 	       3	  74200000 ns/op	       742.0 ns/task	       0 B/op	       0 allocs/op
BenchmarkCloseScale/n=100000/timed=close/impl=nursery-go-2   	       3	 142300000 ns/op	      1423 ns/task	     296 B/op	       4 allocs/op
--- FAIL: BenchmarkBroken
BenchmarkBroken/impl=x-2 	 not-a-number	 12 ns/op
`

// The module has no assertion library of its own, and the chart needs
// none: these few helpers do.

// equal fails the test at once unless got equals want.
func equal(t *testing.T, want, got any, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s\nwant: %#v\ngot:  %#v", fmt.Sprint(msg...), want, got)
	}
}

// noError fails the test at once if err is not nil.
func noError(t *testing.T, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", fmt.Sprint(msg...), err)
	}
}

// contains fails the test at once unless texts holds want.
func contains(t *testing.T, texts []string, want string) {
	t.Helper()
	if !slices.Contains(texts, want) {
		t.Fatalf("no text %q among:\n%s", want, strings.Join(texts, "\n"))
	}
}

func TestParse(t *testing.T) {
	scenarios, cpu, err := parse(strings.NewReader(input))
	noError(t, err)
	equal(t, "AMD EPYC", cpu)
	want := []scenario{
		{name: "SpawnWait", timeUnit: nsPerOp, results: []result{
			{impl: "go-waitgroup", time: 320, allocs: 1, runs: 3}, // median of 300, 340, 320
			{impl: "nursery-go", time: 510, allocs: 3, runs: 2},   // mean of the middle two
		}},
		{name: "Submit limit=8", timeUnit: nsPerOp, results: []result{
			{impl: "nursery", time: 540, allocs: 3, runs: 2},
			{impl: "pond", time: 300, allocs: 2, runs: 2},
		}},
		// Per item: 3,000,000 allocs/op over 1,000,000 items an op.
		{name: "Map", timeUnit: nsPerItem, results: []result{
			{impl: "nursery", time: 1700, allocs: 3, runs: 2},
		}},
		// Per task: 4 allocs/op over 100,000 tasks an op.
		{name: "CloseScale n=100000 timed=close", timeUnit: nsPerTask, results: []result{
			{impl: "go-waitgroup", time: 742, allocs: 0, runs: 1},
			{impl: "nursery-go", time: 1423, allocs: 4e-5, runs: 1},
		}},
	}
	equal(t, want, scenarios)
}

func TestParse_lines(t *testing.T) {
	tests := []struct {
		give   string
		want   string
		values map[string]float64
	}{
		{"BenchmarkX/impl=a-2 	 10	 5.5 ns/op", "BenchmarkX/impl=a", map[string]float64{"ns/op": 5.5}},
		{"BenchmarkX/impl=go-waitgroup-16 10 5 ns/op 2 allocs/op", "BenchmarkX/impl=go-waitgroup", map[string]float64{"ns/op": 5, "allocs/op": 2}},
		{"BenchmarkX/impl=a 10 5 ns/op", "BenchmarkX/impl=a", map[string]float64{"ns/op": 5}}, // GOMAXPROCS=1: no suffix
		{"BenchmarkX/impl=a-2 10 5", "", nil},               // a value without its unit
		{"BenchmarkX/impl=a-2 ten 5 ns/op", "", nil},        // no iteration count
		{"BenchmarkX/impl=a-2 10 five ns/op", "", nil},      // not a number
		{"    x_test.go:12: Benchmark 10 5 ns/op", "", nil}, // a log line
		{"--- FAIL: BenchmarkX", "", nil},
	}
	for _, tt := range tests {
		name, values, ok := parseLine(tt.give)
		equal(t, tt.want != "", ok, tt.give)
		equal(t, tt.want, name, tt.give)
		equal(t, tt.values, values, tt.give)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct{ give, scen, impl string }{
		{"BenchmarkSpawnWait/impl=go-waitgroup", "SpawnWait", "go-waitgroup"},
		{"BenchmarkSubmit/limit=1024/impl=ants", "Submit limit=1024", "ants"},
		{"BenchmarkCloseScale/n=1000/timed=spawn+close/impl=nursery-go", "CloseScale n=1000 timed=spawn+close", "nursery-go"},
		{"BenchmarkX/impl=a/size=3", "X size=3", "a"},
	}
	for _, tt := range tests {
		scen, impl, ok := split(tt.give)
		equal(t, true, ok, tt.give)
		equal(t, tt.scen, scen, tt.give)
		equal(t, tt.impl, impl, tt.give)
	}
	_, _, ok := split("BenchmarkOther")
	equal(t, false, ok)
}

// wellFormed decodes every token of an SVG document, so that an unclosed
// or unescaped tag fails, and returns the texts and the element count.
func wellFormed(t *testing.T, svg []byte) (texts []string, elements int) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	depth := 0
	var in string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		noError(t, err, string(svg))
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				equal(t, "svg", tok.Name.Local)
				equal(t, "http://www.w3.org/2000/svg", tok.Name.Space)
			}
			depth++
			elements++
			in = tok.Name.Local
		case xml.EndElement:
			depth--
		case xml.CharData:
			if in == "text" && strings.TrimSpace(string(tok)) != "" {
				texts = append(texts, string(tok))
			}
		}
	}
	equal(t, 0, depth, "unbalanced elements")
	return texts, elements
}

func TestWriteSVG(t *testing.T) {
	scenarios, cpu, err := parse(strings.NewReader(input))
	noError(t, err)
	var b bytes.Buffer
	noError(t, writeSVG(&b, scenarios, cpu))
	texts, _ := wellFormed(t, b.Bytes())

	for _, want := range []string{
		"SpawnWait", "Submit limit=8", "Map", "CloseScale n=100000 timed=close",
		"320 ns/op  1.00×", "1 allocs/op  1.00×",
		"510 ns/op  1.59×", "3 allocs/op  3.00×",
		"540 ns/op  1.80×", "300 ns/op  1.00×",
		"1.7 µs/item  1.00×", "3 allocs/item  1.00×",
		"742 ns/task  1.00×", "1.42 µs/task  1.92×",
		"0 allocs/task", "4.0e-05 allocs/task", // no multiple of a lowest of zero
	} {
		contains(t, texts, want)
	}
	if !strings.Contains(texts[1], "medians of 3 runs on AMD EPYC") {
		t.Fatalf("subtitle %q does not give the runs and the cpu", texts[1])
	}

	// The output depends only on the input.
	var again bytes.Buffer
	noError(t, writeSVG(&again, scenarios, cpu))
	equal(t, b.String(), again.String())
}

func TestWriteSVG_escapes(t *testing.T) {
	scenarios := []scenario{{name: `A<&>"'`, timeUnit: nsPerOp, results: []result{{impl: "<x>", time: 1, allocs: -1, runs: 1}}}}
	var b bytes.Buffer
	noError(t, writeSVG(&b, scenarios, "cpu & co"))
	texts, _ := wellFormed(t, b.Bytes())
	contains(t, texts, `A<&>"'`)
	contains(t, texts, "<x>")
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		give float64
		want string
	}{{342.8, "343 ns"}, {999.4, "999 ns"}, {999.6, "1 µs"}, {1500, "1.5 µs"}, {92.82e6, "92.8 ms"}, {1.15e9, "1.15 s"}} {
		equal(t, tt.want, duration(tt.give), tt.give)
	}
	for _, tt := range []struct {
		give float64
		want string
	}{{0, "0"}, {3, "3"}, {1.5, "1.5"}, {2.345, "2.35"}, {370930.4, "370930"}, {0.000119, "1.2e-04"}} {
		equal(t, tt.want, count(tt.give), tt.give)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bench.txt")
	noError(t, os.WriteFile(in, []byte(input), 0o644))
	out := filepath.Join(dir, "results.svg")
	var diag bytes.Buffer
	equal(t, 0, run([]string{"-in", in, "-out", out}, &diag), diag.String())
	svg, err := os.ReadFile(out)
	noError(t, err)
	_, elements := wellFormed(t, svg)
	if elements < 20 {
		t.Fatalf("%d elements in:\n%s", elements, svg)
	}

	empty := filepath.Join(dir, "empty.txt")
	noError(t, os.WriteFile(empty, []byte("PASS\n"), 0o644))
	for _, tt := range []struct {
		give []string
		want int
	}{
		{[]string{"-nope"}, 2},
		{[]string{"-in", in, "extra"}, 2},
		{[]string{"-in", filepath.Join(dir, "missing.txt"), "-out", out}, 1},
		{[]string{"-in", empty, "-out", filepath.Join(dir, "empty.svg")}, 1},
	} {
		diag.Reset()
		equal(t, tt.want, run(tt.give, &diag), tt.give)
		if diag.Len() == 0 {
			t.Fatalf("%v: no diagnostic", tt.give)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "empty.svg")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a chart of nothing was written: %v", err)
	}
}
