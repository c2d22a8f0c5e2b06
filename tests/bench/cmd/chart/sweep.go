package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// peakHeap is the unit of the peak heap in use that stream benchmarks
// report (see streamBench in tests/bench).
const peakHeap = "peak-heap-B"

// A point is the medians of one implementation's runs at one worker count
// and one stream length.
type point struct {
	items int
	time  float64 // ns/item
	heap  float64 // peak heap in use, bytes
	runs  int
}

// A curve is one implementation at one worker count, its points by items.
type curve struct {
	workers int
	points  []point
}

// A family is the curves of one implementation, by workers.
type family struct {
	impl   string
	curves []curve
}

// A sweepKey names one row of a sweep.
type sweepKey struct {
	impl           string
	workers, items int
}

// parseSweep reads the text output of go test -bench and returns the
// medians of every benchmark whose sub-benchmark name is made of an impl=,
// a workers= and an items= part, in any order: one family per
// implementation in the order they first appear, curves by workers and
// points by items, ascending, and the machine's cpu line. Other lines are
// ignored. Every row must report ns/item and peak-heap-B.
func parseSweep(r io.Reader) (families []family, cpu string, err error) {
	var impls []string
	data := map[sweepKey]samples{}
	cpu, err = scan(r, func(name string, values map[string]float64) {
		k, ok := splitSweep(name)
		if !ok {
			return
		}
		if !slices.Contains(impls, k.impl) {
			impls = append(impls, k.impl)
		}
		if data[k] == nil {
			data[k] = samples{}
		}
		for unit, v := range values {
			data[k][unit] = append(data[k][unit], v)
		}
	})
	if err != nil {
		return nil, "", err
	}
	// Sorted keys, so that the order of curves and points does not depend
	// on the order of the runs.
	keys := slices.SortedFunc(func(yield func(sweepKey) bool) {
		for k := range data {
			if !yield(k) {
				return
			}
		}
	}, func(a, b sweepKey) int {
		return cmp.Or(cmp.Compare(a.workers, b.workers), cmp.Compare(a.items, b.items))
	})
	for _, impl := range impls {
		f := family{impl: impl}
		for _, k := range keys {
			if k.impl != impl {
				continue
			}
			d := data[k]
			if len(d[nsPerItem]) == 0 || len(d[peakHeap]) == 0 {
				return nil, "", fmt.Errorf("impl=%s workers=%d items=%d: no %s or no %s", k.impl, k.workers, k.items, nsPerItem, peakHeap)
			}
			if n := len(f.curves); n == 0 || f.curves[n-1].workers != k.workers {
				f.curves = append(f.curves, curve{workers: k.workers})
			}
			c := &f.curves[len(f.curves)-1]
			c.points = append(c.points, point{items: k.items, time: median(d[nsPerItem]), heap: median(d[peakHeap]), runs: len(d[nsPerItem])})
		}
		families = append(families, f)
	}
	return families, cpu, nil
}

// splitSweep splits a benchmark name,
// BenchmarkStreamScale/impl=nursery-map/workers=8/items=1000, into its
// key. It reports false unless the name has exactly the three parts after
// the benchmark's own, with whole numbers for workers and items.
func splitSweep(name string) (k sweepKey, ok bool) {
	parts := strings.Split(name, "/")
	if len(parts) != 4 {
		return k, false
	}
	for _, p := range parts[1:] {
		key, v, _ := strings.Cut(p, "=")
		n, err := strconv.Atoi(v)
		switch {
		case key == "impl" && v != "":
			k.impl = v
		case key == "workers" && err == nil:
			k.workers = n
		case key == "items" && err == nil:
			k.items = n
		default:
			return k, false
		}
	}
	// Three parts and all three keys set: each came once.
	return k, k.impl != "" && k.workers > 0 && k.items > 0
}
