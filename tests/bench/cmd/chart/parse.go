package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A result is the median of one implementation's runs in one scenario.
type result struct {
	impl   string
	time   float64 // nanoseconds per timeUnit
	allocs float64 // allocations per timeUnit's unit; -1 if not reported
	runs   int
}

// A scenario is one benchmark (with its parameters but not the
// implementation) and its results, in the order of the input.
type scenario struct {
	name     string // "Submit limit=8"
	timeUnit string // "ns/op", or a perUnits unit when the benchmark reports it
	results  []result
}

// The units read from a benchmark line.
const (
	nsPerOp     = "ns/op"
	nsPerItem   = "ns/item"
	nsPerTask   = "ns/task"
	allocsPerOp = "allocs/op"
)

// perUnits are the units of time per part of an op (an item of a stream,
// a task of a close) that a benchmark may report beside ns/op; the chart
// shows them instead.
var perUnits = []string{nsPerItem, nsPerTask}

// procSuffix is the -GOMAXPROCS suffix that go test adds to names.
var procSuffix = regexp.MustCompile(`-\d+$`)

// samples holds the values of one implementation in one scenario, by unit.
type samples map[string][]float64

// parse reads the text output of go test -bench and returns the medians of
// every benchmark that has an impl= part in its name, grouped by scenario,
// scenarios and implementations in the order they first appear, and the
// machine's cpu line. Other lines are ignored.
func parse(r io.Reader) (scenarios []scenario, cpu string, err error) {
	var order []string             // scenario names in order of appearance
	impls := map[string][]string{} // scenario → implementations in order of appearance
	data := map[[2]string]samples{}
	cpu, err = scan(r, func(name string, values map[string]float64) {
		scen, impl, ok := split(name)
		if !ok {
			return
		}
		key := [2]string{scen, impl}
		if _, seen := impls[scen]; !seen {
			order = append(order, scen)
		}
		if data[key] == nil {
			impls[scen] = append(impls[scen], impl)
			data[key] = samples{}
		}
		for unit, v := range values {
			data[key][unit] = append(data[key][unit], v)
		}
	})
	if err != nil {
		return nil, "", err
	}
	for _, scen := range order {
		s := scenario{name: scen, timeUnit: nsPerOp}
		for _, impl := range impls[scen] {
			for _, unit := range perUnits {
				if len(data[[2]string{scen, impl}][unit]) > 0 {
					s.timeUnit = unit
				}
			}
		}
		for _, impl := range impls[scen] {
			d := data[[2]string{scen, impl}]
			res := result{impl: impl, time: median(d[s.timeUnit]), allocs: -1, runs: len(d[s.timeUnit])}
			if res.runs == 0 {
				return nil, "", fmt.Errorf("%s impl=%s: no %s", scen, impl, s.timeUnit)
			}
			if a := d[allocsPerOp]; len(a) > 0 {
				res.allocs = median(a)
				if s.timeUnit != nsPerOp {
					// allocs/op is per stream or close; ns/op over
					// the time per item or task is how many are in one.
					res.allocs *= median(d[s.timeUnit]) / median(d[nsPerOp])
				}
			}
			s.results = append(s.results, res)
		}
		scenarios = append(scenarios, s)
	}
	return scenarios, cpu, nil
}

// scan reads the text output of go test -bench, calls each with the name
// and values of every result line (see parseLine), and returns the first
// cpu line. Other lines are ignored.
func scan(r io.Reader, each func(name string, values map[string]float64)) (cpu string, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "cpu: "); ok && cpu == "" {
			cpu = strings.TrimSpace(c)
			continue
		}
		if name, values, ok := parseLine(line); ok {
			each(name, values)
		}
	}
	return cpu, sc.Err()
}

// parseLine splits a benchmark result line,
//
//	BenchmarkSubmit/limit=8/impl=pond-2  4103520  289.1 ns/op  16 B/op  1 allocs/op
//
// into its name without the GOMAXPROCS suffix and its values by unit.
func parseLine(line string) (name string, values map[string]float64, ok bool) {
	f := strings.Fields(line)
	// Name, iterations, then value-unit pairs.
	if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
		return "", nil, false
	}
	if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
		return "", nil, false
	}
	values = map[string]float64{}
	for i := 2; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return "", nil, false
		}
		values[f[i+1]] = v
	}
	return procSuffix.ReplaceAllString(f[0], ""), values, true
}

// split splits a benchmark name, BenchmarkSubmit/limit=8/impl=pond, into its
// scenario, "Submit limit=8", and its implementation, "pond". It reports
// false for names without an impl= part.
func split(name string) (scen, impl string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
	i := slices.IndexFunc(parts, func(p string) bool { return strings.HasPrefix(p, "impl=") })
	if i < 0 {
		return "", "", false
	}
	impl = strings.TrimPrefix(parts[i], "impl=")
	return strings.Join(slices.Delete(parts, i, i+1), " "), impl, true
}

// median returns the median of v, the mean of the middle two for an even
// count; v must not be empty. It sorts a copy.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
