package ui

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A monitored resource's page: its availability over time, charts of its
// metrics, its jobs, alarms and latest records. The window is a range
// (last hour, day, week) or from/to (a custom range, or a zoom that
// console.js makes by dragging); times read in the chosen time zone.

var resourceTmpl = template.Must(template.New("resource").Parse(`<form method="get" class="chart-controls" id="chart-controls" aria-label="Chart settings" data-tz="{{.Zone}}"{{if .ZoneGiven}} data-tz-given{{end}}>
<fieldset class="metrics-pick"><legend>Metrics</legend>{{range .Metrics}}<label class="check"><input type="checkbox" name="metric" value="{{.Value}}"{{if .Selected}} checked{{end}}> {{.Label}}</label>{{end}}</fieldset>
<div><label for="range">Time range</label><select id="range" name="range">{{range .Ranges}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select></div>
<div><label for="from">From</label><input id="from" name="from" type="datetime-local" step="60" value="{{.FromValue}}"></div>
<div><label for="to">To</label><input id="to" name="to" type="datetime-local" step="60" value="{{.ToValue}}"></div>
<div><label for="tz">Time zone</label><select id="tz" name="tz">{{range .Zones}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select></div>
<button type="submit">Show</button>
</form>
<div id="resource-live" data-live>
<p class="summary">Status <span class="status {{.StatusClass}}">{{.Status}}</span>{{if .Seen}} · last record {{.Seen}}{{end}}</p>
{{if .AlarmsOn}}<section aria-labelledby="alarms-h" class="alarms"><h2 id="alarms-h">Active alarms</h2>
{{if .Alarms}}<ul class="alarm-list">{{range .Alarms}}<li class="sev-{{.Severity}}"><strong>{{.Severity}}</strong> <a href="{{.ID}}">{{.Title}}</a></li>{{end}}</ul>{{else}}<p>No active alarms.</p>{{end}}</section>{{end}}
<section class="metrics" aria-labelledby="metrics-h">
<h2 id="metrics-h">Metrics over time</h2>
<p class="window">{{.Window}}, times in {{.Zone}}.{{if .Zoomed}} <a href="{{.Reset}}">Reset zoom</a>{{end}} <span class="hint-js">Drag across a chart to zoom.</span></p>
{{if .HasData}}<figure class="timeline-fig"><figcaption>Availability</figcaption>{{.TimelineWide}}{{.TimelineNarrow}}
<ul class="legend">{{range .StatusKeys}}<li><span class="swatch st-{{.Href}}"></span>{{.Title}}</li>{{end}}</ul></figure>
{{range .Charts}}<figure class="chart-fig" data-chart><figcaption>{{.Caption}}</figcaption>
<div class="chart-box">{{.Wide}}{{.Narrow}}</div>
<ul class="legend">{{range .Legend}}<li><span class="swatch {{.Class}}"></span>{{.Label}}{{if .Last}}: <strong>{{.Last}}</strong>{{end}}{{if .Range}} <small>({{.Range}})</small>{{end}}</li>{{end}}</ul>
</figure>
{{end}}{{else}}<p class="empty-state">No records with measures {{if .Zoomed}}in this range{{else}}yet{{end}}. Records appear here as a measurement job or an agent writes them: <a href="{{.CreateJob}}">create a measurement job</a>.</p>{{end}}
</section>
{{.Jobs}}
{{.Records}}
</div>
`))

type legendItem struct {
	Label, Class, Last, Range string
}

type chartFig struct {
	Caption      string
	Wide, Narrow template.HTML
	Legend       []legendItem
}

// window is the time range a resource page shows.
type window struct {
	from, to time.Time
	rng      string // chartRanges name, "" for a custom range
}

// pageWindow reads the range, from, to and tz parameters; "all" reads
// back to the first of the latest records.
func (s *Server) pageWindow(q url.Values, loc *time.Location) window {
	now := s.api.Now()
	parse := func(v string) (time.Time, bool) {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, true
		}
		if t, err := time.ParseInLocation("2006-01-02T15:04", v, loc); err == nil {
			return t, true
		}
		return time.Time{}, false
	}
	for _, cr := range chartRanges {
		if cr.Name == q.Get("range") {
			if cr.D == 0 {
				return window{to: now, rng: "all"}
			}
			return window{from: now.Add(-cr.D), to: now, rng: cr.Name}
		}
	}
	f, okf := parse(q.Get("from"))
	t, okt := parse(q.Get("to"))
	if okf || okt {
		if !okt {
			t = now
		}
		if !okf {
			f = t.Add(-24 * time.Hour)
		}
		if t.After(f) {
			return window{from: f, to: t}
		}
	}
	return window{to: now, rng: "all"}
}

func (s *Server) resourceExtras(buf *bytes.Buffer, r *http.Request, id string) error {
	ctx := r.Context()
	q := r.URL.Query()
	iri, ok := iriOf(id)
	if !ok {
		return nil
	}
	now := s.api.Now()
	jobs, zone, err := s.resourceJobs(ctx, r, iri)
	if err != nil {
		return err
	}
	// Without a tz parameter the page reads in its jobs' zone, or UTC;
	// console.js then asks for the viewer's own.
	tz := q.Get("tz")
	given := tz != ""
	if tz == "" {
		tz = zone
	}
	loc, tz := zoneOf(tz)
	w := s.pageWindow(q, loc)
	d := struct {
		Metrics, Ranges, Zones           []option
		FromValue, ToValue, Zone, Window string
		Status, StatusClass, CreateJob   string
		Reset                            string
		Seen                             template.HTML
		Zoomed, HasData, AlarmsOn        bool
		ZoneGiven                        bool // by the tz parameter, not the default
		Alarms                           []Alarm
		TimelineWide, TimelineNarrow     template.HTML
		StatusKeys                       []link
		Charts                           []chartFig
		Jobs, Records                    template.HTML
	}{Zone: tz, ZoneGiven: given, CreateJob: s.URL("/ui/create/jobs"), Zoomed: w.rng == "", Jobs: jobs}
	for _, cr := range chartRanges {
		d.Ranges = append(d.Ranges, option{Value: cr.Name, Label: cr.Label, Selected: cr.Name == w.rng})
	}
	d.Ranges = append(d.Ranges, option{Value: "custom", Label: "Custom: from, to", Selected: w.rng == ""})
	var zs []string
	if zone != "" && zone != "UTC" {
		zs = append(zs, zone)
	}
	zs = append(zs, zones...)
	zs = append(zs, tz) // a zone the viewer asked for, if none of these
	seen := map[string]bool{}
	for _, z := range zs {
		if !seen[z] {
			seen[z] = true
			label := z
			if z == zone && z != "UTC" {
				label += " (its jobs' zone)"
			}
			d.Zones = append(d.Zones, option{Value: z, Label: label, Selected: z == tz})
		}
	}
	// The metrics to choose from are those of the latest records, whatever
	// the window.
	latest, err := s.metricSeries(ctx, id, time.Time{}, time.Time{}, 200)
	if err != nil {
		return err
	}
	sr, err := s.metricSeries(ctx, id, w.from, w.to, chartMax)
	if err != nil {
		return err
	}
	st, at := latest.latestStatus()
	d.Status, d.StatusClass = statusText(st, len(latest.metrics) > 0)
	if at.IsZero() {
		at = latest.lastTime()
	}
	if !at.IsZero() {
		d.Seen = timeHTML(at, loc, now)
	}
	if w.from.IsZero() {
		w.from = sr.firstTime()
		if w.from.IsZero() || !w.to.After(w.from) {
			w.from = w.to.Add(-time.Hour)
		}
	}
	d.FromValue, d.ToValue = w.from.In(loc).Format("2006-01-02T15:04"), w.to.In(loc).Format("2006-01-02T15:04")
	d.Window = humanTime(w.from, loc, now) + " to " + humanTime(w.to, loc, now)
	reset := url.Values{}
	for _, k := range []string{"metric", "tz"} {
		if vs, ok := q[k]; ok {
			reset[k] = vs
		}
	}
	d.Reset = "?" + reset.Encode()
	chosen := map[string]bool{}
	for _, m := range q["metric"] {
		if _, ok := latest.points[m]; ok {
			chosen[m] = true
		}
	}
	if len(chosen) == 0 {
		for _, m := range latest.keyMetrics(6) {
			chosen[m] = true
		}
	}
	for _, m := range latest.metrics {
		d.Metrics = append(d.Metrics, option{Value: m, Label: termLabel(m), Selected: chosen[m]})
	}
	sort.Slice(d.Metrics, func(i, j int) bool { return d.Metrics[i].Label < d.Metrics[j].Label })
	// One chart per unit: metrics of one unit share an axis.
	byUnit := map[string][]chartSeries{}
	var units []string
	color := 0
	for _, m := range latest.keyMetrics(len(latest.metrics)) {
		if !chosen[m] {
			continue
		}
		u := unitOf(latest.units[m])
		if _, ok := byUnit[u.Symbol]; !ok {
			units = append(units, u.Symbol)
		}
		byUnit[u.Symbol] = append(byUnit[u.Symbol], chartSeries{Label: termLabel(m), Unit: u, Points: sr.points[m], Class: "s" + strconv.Itoa(color%6)})
		color++
	}
	for i, sym := range units {
		ss := byUnit[sym]
		fig := chartFig{Caption: "In " + unitName(ss[0].Unit)}
		n := 0
		for _, c := range ss {
			li := legendItem{Label: c.Label, Class: c.Class}
			if len(c.Points) > 0 {
				lo, hi := c.Points[0].V, c.Points[0].V
				for _, p := range c.Points {
					lo, hi = min(lo, p.V), max(hi, p.V)
				}
				li.Last = c.Unit.format(c.Points[len(c.Points)-1].V)
				li.Range = "min " + c.Unit.format(lo) + ", max " + c.Unit.format(hi)
			}
			n += len(c.Points)
			fig.Legend = append(fig.Legend, li)
		}
		if n > 0 {
			d.HasData = true
		}
		cid := "chart" + strconv.Itoa(i)
		fig.Wide = timeChart(cid, wideChart, ss, w.from, w.to, loc)
		fig.Narrow = timeChart(cid, narrowChart, ss, w.from, w.to, loc)
		d.Charts = append(d.Charts, fig)
	}
	spans := statusSpans(sr.status, w.to)
	if len(spans) > 0 {
		d.HasData = true
	}
	d.TimelineWide = statusTimeline("timeline", wideChart, spans, w.from, w.to, loc)
	d.TimelineNarrow = statusTimeline("timeline", narrowChart, spans, w.from, w.to, loc)
	for _, k := range []string{"Running", "NotRunning", "Unknown"} {
		d.StatusKeys = append(d.StatusKeys, link{Title: termLabel(pmStatus(k)), Href: stringsLower(k)})
	}
	alarms, on, err := s.activeAlarms(ctx, id)
	if err != nil {
		return err
	}
	d.AlarmsOn, d.Alarms = on, alarms
	var rec bytes.Buffer
	if err := s.recentTable(&rec, r, "records", "Latest records", parser.And(parser.Eq(vocab.DCIsPartOf, iri))); err != nil {
		return err
	}
	d.Records = template.HTML(rec.String())
	return resourceTmpl.Execute(buf, d)
}

func stringsLower(s string) string { return string(bytes.ToLower([]byte(s))) }

// unitName says a unit in a caption.
func unitName(u unit) string {
	switch u.Symbol {
	case "":
		return "numbers"
	case "%":
		return "percent"
	case "B":
		return "bytes"
	case "ms":
		return "milliseconds"
	case "s":
		return "seconds"
	}
	return u.Symbol
}

// statusSpans turns the statuses of records into spans, each lasting
// until the next record, the last until end.
func statusSpans(ps []statusPoint, end time.Time) []statusSpan {
	var out []statusSpan
	for i, p := range ps {
		to := end
		if i+1 < len(ps) {
			to = ps[i+1].T
		}
		if n := len(out); n > 0 && out[n-1].Status == p.Status {
			out[n-1].To = to
			continue
		}
		out = append(out, statusSpan{From: p.T, To: to, Status: p.Status})
	}
	return out
}

// firstTime is the time of the oldest value or status.
func (sr *series) firstTime() time.Time {
	var t time.Time
	for _, ps := range sr.points {
		if len(ps) > 0 && (t.IsZero() || ps[0].T.Before(t)) {
			t = ps[0].T
		}
	}
	if len(sr.status) > 0 && (t.IsZero() || sr.status[0].T.Before(t)) {
		t = sr.status[0].T
	}
	return t
}

// resourceJobs writes the table of the jobs measuring the resource id,
// and returns the time zone they run in, if one.
func (s *Server) resourceJobs(ctx context.Context, r *http.Request, id rdf.IRI) (template.HTML, string, error) {
	k := s.kind("jobs")
	res, err := s.uiQuery(ctx, k, &query.Query{Where: parser.And(parser.Eq(vocab.PMJTerm("monitoredObject"), id)),
		Select: parser.Select(parser.Sel(vocab.DCTitle), parser.Sel(vocab.PMJTerm("executionState")), parser.Sel(vocab.PMJTerm("granularity")), parser.Sel(vocab.PMJTerm("collector")), parser.Sel(vocab.PMJTerm("timeZone")))}, 50)
	if err != nil {
		return "", "", err
	}
	zone := ""
	var rows []row
	for _, m := range res.Members {
		get := func(p rdf.IRI) string { return firstOf(m.Triples, m.ID, p) }
		title := get(vocab.DCTitle)
		if title == "" {
			title = lastSegment(m.ID.String())
		}
		if z := get(vocab.PMJTerm("timeZone")); z != "" && zone == "" {
			zone = z
		}
		state := get(vocab.PMJTerm("executionState"))
		rows = append(rows, row{Cells: []cell{{Text: title, Href: m.ID.String()}, {Text: termLabel(state)},
			{Text: termLabel(get(vocab.PMJTerm("collector")))}, {Text: durationText(get(vocab.PMJTerm("granularity")))}}})
	}
	var buf bytes.Buffer
	err = pagesTmpl.ExecuteTemplate(&buf, "table", tableData{ID: "jobs", Title: "Its jobs", Empty: "No job measures this resource.",
		Create: s.URL("/ui/create/jobs"), CreateText: "Create a measurement job", Cols: []string{"Job", "State", "Collector", "Granularity"}, Rows: rows})
	return template.HTML(buf.String()), zone, err
}
