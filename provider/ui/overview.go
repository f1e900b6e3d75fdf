package ui

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The overview is the home page: every monitored resource with its
// availability and latest key metrics, the jobs in trouble and the active
// alarms, updated live (console.js, live.go).

// overviewPage is how many resources the overview shows at once: a page
// of them stays small and fast however many there are.
const overviewPage = 50

// overviewSpark is how many of each resource's latest records its
// sparklines draw.
const overviewSpark = 24

type overviewMetric struct {
	Label, Value string
	Spark        template.HTML
}

type overviewRow struct {
	Name, Href, Type    string
	Status, StatusClass string
	Seen                template.HTML
	Metrics             []overviewMetric
	Alarms              []Alarm
}

type overviewData struct {
	Action, Q, Class, Create, CreateJob string
	Classes                             []option
	Rows                                []overviewRow
	Matched, From, To                   int
	Next, Prev                          string
	Counts                              []link // status: count
	Trouble                             []troubleRow
	AlarmsOn                            bool
	Alarms                              []alarmRow
	Catalog                             string
	Kinds, Dialogs                      []link
}

type troubleRow struct {
	Title, Href, State, Reason string
	Changed                    template.HTML
}

type alarmRow struct {
	Title, Href, Resource, ResourceHref, Severity, State string
	Since                                                template.HTML
}

var overviewTmpl = template.Must(template.New("overview").Parse(`<p class="lead">Monitored resources, their availability and latest metrics, the jobs that measure them. Updates live.</p>
<form class="filter" method="get" action="{{.Action}}" role="search" aria-label="Filter resources">
<div><label for="ov-q">Search</label><input id="ov-q" name="q" type="search" value="{{.Q}}" placeholder="web01"></div>
<div><label for="ov-class">Class</label><select id="ov-class" name="class">{{range .Classes}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select></div>
<button type="submit">Apply</button>{{if or .Q .Class}} <a href="{{.Action}}">Clear</a>{{end}}
</form>
<div id="overview-live" data-live>
{{if .AlarmsOn}}<section aria-labelledby="alarms-h" class="alarms">
<h2 id="alarms-h">Active alarms</h2>
{{if .Alarms}}<ul class="alarm-list">{{range .Alarms}}<li class="sev-{{.Severity}}"><strong>{{.Severity}}</strong> <a href="{{.Href}}">{{.Title}}</a> on <a href="{{.ResourceHref}}">{{.Resource}}</a> since {{.Since}}</li>{{end}}</ul>{{else}}<p>No active alarms.</p>{{end}}
</section>{{end}}
<section aria-labelledby="res-h">
<h2 id="res-h">Monitored resources</h2>
<p class="count" role="status">{{if .Matched}}{{.Matched}} {{if eq .Matched 1}}resource{{else}}resources{{end}}{{if gt .Matched (len .Rows)}}; showing {{.From}} to {{.To}}{{end}}.{{range .Counts}} <span class="badge {{.Href}}">{{.Title}}</span>{{end}}{{else}}No monitored resources{{if or .Q .Class}} match{{end}}.{{end}}</p>
{{if .Rows}}<div class="scroll"><table class="members overview" id="resources">
<thead><tr><th scope="col">Resource</th><th scope="col">Status</th><th scope="col">Last record</th><th scope="col">Key metrics</th>{{if .AlarmsOn}}<th scope="col">Alarms</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>
<td><a href="{{.Href}}">{{.Name}}</a><small class="type">{{.Type}}</small></td>
<td><span class="status {{.StatusClass}}">{{.Status}}</span></td>
<td>{{.Seen}}</td>
<td><ul class="kpis">{{range .Metrics}}<li><span class="kpi-label">{{.Label}}</span> <strong>{{.Value}}</strong> {{.Spark}}</li>{{else}}<li>No measures yet</li>{{end}}</ul></td>
{{if $.AlarmsOn}}<td>{{len .Alarms}}</td>{{end}}
</tr>
{{end}}</tbody></table></div>
<nav class="paging" aria-label="Pages">{{if .Prev}}<a href="{{.Prev}}">Previous page</a>{{end}}{{if .Next}} <a href="{{.Next}}" rel="next">Next page</a>{{end}}</nav>
{{else}}<p class="empty-state">{{if or .Q .Class}}Try another search or class, or <a href="{{.Action}}">show all resources</a>.{{else}}Resources appear here once they are registered: <a href="{{.Create}}">register a monitored resource</a>, then <a href="{{.CreateJob}}">create a measurement job</a> or POST records to it.{{end}}</p>{{end}}
</section>
<section aria-labelledby="trouble-h">
<h2 id="trouble-h">Jobs in trouble</h2>
{{if .Trouble}}<div class="scroll"><table class="members" id="trouble">
<thead><tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">Since</th><th scope="col">Reason</th></tr></thead>
<tbody>{{range .Trouble}}<tr><td><a href="{{.Href}}">{{.Title}}</a></td><td><span class="status st-notrunning">{{.State}}</span></td><td>{{.Changed}}</td><td class="wrap">{{.Reason}}</td></tr>
{{end}}</tbody></table></div>{{else}}<p>No job has failed, been suspended or lost its resources.</p>{{end}}
</section>
</div>
<section aria-labelledby="browse-h">
<h2 id="browse-h">Browse</h2>
<ul class="cards">
<li><a href="{{.Catalog}}">Service provider catalog</a><small>where OSLC clients start</small></li>
{{range .Kinds}}<li><a href="{{.Href}}">{{.Title}}</a><small>query and browse</small></li>
{{end}}</ul>
<h3>Dialogs</h3>
<ul>{{range .Dialogs}}<li><a href="{{.Href}}">{{.Title}}</a></li>{{end}}</ul>
</section>
`))

// troubleStates are the execution states the overview lists jobs in.
var troubleStates = []string{"Failed", "ResourceUnavailable", "Rejected", "Suspended"}

// overview writes the home page's overview for the request's filter.
func (s *Server) overview(buf *bytes.Buffer, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	now := s.api.Now()
	d := overviewData{
		Action: s.URL("/"), Q: strings.TrimSpace(q.Get("q")), Class: q.Get("class"),
		Create: s.URL("/ui/create/resources"), CreateJob: s.URL("/ui/create/jobs"),
		Catalog: s.URL("/oslc/catalog"),
	}
	d.Classes = append(d.Classes, option{Value: "", Label: "Any class", Selected: d.Class == ""})
	for _, c := range shapes.MonitoredClasses {
		d.Classes = append(d.Classes, option{Value: c.String(), Label: termLabel(c.String()), Selected: d.Class == c.String()})
	}
	for _, k := range s.api.Kinds() {
		d.Kinds = append(d.Kinds, link{k.Title, s.URL(k.Path())})
		for _, dl := range k.Dialogs {
			d.Dialogs = append(d.Dialogs, link{dl.Title, s.URL("/ui/" + dl.Action + "/" + k.Name)})
		}
	}
	rows, err := s.overviewResources(ctx, d.Class, d.Q)
	if err != nil {
		return err
	}
	d.Matched = len(rows)
	start, _ := strconv.Atoi(q.Get("from"))
	if start < 0 || start >= len(rows) {
		start = 0
	}
	end := min(start+overviewPage, len(rows))
	page := func(from int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("from", strconv.Itoa(from))
		return d.Action + "?" + v.Encode()
	}
	if end < len(rows) {
		d.Next = page(end)
	}
	if start > 0 {
		d.Prev = page(max(start-overviewPage, 0))
	}
	d.From, d.To = start+1, end
	alarms, on, err := s.activeAlarms(ctx, "")
	if err != nil {
		return err
	}
	d.AlarmsOn = on
	byResource := map[string][]Alarm{}
	l := s.labeller(ctx)
	for _, a := range alarms {
		byResource[a.Resource] = append(byResource[a.Resource], a)
		d.Alarms = append(d.Alarms, alarmRow{Title: a.Title, Href: a.ID, Resource: l.label(a.Resource), ResourceHref: a.Resource,
			Severity: a.Severity, State: a.State, Since: timeHTML(a.Since, time.UTC, now)})
	}
	counts := map[string]int{}
	var ids []string
	for _, rw := range rows[start:end] {
		ids = append(ids, rw.Href)
	}
	latest, err := s.latestSeries(ctx, ids, overviewSpark)
	if err != nil {
		return err
	}
	for _, rw := range rows[start:end] {
		sr := latest[rw.Href]
		st, at := sr.latestStatus()
		rw.Status, rw.StatusClass = statusText(st, len(sr.metrics) > 0 || !at.IsZero())
		counts[rw.Status]++
		if at.IsZero() {
			at = sr.lastTime()
		}
		if !at.IsZero() {
			rw.Seen = timeHTML(at, time.UTC, now)
		} else {
			rw.Seen = "—"
		}
		for _, m := range sr.keyMetrics(2) {
			ps := sr.points[m]
			u := unitOf(sr.units[m])
			lbl := termLabel(m)
			rw.Metrics = append(rw.Metrics, overviewMetric{Label: lbl, Value: u.format(ps[len(ps)-1].V), Spark: sparkline(ps, 96, 22, lbl+", latest "+strconv.Itoa(len(ps))+" values")})
		}
		rw.Alarms = byResource[rw.Href]
		d.Rows = append(d.Rows, rw)
	}
	for _, st := range []string{"Running", "Not running", "Unknown", "No records"} {
		if n := counts[st]; n > 0 {
			_, cls := statusText(statusLocal(st), st != "No records")
			d.Counts = append(d.Counts, link{Title: strconv.Itoa(n) + " " + strings.ToLower(st), Href: cls})
		}
	}
	if d.Trouble, err = s.troubledJobs(ctx, now); err != nil {
		return err
	}
	return overviewTmpl.Execute(buf, d)
}

// statusText is how the pages say the availability status local (a pm
// local name), and its CSS class; measured tells a resource without
// status apart from one without records.
func statusText(local string, measured bool) (string, string) {
	switch local {
	case "":
		if measured {
			return "Unknown", "st-unknown"
		}
		return "No records", "st-none"
	case "Running", "NotRunning", "Unknown":
		return termLabel(pmStatus(local)), "st-" + strings.ToLower(local)
	}
	return termLabel(pmStatus(local)), "st-unknown"
}

func statusLocal(text string) string {
	switch text {
	case "Running":
		return "Running"
	case "Not running":
		return "NotRunning"
	case "Unknown":
		return "Unknown"
	}
	return ""
}

// lastTime is the time of the newest value of any metric.
func (sr *series) lastTime() time.Time {
	var t time.Time
	for _, ps := range sr.points {
		if len(ps) > 0 && ps[len(ps)-1].T.After(t) {
			t = ps[len(ps)-1].T
		}
	}
	return t
}

// resourceSelect is what the overview reads of each resource.
var resourceSelect = parser.Select(parser.Sel(vocab.DCTitle), parser.Sel(vocab.IRI(vocab.CRTV, "name")), parser.Sel(vocab.RDFType))

// overviewResources returns the monitored resources of class (any when
// ""), whose title or name contains text, by name.
func (s *Server) overviewResources(ctx context.Context, class, text string) ([]overviewRow, error) {
	qq := &query.Query{Select: resourceSelect}
	if c, ok := iriOf(class); ok && class != "" {
		qq.Where = parser.And(parser.Eq(vocab.RDFType, c))
	}
	res, err := s.uiQuery(ctx, s.kind("resources"), qq, 0)
	if err != nil {
		return nil, err
	}
	text = strings.ToLower(text)
	var out []overviewRow
	for _, m := range res.Members {
		title := firstOf(m.Triples, m.ID, vocab.DCTitle)
		name := firstOf(m.Triples, m.ID, vocab.IRI(vocab.CRTV, "name"))
		if text != "" && !strings.Contains(strings.ToLower(title+" "+name), text) {
			continue
		}
		label := title
		if label == "" {
			label = name
		}
		if label == "" {
			label = lastSegment(m.ID.String())
		}
		var types []string
		for _, t := range objectsOf(m.Triples, m.ID, vocab.RDFType) {
			types = append(types, termLabel(t.String()))
		}
		sort.Strings(types)
		out = append(out, overviewRow{Name: label, Href: m.ID.String(), Type: strings.Join(types, ", ")})
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// troubledJobs lists the jobs that failed, were suspended, rejected or
// lost their resources.
func (s *Server) troubledJobs(ctx context.Context, now time.Time) ([]troubleRow, error) {
	var states []rdf.Term
	for _, st := range troubleStates {
		states = append(states, vocab.PMJTerm(st))
	}
	res, err := s.uiQuery(ctx, s.kind("jobs"), &query.Query{
		Where:  parser.And(parser.In(vocab.PMJTerm("executionState"), states...)),
		Select: parser.Select(parser.Sel(vocab.DCTitle), parser.Sel(vocab.PMJTerm("executionState")), parser.Sel(vocab.PMJTerm("stateReason")), parser.Sel(vocab.PMJTerm("stateChanged"))),
	}, 20)
	if err != nil {
		return nil, err
	}
	var out []troubleRow
	for _, m := range res.Members {
		tr := troubleRow{Title: firstOf(m.Triples, m.ID, vocab.DCTitle), Href: m.ID.String(),
			State: termLabel(firstOf(m.Triples, m.ID, vocab.PMJTerm("executionState"))), Reason: firstOf(m.Triples, m.ID, vocab.PMJTerm("stateReason"))}
		if tr.Title == "" {
			tr.Title = lastSegment(tr.Href)
		}
		if t, ok := parseTime(firstOf(m.Triples, m.ID, vocab.PMJTerm("stateChanged"))); ok {
			tr.Changed = timeHTML(t, time.UTC, now)
		}
		out = append(out, tr)
	}
	return out, nil
}
