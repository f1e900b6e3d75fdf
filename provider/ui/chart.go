package ui

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// Charts are drawn here, as inline SVG: no script, no library, and they
// print, scale and read the same in every browser.

// chartRanges are the time ranges a chart offers, by the name the page's
// range parameter takes; zero means all records (the latest chartMax).
var chartRanges = []struct {
	Name  string
	Label string
	D     time.Duration
}{
	{"1h", "last hour", time.Hour},
	{"6h", "last 6 hours", 6 * time.Hour},
	{"24h", "last 24 hours", 24 * time.Hour},
	{"7d", "last 7 days", 7 * 24 * time.Hour},
	{"30d", "last 30 days", 30 * 24 * time.Hour},
	{"all", "latest records", 0},
}

// chartMax bounds the records a chart reads.
const chartMax = 1000

// lineChart draws ps (oldest first) as a line with a dot per value, axes
// with the value range and the time span. Each dot has a title with its
// time and value, for pointer and screen reader alike.
func lineChart(ps []point, width, height int, label, unit string) template.HTML {
	const left, right, top, bottom = 56, 12, 12, 40
	var b strings.Builder
	id := "chart-" + strconv.Itoa(len(ps)) + "-" + strconv.Itoa(int(math.Abs(float64(hashString(label)))))
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="%s-t" data-points="%d">`, width, height, id, len(ps))
	fmt.Fprintf(&b, `<title id="%s-t">%s: %d values</title>`, id, html.EscapeString(label), len(ps))
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%g" height="%g" class="plot"/>`, left, top, pw, ph)
	if len(ps) == 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" class="empty">no values in this range</text></svg>`, float64(left)+pw/2, float64(top)+ph/2)
		return template.HTML(b.String())
	}
	lo, hi := ps[0].V, ps[0].V
	for _, p := range ps {
		lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
	}
	if lo > 0 && lo < hi/2 {
		lo = 0
	}
	if hi == lo {
		hi, lo = hi+1, lo-1
		if lo < 0 && ps[0].V >= 0 {
			lo = 0
		}
	}
	t0, t1 := ps[0].T, ps[len(ps)-1].T
	span := t1.Sub(t0)
	x := func(t time.Time) float64 {
		if span <= 0 {
			return float64(left) + pw/2
		}
		return float64(left) + pw*float64(t.Sub(t0))/float64(span)
	}
	y := func(v float64) float64 { return float64(top) + ph*(1-(v-lo)/(hi-lo)) }
	// Value grid: low, middle, high.
	for _, v := range []float64{lo, (lo + hi) / 2, hi} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%g" y1="%.1f" y2="%.1f" class="grid"/>`, left, float64(left)+pw, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle" class="axis">%s</text>`, left-6, y(v), html.EscapeString(formatValue(v)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis">%s</text>`, left, height-bottom+18, html.EscapeString(t0.Format("2006-01-02 15:04")))
	fmt.Fprintf(&b, `<text x="%g" y="%d" text-anchor="end" class="axis">%s</text>`, float64(left)+pw, height-bottom+18, html.EscapeString(t1.Format("2006-01-02 15:04")))
	if unit != "" {
		fmt.Fprintf(&b, `<text x="%g" y="%d" text-anchor="middle" class="axis unit">%s</text>`, float64(left)+pw/2, height-6, html.EscapeString(unit))
	}
	var pts []string
	for _, p := range ps {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.T), y(p.V)))
	}
	fmt.Fprintf(&b, `<polyline points="%s" class="line"/>`, strings.Join(pts, " "))
	if len(ps) <= 300 {
		for _, p := range ps {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" class="pt"><title>%s: %s</title></circle>`, x(p.T), y(p.V), html.EscapeString(p.T.Format(time.RFC3339)), html.EscapeString(formatValue(p.V)+" "+unit))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// sparkline draws ps as a small line without axes.
func sparkline(ps []point, width, height int, label string) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s" data-points="%d">`, width, height, width, height, html.EscapeString(label), len(ps))
	if len(ps) > 0 {
		lo, hi := ps[0].V, ps[0].V
		for _, p := range ps {
			lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
		}
		if hi == lo {
			hi, lo = hi+1, lo-1
		}
		var pts []string
		for i, p := range ps {
			xx := float64(width) / 2
			if len(ps) > 1 {
				xx = 2 + float64(width-4)*float64(i)/float64(len(ps)-1)
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xx, 2+float64(height-4)*(1-(p.V-lo)/(hi-lo))))
		}
		fmt.Fprintf(&b, `<polyline points="%s" class="line"/>`, strings.Join(pts, " "))
		last := strings.Split(pts[len(pts)-1], ",")
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" class="pt"/>`, last[0], last[1])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func formatValue(v float64) string {
	switch {
	case math.Abs(v) >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 2, 64) + "G"
	case math.Abs(v) >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case math.Abs(v) >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func hashString(s string) int32 {
	var h int32 = 7
	for _, c := range s {
		h = h*31 + c
	}
	return h
}
