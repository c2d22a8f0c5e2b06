package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sweepInput is benchmark output as sweep.sh collects it, rows out of
// order and in two passes, with lines the sweep must ignore: another
// benchmark, a name with a part too many, and one with a bad count.
const sweepInput = `goos: linux
cpu: AMD EPYC
BenchmarkStreamScale/impl=nursery-map/workers=8/items=1000-2     	     200	   1000000 ns/op	      1000 ns/item	   4194304 peak-heap-B	  268996 B/op	    3393 allocs/op
BenchmarkStreamScale/impl=nursery-map/workers=1/items=1000-2     	     200	   1200000 ns/op	      1200 ns/item	   2097152 peak-heap-B	  268996 B/op	    3393 allocs/op
BenchmarkStreamScale/impl=conc-stream/workers=1/items=1000-2     	     200	    600000 ns/op	       600 ns/item	   1048576 peak-heap-B	   74636 B/op	    3045 allocs/op
BenchmarkMap/impl=nursery-2                                      	       2	1600000000 ns/op	      1600 ns/item	  19587072 peak-heap-B	320047424 B/op	 3000000 allocs/op
BenchmarkStreamScale/impl=x/workers=1/items=1000/extra=1-2       	       1	      1000 ns/op	         1 ns/item	         1 peak-heap-B
BenchmarkStreamScale/impl=x/workers=one/items=1000-2             	       1	      1000 ns/op	         1 ns/item	         1 peak-heap-B
PASS
cpu: AMD EPYC
BenchmarkStreamScale/impl=nursery-map/workers=1/items=1000000-2  	       1	1000000000 ns/op	      1000 ns/item	   6291456 peak-heap-B	216035128 B/op	 3000152 allocs/op
BenchmarkStreamScale/impl=nursery-map/workers=8/items=1000000-2  	       1	 900000000 ns/op	       900 ns/item	   6291456 peak-heap-B	216035128 B/op	 3000152 allocs/op
BenchmarkStreamScale/impl=nursery-map/workers=1/items=1000-2     	     200	   1400000 ns/op	      1400 ns/item	   2097152 peak-heap-B	  268996 B/op	    3393 allocs/op
BenchmarkStreamScale/impl=conc-stream/workers=1/items=1000000-2  	       1	 600000000 ns/op	       600 ns/item	   5242880 peak-heap-B	72009376 B/op	 3000096 allocs/op
`

func TestParseSweep(t *testing.T) {
	families, cpu, err := parseSweep(strings.NewReader(sweepInput))
	noError(t, err)
	equal(t, "AMD EPYC", cpu)
	want := []family{
		{impl: "nursery-map", curves: []curve{
			{workers: 1, points: []point{
				{items: 1000, time: 1300, heap: 2 << 20, runs: 2}, // mean of the middle two
				{items: 1_000_000, time: 1000, heap: 6 << 20, runs: 1},
			}},
			{workers: 8, points: []point{
				{items: 1000, time: 1000, heap: 4 << 20, runs: 1},
				{items: 1_000_000, time: 900, heap: 6 << 20, runs: 1},
			}},
		}},
		{impl: "conc-stream", curves: []curve{
			{workers: 1, points: []point{
				{items: 1000, time: 600, heap: 1 << 20, runs: 1},
				{items: 1_000_000, time: 600, heap: 5 << 20, runs: 1},
			}},
		}},
	}
	equal(t, want, families)

	_, _, err = parseSweep(strings.NewReader("BenchmarkS/impl=a/workers=1/items=10-2 1 5 ns/op 1 ns/item\n"))
	if err == nil || !strings.Contains(err.Error(), "no ns/item or no peak-heap-B") {
		t.Fatalf("a row without peak heap: %v", err)
	}
}

func TestSplitSweep(t *testing.T) {
	tests := []struct {
		give string
		want sweepKey
		ok   bool
	}{
		{"BenchmarkStreamScale/impl=a/workers=8/items=1000", sweepKey{"a", 8, 1000}, true},
		{"BenchmarkX/items=10/impl=b-c/workers=1", sweepKey{"b-c", 1, 10}, true}, // any order
		{"BenchmarkX/impl=a/workers=8", sweepKey{}, false},
		{"BenchmarkX/impl=a/workers=8/items=10/n=1", sweepKey{}, false},
		{"BenchmarkX/impl=a/workers=8/workers=10", sweepKey{}, false},
		{"BenchmarkX/impl=a/workers=8/items=ten", sweepKey{}, false},
		{"BenchmarkX/impl=/workers=8/items=10", sweepKey{}, false},
		{"BenchmarkX/impl=a/workers=0/items=10", sweepKey{}, false},
	}
	for _, tt := range tests {
		k, ok := splitSweep(tt.give)
		equal(t, tt.ok, ok, tt.give)
		if ok {
			equal(t, tt.want, k, tt.give)
		}
	}
}

// A drawnSeries is one line of the sweep chart as the SVG has it.
type drawnSeries struct {
	impl, workers, measure string
	points, dots           int
}

// seriesOf returns the lines of a sweep chart in the order drawn.
func seriesOf(t *testing.T, svg []byte) []drawnSeries {
	t.Helper()
	var all []drawnSeries
	var cur *drawnSeries
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return all
		}
		noError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range tok.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch {
			case tok.Name.Local == "g" && attr["class"] == "series":
				all = append(all, drawnSeries{impl: attr["data-impl"], workers: attr["data-workers"], measure: attr["data-measure"]})
				cur = &all[len(all)-1]
			case tok.Name.Local == "polyline" && cur != nil:
				cur.points = len(strings.Fields(attr["points"]))
			case tok.Name.Local == "circle" && cur != nil:
				cur.dots++
			}
		case xml.EndElement:
			if tok.Name.Local == "g" {
				cur = nil
			}
		}
	}
}

func TestWriteSweepSVG(t *testing.T) {
	families, cpu, err := parseSweep(strings.NewReader(sweepInput))
	noError(t, err)
	var b bytes.Buffer
	noError(t, writeSweepSVG(&b, families, cpu))
	texts, _ := wellFormed(t, b.Bytes())

	// For each implementation, a line per worker count in each panel,
	// with a point per length.
	want := []drawnSeries{
		{"nursery-map", "1", "time per item", 2, 2},
		{"nursery-map", "8", "time per item", 2, 2},
		{"nursery-map", "1", "peak heap in use", 2, 2},
		{"nursery-map", "8", "peak heap in use", 2, 2},
		{"conc-stream", "1", "time per item", 2, 2},
		{"conc-stream", "1", "peak heap in use", 2, 2},
	}
	equal(t, want, seriesOf(t, b.Bytes()))

	for _, want := range []string{
		"nursery-map: time per item", "nursery-map: peak heap in use",
		"conc-stream: time per item", "conc-stream: peak heap in use",
		"workers=1", "workers=8", // the legend
		"1k", "1M", "items per stream", // the x axis
		"0 ns", "1.5 µs", // time: ticks of 500 ns, up to the first above 1.3 µs
		"0 MiB", "6 MiB", // heap
	} {
		contains(t, texts, want)
	}
	// The dots' titles, shown on hover, give their values.
	for _, want := range []string{"1k items: 1.3 µs", "1M items: 6 MiB", "1k items: 1 MiB"} {
		if !strings.Contains(b.String(), "<title>"+want+"</title>") {
			t.Fatalf("no dot titled %q", want)
		}
	}
	if !strings.Contains(texts[1], "medians of 2 runs on AMD EPYC") {
		t.Fatalf("subtitle %q does not give the runs and the cpu", texts[1])
	}

	var again bytes.Buffer
	noError(t, writeSweepSVG(&again, families, cpu))
	equal(t, b.String(), again.String())
}

func TestRun_sweep(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "sweep.txt")
	noError(t, os.WriteFile(in, []byte(sweepInput), 0o644))
	out := filepath.Join(dir, "scaling.svg")
	var diag bytes.Buffer
	equal(t, 0, run([]string{"-sweep", "-in", in, "-out", out}, &diag), diag.String())
	svg, err := os.ReadFile(out)
	noError(t, err)
	equal(t, 6, len(seriesOf(t, svg)))

	// The bar chart's input has no sweep in it.
	bars := filepath.Join(dir, "bench.txt")
	noError(t, os.WriteFile(bars, []byte(input), 0o644))
	diag.Reset()
	equal(t, 1, run([]string{"-sweep", "-in", bars, "-out", filepath.Join(dir, "none.svg")}, &diag))
	if !strings.Contains(diag.String(), "no benchmark results named") {
		t.Fatalf("diagnostic %q", diag.String())
	}
}
