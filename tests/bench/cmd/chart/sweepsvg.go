package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Layout of the sweep chart, in pixels: a row per implementation, each
// with a panel of ns/item and a panel of peak heap against items.
const (
	sweepHeadH = 76.0  // title, subtitles and legend
	plotW      = 330.0 // the plotting area of a panel
	plotH      = 170.0
	axisW      = 64.0 // y tick labels, left of the plot
	axisH      = 34.0 // x tick labels and axis title, below the plot
	titleH     = 22.0 // the panel's title, above the plot
	gapW       = 24.0 // between panels
	gapH       = 14.0 // between rows
	dotR       = 3.0
	mib        = 1 << 20
)

// workerColors tell the worker counts apart, fewest workers first.
var workerColors = []string{"#2b6cb0", "#38a169", "#dd6b20", "#c53030", "#805ad5", "#718096"}

// A panel is one of the two measures drawn against items.
type panel struct {
	title string
	value func(point) float64
	unit  float64              // ticks are multiples of 1, 2 or 5 of a power of ten of this
	label func(float64) string // tick labels
}

var panels = []panel{
	{"time per item", func(p point) float64 { return p.time }, 1, duration},
	{"peak heap in use", func(p point) float64 { return p.heap }, mib, bytesLabel},
}

// writeSweepSVG draws families as line charts to w: for each implementation
// a row of two panels, ns/item and peak heap against items on a log scale,
// a line per worker count. The y axes start at zero and each measure has
// one scale for all implementations, so that rows compare at a glance. The
// output depends only on its arguments.
func writeSweepSVG(w io.Writer, families []family, cpu string) error {
	var workers, items []int
	runs := 0
	for _, f := range families {
		for _, c := range f.curves {
			workers = append(workers, c.workers)
			for _, p := range c.points {
				items = append(items, p.items)
				runs = max(runs, p.runs)
			}
		}
	}
	slices.Sort(workers)
	workers = slices.Compact(workers)
	slices.Sort(items)
	items = slices.Compact(items)
	tops := make([]float64, len(panels))
	for i, pn := range panels {
		hi := 0.0
		for _, f := range families {
			for _, c := range f.curves {
				for _, p := range c.points {
					hi = max(hi, pn.value(p))
				}
			}
		}
		tops[i] = niceStep(hi, pn.unit) * math.Ceil(hi/niceStep(hi, pn.unit))
	}

	panelW := axisW + plotW + gapW
	rowH := titleH + plotH + axisH + gapH
	width := 2*margin + 2*panelW
	height := 2*margin + sweepHeadH + float64(len(families))*rowH

	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	y := header(p, width, height, "ordered streams: cost per item and peak heap against the length of the stream",
		subtitle(runs, cpu, "one op is one stream; items on a log scale; y axes from zero, one scale per measure"))
	y += 22
	x := margin
	for i, n := range workers {
		label := fmt.Sprintf("workers=%d", n)
		p(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"/>`, num(x), num(y-4), num(x+18), num(y-4), workerColor(i))
		p(`<text x="%s" y="%s">%s</text>`, num(x+22), num(y), esc(label))
		x += 22 + 7*float64(len(label)) + 16
	}

	for r, f := range families {
		top := margin + sweepHeadH + float64(r)*rowH
		for i, pn := range panels {
			left := margin + float64(i)*panelW + axisW
			plot := frame{left: left, top: top + titleH, items: items, ymax: tops[i]}
			p(`<text x="%s" y="%s" font-weight="bold">%s</text>`, num(left), num(top+titleH-8), esc(f.impl+": "+pn.title))
			plot.axes(p, pn)
			for _, c := range f.curves {
				color := workerColor(slices.Index(workers, c.workers))
				var pts []string
				for _, pt := range c.points {
					pts = append(pts, num(plot.x(pt.items))+","+num(plot.y(pn.value(pt))))
				}
				// A group per line, named for tests and for readers of the
				// source; the title shows on hover.
				p(`<g class="series" data-impl="%s" data-workers="%d" data-measure="%s" stroke="%s" fill="%s">`,
					esc(f.impl), c.workers, esc(pn.title), color, color)
				p(`<title>%s</title>`, esc(fmt.Sprintf("%s workers=%d %s", f.impl, c.workers, pn.title)))
				p(`<polyline points="%s" fill="none" stroke-width="2"/>`, strings.Join(pts, " "))
				for _, pt := range c.points {
					p(`<circle cx="%s" cy="%s" r="%s"><title>%s</title></circle>`, num(plot.x(pt.items)), num(plot.y(pn.value(pt))), num(dotR),
						esc(fmt.Sprintf("%s items: %s", itemsLabel(pt.items), pn.label(pn.value(pt)))))
				}
				p(`</g>`)
			}
		}
	}
	p(`</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// A frame maps items (log scale) and values (linear, from zero to ymax)
// to a panel's plotting area.
type frame struct {
	left, top float64
	items     []int // the ticks of the x axis, ascending
	ymax      float64
}

func (f frame) x(items int) float64 {
	lo, hi := math.Log10(float64(f.items[0])), math.Log10(float64(f.items[len(f.items)-1]))
	if hi == lo {
		return f.left + plotW/2
	}
	// A margin of a twentieth at each end keeps the dots off the axes.
	return f.left + plotW*(0.05+0.9*(math.Log10(float64(items))-lo)/(hi-lo))
}

func (f frame) y(v float64) float64 {
	if f.ymax <= 0 {
		return f.top + plotH
	}
	return f.top + plotH*(1-v/f.ymax)
}

// axes draws the frame's grid, ticks and labels.
func (f frame) axes(p func(string, ...any), pn panel) {
	bottom := f.top + plotH
	if f.ymax > 0 {
		step := niceStep(f.ymax, pn.unit)
		for v := 0.0; v <= f.ymax*(1+1e-9); v += step {
			p(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e2e8f0"/>`, num(f.left), num(f.y(v)), num(f.left+plotW), num(f.y(v)))
			p(`<text x="%s" y="%s" text-anchor="end" fill="#4a5568">%s</text>`, num(f.left-6), num(f.y(v)+4), esc(pn.label(v)))
		}
	}
	for _, n := range f.items {
		p(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e2e8f0"/>`, num(f.x(n)), num(f.top), num(f.x(n)), num(bottom))
		p(`<text x="%s" y="%s" text-anchor="middle" fill="#4a5568">%s</text>`, num(f.x(n)), num(bottom+15), esc(itemsLabel(n)))
	}
	p(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#a0aec0"/>`, num(f.left), num(f.top), num(plotW), num(plotH))
	p(`<text x="%s" y="%s" text-anchor="middle" fill="#4a5568">items per stream</text>`, num(f.left+plotW/2), num(bottom+30))
}

// niceStep returns a step of 1, 2 or 5 times a power of ten times unit
// that divides 0 to hi into about five ticks (unit for hi of zero).
func niceStep(hi, unit float64) float64 {
	raw := hi / unit / 5
	if raw <= 0 {
		return unit
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			return m * mag * unit
		}
	}
	return 10 * mag * unit
}

// itemsLabel formats a count of items: 1k, 10k, 1M, 1.5M.
func itemsLabel(n int) string {
	switch {
	case n >= 1e6 && n%1e5 == 0:
		return fmt.Sprintf("%gM", float64(n)/1e6)
	case n >= 1e3 && n%100 == 0:
		return fmt.Sprintf("%gk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// bytesLabel formats a byte count in MiB, or KiB below one MiB.
func bytesLabel(v float64) string {
	if v != 0 && v < mib {
		return fmt.Sprintf("%.3g KiB", v/1024)
	}
	return fmt.Sprintf("%.3g MiB", v/mib)
}

// workerColor returns the colour of the i-th smallest worker count.
func workerColor(i int) string { return workerColors[i%len(workerColors)] }
