// Chart draws the side-by-side benchmarks of tests/bench as an SVG bar
// chart: for each scenario (SpawnWait, CloseScale at each size, Submit at
// each limit, Futures, Map, Flow, Dropin, ...) one bar per implementation
// for the time and one for the allocations per task, medians over the runs.
//
// It reads the text output of go test -bench, as run.sh writes it to $RAW:
//
//	go run ./cmd/chart -in /tmp/nursery-bench.txt -out results.svg
//
// Only benchmarks with an impl= part in their name are drawn; the rest of
// the name is the scenario. Time is ns/op, or ns/item or ns/task for
// benchmarks that report it (streams of many items, closes of many tasks
// per op); allocations are allocs/op, turned into allocs/item or
// allocs/task for those. Each scenario is scaled on its own,
// to its highest value, so that nanoseconds and milliseconds fit in one
// chart; the labels give the absolute values and the multiple of the best.
//
// With -sweep it draws BenchmarkStreamScale instead, as sweep.sh writes it
// to $RAW: for each implementation, ns/item and the peak heap in use
// against the number of items per stream (a log scale), one line per
// worker count, medians over the runs:
//
//	go run ./cmd/chart -sweep -in /tmp/nursery-sweep.txt -out scaling.svg
//
// Only benchmarks whose sub-benchmark name is exactly an impl=, a
// workers= and an items= part are drawn then.
//
// The SVG is written by hand, without a plotting library, and depends only
// on the input, so that a committed chart changes only when the numbers do.
package main

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run runs the program with args, reporting errors to diag, and returns
// its exit code.
func run(args []string, diag io.Writer) int {
	fs := flag.NewFlagSet("chart", flag.ContinueOnError)
	fs.SetOutput(diag)
	in := fs.String("in", "", "go test -bench output to read (default /tmp/nursery-bench.txt, with -sweep /tmp/nursery-sweep.txt)")
	out := fs.String("out", "", "SVG file to write (default results.svg, with -sweep scaling.svg)")
	sweep := fs.Bool("sweep", false, "draw BenchmarkStreamScale's lines against items instead of bars")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(diag, "chart: unexpected arguments %q\n", fs.Args())
		return 2
	}
	draw := chart
	if *sweep {
		draw = chartSweep
		*in = cmp.Or(*in, "/tmp/nursery-sweep.txt")
		*out = cmp.Or(*out, "scaling.svg")
	}
	*in = cmp.Or(*in, "/tmp/nursery-bench.txt")
	*out = cmp.Or(*out, "results.svg")
	if err := draw(*in, *out); err != nil {
		fmt.Fprintln(diag, "chart:", err)
		return 1
	}
	return 0
}

// chart reads the benchmark output in and writes the chart to out.
func chart(in, out string) error {
	return render(in, out, parse, writeSVG, "no benchmark results with impl= in their names")
}

// chartSweep reads the sweep's benchmark output in and writes its chart to
// out.
func chartSweep(in, out string) error {
	return render(in, out, parseSweep, writeSweepSVG, "no benchmark results named impl=…/workers=…/items=…")
}

// render parses the benchmark output in into series and writes their chart
// to out; none is an error that says what was looked for.
func render[T any](in, out string, parse func(io.Reader) ([]T, string, error), write func(io.Writer, []T, string) error, none string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	series, cpu, err := parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if len(series) == 0 {
		return fmt.Errorf("%s: %s", in, none)
	}
	var b bytes.Buffer
	if err := write(&b, series, cpu); err != nil {
		return err
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}
