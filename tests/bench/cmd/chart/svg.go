package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
)

// Layout, in pixels. The chart is a table: one row per implementation,
// grouped by scenario, with the implementation's name, then its time bar,
// then its allocations bar.
const (
	margin    = 16.0
	nameW     = 150.0 // implementation names
	barW      = 230.0 // the longest bar of a scenario
	valueW    = 170.0 // the value label right of a bar
	panelW    = barW + valueW
	headH     = 102.0 // title, subtitles, legend and panel headings
	scenH     = 24.0  // a scenario's heading row
	rowH      = 18.0  // one implementation
	barH      = 12.0
	fontSize  = 12
	titleSize = 16
)

// Colours: ours, peer libraries, hand-written baselines.
const (
	colorOurs     = "#2b6cb0"
	colorPeer     = "#dd6b20"
	colorBaseline = "#718096"
)

// baselines are the implementations that are plain Go rather than a
// library.
var baselines = map[string]bool{"go-waitgroup": true, "handwritten": true}

func color(impl string) string {
	switch {
	case strings.HasPrefix(impl, "nursery"):
		return colorOurs
	case baselines[impl]:
		return colorBaseline
	default:
		return colorPeer
	}
}

// writeSVG draws scenarios as an SVG bar chart to w. In each scenario the
// bars are scaled to its slowest (or most allocating) implementation, so
// that scenarios of very different scales fit in one chart; the labels give
// the absolute value and the multiple of the best one. The output depends
// only on its arguments.
func writeSVG(w io.Writer, scenarios []scenario, cpu string) error {
	rows := 0
	runs := 0
	for _, s := range scenarios {
		rows += len(s.results)
		for _, r := range s.results {
			runs = max(runs, r.runs)
		}
	}
	width := 2*margin + nameW + 2*panelW
	height := 2*margin + headH + float64(len(scenarios))*scenH + float64(rows)*rowH

	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	y := header(p, width, height, "nursery beside peer libraries: cost per task",
		subtitle(runs, cpu, "one op is one task or job; per item or per task where a benchmark reports that (see doc.go)"))
	y += 16
	p(`<text x="%s" y="%s" fill="#4a5568">%s</text>`, num(margin), num(y),
		esc("bars are scaled to the highest value in each scenario; labels give the value and its multiple of the lowest"))
	y += 20
	x := margin
	for _, l := range []struct{ color, text string }{
		{colorOurs, "nursery"}, {colorPeer, "peer library"}, {colorBaseline, "plain Go baseline"},
	} {
		p(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(x), num(y-barH+2), num(barH), num(barH), l.color)
		p(`<text x="%s" y="%s">%s</text>`, num(x+barH+4), num(y), esc(l.text))
		x += barH + 4 + 7*float64(len(l.text)) + 16
	}
	y += 24
	left := margin + nameW
	p(`<text x="%s" y="%s" font-weight="bold">time per op, item or task</text>`, num(left), num(y))
	p(`<text x="%s" y="%s" font-weight="bold">allocations per op, item or task</text>`, num(left+panelW), num(y))
	y = margin + headH

	for _, s := range scenarios {
		y += scenH
		p(`<text x="%s" y="%s" font-weight="bold">%s</text>`, num(margin), num(y-6), esc(s.name))
		p(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#cbd5e0"/>`, num(margin), num(y-2), num(width-margin), num(y-2))
		tmin, tmax := spread(s.results, func(r result) float64 { return r.time })
		amin, amax := spread(s.results, func(r result) float64 { return r.allocs })
		for _, r := range s.results {
			top := y + (rowH-barH)/2
			p(`<text x="%s" y="%s">%s</text>`, num(margin+8), num(y+rowH-5), esc(r.impl))
			bar(p, left, top, r.time, tmax, color(r.impl), duration(r.time)+strings.TrimPrefix(s.timeUnit, "ns")+multiple(r.time, tmin))
			if r.allocs >= 0 {
				unit := strings.TrimPrefix(s.timeUnit, "ns")
				bar(p, left+panelW, top, r.allocs, amax, color(r.impl), count(r.allocs)+" allocs"+unit+multiple(r.allocs, amin))
			}
			y += rowH
		}
	}
	p(`</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// bar draws a bar for v out of vmax at (x, y) with its label.
func bar(p func(string, ...any), x, y, v, vmax float64, fill, label string) {
	w := 0.0
	if vmax > 0 {
		w = max(v/vmax*barW, 1) // a value above zero is never invisible
	}
	if v > 0 {
		p(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(x), num(y), num(w), num(barH), fill)
	}
	p(`<text x="%s" y="%s">%s</text>`, num(x+w+6), num(y+barH-2), esc(label))
}

// spread returns the least and greatest of f over rs, ignoring negative
// values (not reported).
func spread(rs []result, f func(result) float64) (lo, hi float64) {
	lo = -1
	for _, r := range rs {
		v := f(r)
		if v < 0 {
			continue
		}
		if lo < 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo, hi
}

// multiple formats v as a multiple of the lowest value lo, or nothing when
// that has no meaning (a lowest of zero).
func multiple(v, lo float64) string {
	if lo <= 0 {
		return ""
	}
	return fmt.Sprintf("  %.2f×", v/lo)
}

// duration formats nanoseconds with a unit that keeps three digits or so.
func duration(ns float64) string {
	// The bounds are where %.3g would round up to 1e+03.
	switch {
	case ns < 999.5:
		return fmt.Sprintf("%.3g ns", ns)
	case ns < 999.5e3:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	case ns < 999.5e6:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	default:
		return fmt.Sprintf("%.3g s", ns/1e9)
	}
}

// count formats an allocation count: whole numbers as they are, fractions
// (medians, per item) with up to three significant digits.
func count(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v < 0.01:
		// A few allocations per stream of many items: 1.2e-04 is
		// shorter than 0.000119.
		return strconv.FormatFloat(v, 'e', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// num formats a coordinate with at most one decimal.
// header writes the opening of a chart, width by height: the svg element,
// a background of its own (so that the chart reads on dark pages too), the
// title and the subtitle. It returns the y of the subtitle's baseline.
func header(p func(string, ...any), width, height float64, title, sub string) float64 {
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif" font-size="%d">`,
		num(width), num(height), num(width), num(height), fontSize)
	p(`<rect width="100%%" height="100%%" fill="#ffffff"/>`)
	y := margin + titleSize
	p(`<text x="%s" y="%s" font-size="%d" font-weight="bold">%s</text>`, num(margin), num(y), titleSize, esc(title))
	y += 18
	p(`<text x="%s" y="%s" fill="#4a5568">%s</text>`, num(margin), num(y), esc(sub))
	return y
}

// subtitle says how many runs a chart's medians are of, on which CPU, and
// then what its reader needs to know.
func subtitle(runs int, cpu, more string) string {
	sub := fmt.Sprintf("medians of %d runs", runs)
	if cpu != "" {
		sub += " on " + cpu
	}
	return sub + "; " + more
}

func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// esc escapes text for XML.
func esc(s string) string { return html.EscapeString(s) }
