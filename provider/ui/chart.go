package ui

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Charts are drawn here, as inline SVG: no library, and they print, scale
// and read the same in every browser, with or without script. Each chart
// is drawn twice, for wide and for narrow screens (CSS shows one), so that
// its text keeps its size on a phone instead of shrinking with the
// drawing. console.js adds hover values and drag zoom.

// chartRanges are the time ranges a chart offers, by the name the page's
// range parameter takes; zero means all records (the latest chartMax).
var chartRanges = []struct {
	Name  string
	Label string
	D     time.Duration
}{
	{"1h", "Last hour", time.Hour},
	{"6h", "Last 6 hours", 6 * time.Hour},
	{"24h", "Last day", 24 * time.Hour},
	{"7d", "Last week", 7 * 24 * time.Hour},
	{"30d", "Last 30 days", 30 * 24 * time.Hour},
	{"all", "Latest records", 0},
}

// chartMax bounds the records a chart reads.
const chartMax = 1000

// maxDots is how many values of a series a chart marks with a dot (and a
// hover title); more are a line only, their values in data attributes.
const maxDots = 300

// A chartSeries is one metric's line.
type chartSeries struct {
	Label  string
	Unit   unit
	Points []point // oldest first
	Class  string  // s0…s5: its colour
}

// A chartLayout is the size a chart is drawn at, in CSS pixels at its
// natural width.
type chartLayout struct {
	Name          string // "wide" or "narrow"
	Width, Height int
	Font          int // axis text size
	TimeTicks     int // at most
	ValueTicks    int
}

var (
	wideChart   = chartLayout{"wide", 760, 260, 12, 7, 5}
	narrowChart = chartLayout{"narrow", 340, 220, 12, 3, 4}
)

// The margins of the plot inside a chart, which the status timeline
// shares so that their times line up.
const plotLeft, plotRight, plotTop, plotBottom = 70, 14, 10, 26

// timeChart draws series of one unit over [from, to] in loc.
func timeChart(id string, lay chartLayout, ss []chartSeries, from, to time.Time, loc *time.Location) template.HTML {
	var b strings.Builder
	n := 0
	for _, s := range ss {
		n += len(s.Points)
	}
	label := ""
	for i, s := range ss {
		if i > 0 {
			label += ", "
		}
		label += s.Label
	}
	fmt.Fprintf(&b, `<svg class="chart %s" id="%s-%s" viewBox="0 0 %d %d" width="%d" height="%d" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="%s-%s-t" data-points="%d" data-t0="%d" data-t1="%d" data-left="%d" data-right="%d" data-tz="%s">`,
		lay.Name, id, lay.Name, lay.Width, lay.Height, lay.Width, lay.Height, id, lay.Name, n, from.UnixMilli(), to.UnixMilli(), plotLeft, lay.Width-plotRight, html.EscapeString(loc.String()))
	fmt.Fprintf(&b, `<title id="%s-%s-t">%s: %d values</title>`, id, lay.Name, html.EscapeString(label), n)
	pw, ph := float64(lay.Width-plotLeft-plotRight), float64(lay.Height-plotTop-plotBottom)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%g" height="%g" class="plot"/>`, plotLeft, plotTop, pw, ph)
	font := fmt.Sprintf(` font-size="%d"`, lay.Font)
	x := timeScale(from, to, float64(plotLeft), pw)
	if n == 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" class="empty"%s>No values in this range</text>`, float64(plotLeft)+pw/2, float64(plotTop)+ph/2, font)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, p := range s.Points {
			lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
		}
	}
	if n == 0 {
		lo, hi = 0, 1
	}
	u := unit{}
	if len(ss) > 0 {
		u = ss[0].Unit
	}
	if lo > 0 {
		lo = 0 // amounts read against zero
	}
	div, _ := u.scale(math.Max(math.Abs(lo), math.Abs(hi)))
	ticks := niceTicks(lo/div, hi/div, lay.ValueTicks)
	lo, hi = ticks[0]*div, ticks[len(ticks)-1]*div
	y := func(v float64) float64 { return float64(plotTop) + ph*(1-(v-lo)/(hi-lo)) }
	for _, t := range ticks {
		v := t * div
		fmt.Fprintf(&b, `<line x1="%d" x2="%g" y1="%.1f" y2="%.1f" class="grid"/>`, plotLeft, float64(plotLeft)+pw, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle" class="axis"%s>%s</text>`, plotLeft-6, y(v), font, html.EscapeString(u.formatAt(t, div)))
	}
	for _, tk := range timeTicks(from, to, loc, lay.TimeTicks) {
		xx := x(tk.T)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%g" class="grid"/>`, xx, xx, plotTop, float64(plotTop)+ph)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" class="axis"%s>%s</text>`, xx, lay.Height-plotBottom+lay.Font+4, font, html.EscapeString(tk.Label))
	}
	for _, s := range ss {
		for _, run := range runs(s.Points) {
			var pts []string
			for _, p := range run {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.T), y(p.V)))
			}
			if len(run) == 1 {
				pts = append(pts, pts[0])
			}
			fmt.Fprintf(&b, `<polyline points="%s" class="line %s"/>`, strings.Join(pts, " "), s.Class)
		}
		if len(s.Points) > maxDots {
			// Too many for dots: the values ride along for console.js's
			// hover, as seconds after from and formatted values.
			ts := make([]string, len(s.Points))
			vs := make([]string, len(s.Points))
			for i, p := range s.Points {
				ts[i] = strconv.FormatFloat(p.T.Sub(from).Seconds(), 'f', -1, 64)
				vs[i] = s.Unit.format(p.V)
			}
			fmt.Fprintf(&b, `<g class="data %s" data-label="%s" data-t="%s" data-v="%s"/>`, s.Class, html.EscapeString(s.Label), strings.Join(ts, ","), html.EscapeString(strings.Join(vs, "|")))
		} else {
			for _, p := range s.Points {
				text := s.Label + " " + s.Unit.format(p.V) + " at " + humanTime(p.T, loc, to)
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" class="pt %s" data-t="%d" data-v="%s"><title>%s</title></circle>`,
					x(p.T), y(p.V), s.Class, p.T.UnixMilli(), html.EscapeString(s.Label+": "+s.Unit.format(p.V)), html.EscapeString(text))
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// timeScale maps times in [from, to] to x in [left, left+w].
func timeScale(from, to time.Time, left, w float64) func(time.Time) float64 {
	span := to.Sub(from)
	return func(t time.Time) float64 {
		if span <= 0 {
			return left + w/2
		}
		return left + w*float64(t.Sub(from))/float64(span)
	}
}

// runs splits ps where values are missing: a gap of more than four times
// the usual spacing is not drawn across.
func runs(ps []point) [][]point {
	if len(ps) < 3 {
		return [][]point{ps}
	}
	gaps := make([]time.Duration, 0, len(ps)-1)
	for i := 1; i < len(ps); i++ {
		gaps = append(gaps, ps[i].T.Sub(ps[i-1].T))
	}
	sorted := append([]time.Duration(nil), gaps...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	limit := 4 * sorted[len(sorted)/2]
	var out [][]point
	start := 0
	for i, g := range gaps {
		if limit > 0 && g > limit {
			out = append(out, ps[start:i+1])
			start = i + 1
		}
	}
	return append(out, ps[start:])
}

// niceTicks returns round values from at most lo to at least hi, about n
// of them, a step of 1, 2 or 5 times a power of ten apart.
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(max(n-1, 1))
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * p
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	start := math.Floor(lo/step) * step
	var out []float64
	for v := start; v < hi+step/2 && len(out) < 50; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	if out[len(out)-1] < hi {
		out = append(out, out[len(out)-1]+step)
	}
	return out
}

// formatAt writes the tick value t, already divided by div, with the
// unit's prefix of div.
func (u unit) formatAt(t, div float64) string {
	_, prefix := u.scale(div)
	s := roundText(t)
	sym := prefix + u.Symbol
	if sym == "" {
		return s
	}
	if u.Symbol == "%" {
		return s + "%"
	}
	return s + " " + sym
}

// A timeTick is a round time on a chart's axis.
type timeTick struct {
	T     time.Time
	Label string
}

// tickSteps are the spacings time axes choose from.
var tickSteps = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour,
}

// timeTicks returns at most n round times in [from, to] as loc's wall
// clock reads them: whole minutes, hours or days after local midnight.
func timeTicks(from, to time.Time, loc *time.Location, n int) []timeTick {
	span := to.Sub(from)
	if span <= 0 || n < 1 {
		return nil
	}
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s < time.Duration(n) {
			step = s
			break
		}
	}
	f := from.In(loc)
	day := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	var out []timeTick
	for i := 0; i < 1000 && len(out) < n+1; i++ {
		var t time.Time
		if step >= 24*time.Hour {
			days := int(step / (24 * time.Hour))
			t = day.AddDate(0, 0, i*days)
		} else {
			t = day.Add(time.Duration(i) * step)
			// Wall-clock steps within the day, across a change of offset.
			if step >= time.Hour {
				h := int(time.Duration(i) * step / time.Hour)
				t = time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, loc)
			}
		}
		if t.Before(from) {
			// Skip ahead instead of walking a long range one step at a time.
			if skip := int(from.Sub(t)/step) - 1; skip > 1 && step < 24*time.Hour {
				i += skip - 1
			}
			continue
		}
		if t.After(to) {
			break
		}
		label := t.Format("15:04")
		if step >= 24*time.Hour || t.Hour() == 0 && t.Minute() == 0 {
			label = t.Format("2 Jan")
		}
		out = append(out, timeTick{T: t, Label: label})
	}
	return out
}

// A statusSpan is the availability of a resource from one record to the
// next.
type statusSpan struct {
	From, To time.Time
	Status   string // local name: Running, NotRunning, Unknown
}

// statusTimeline draws spans over [from, to] as one bar, coloured by
// status, aligned with the charts of the same layout.
func statusTimeline(id string, lay chartLayout, spans []statusSpan, from, to time.Time, loc *time.Location) template.HTML {
	var b strings.Builder
	const h = 30
	fmt.Fprintf(&b, `<svg class="timeline %s" id="%s-%s" viewBox="0 0 %d %d" width="%d" height="%d" preserveAspectRatio="xMinYMin meet" role="img" aria-label="Availability over time, %d periods" data-spans="%d">`,
		lay.Name, id, lay.Name, lay.Width, h, lay.Width, h, len(spans), len(spans))
	pw := float64(lay.Width - plotLeft - plotRight)
	x := timeScale(from, to, float64(plotLeft), pw)
	fmt.Fprintf(&b, `<text x="%d" y="19" text-anchor="end" class="axis" font-size="%d">Status</text>`, plotLeft-6, lay.Font)
	fmt.Fprintf(&b, `<rect x="%d" y="4" width="%g" height="22" class="plot"/>`, plotLeft, pw)
	for _, s := range spans {
		a, z := s.From, s.To
		if a.Before(from) {
			a = from
		}
		if z.After(to) {
			z = to
		}
		if !z.After(a) {
			continue
		}
		w := math.Max(x(z)-x(a), 1)
		fmt.Fprintf(&b, `<rect x="%.1f" y="4" width="%.1f" height="22" class="st st-%s"><title>%s from %s to %s</title></rect>`,
			x(a), w, strings.ToLower(s.Status), html.EscapeString(termLabel(pmStatus(s.Status))), html.EscapeString(humanTime(a, loc, to)), html.EscapeString(humanTime(z, loc, to)))
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
		b.WriteString(`<polyline points="`)
		var lx, ly float64
		for i, p := range ps {
			lx = float64(width) / 2
			if len(ps) > 1 {
				lx = 2 + float64(width-4)*float64(i)/float64(len(ps)-1)
			}
			ly = 2 + float64(height-4)*(1-(p.V-lo)/(hi-lo))
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatFloat(lx, 'f', 0, 64) + "," + strconv.FormatFloat(ly, 'f', 0, 64))
		}
		b.WriteString(`" class="line"/>`)
		fmt.Fprintf(&b, `<circle cx="%.0f" cy="%.0f" r="2.5" class="pt"/>`, lx, ly)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
