package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Preview sizes, as CSS lengths (OSLC Resource Preview).
var previewSizes = map[string][2]string{
	"small": {"420px", "220px"},
	"large": {"640px", "460px"},
}

// uiPage is the frame of every page made to be embedded: previews and
// dialogs.
var uiPage = template.Must(template.New("ui").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Static}}/ui.css">
</head>
<body class="{{.Class}}">
{{.Body}}
{{range .Scripts}}<script src="{{$.Static}}/{{.}}"></script>
{{end}}</body>
</html>
`))

type uiPageData struct {
	Title, Static, Class string
	Body                 template.HTML
	Scripts              []string
}

func (s *Server) writeUIPage(w http.ResponseWriter, r *http.Request, status int, d uiPageData, body *template.Template, data any) {
	var inner bytes.Buffer
	if err := body.Execute(&inner, data); err != nil {
		s.writeError(w, r, err)
		return
	}
	d.Body = template.HTML(inner.String())
	if d.Scripts == nil {
		d.Scripts = []string{"dialog.js"}
	}
	d.Static = s.URL("/ui/static")
	var buf bytes.Buffer
	if err := uiPage.Execute(&buf, d); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.embeddable(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Vary", "Accept")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// compact describes a resource's Compact resource.
type compact struct {
	Title, ShortTitle, Icon, IconTitle string
	Small, Large                       string // preview documents
}

func (s *Server) compactOf(ctx context.Context, id rdf.IRI, g []rdf.Triple) compact {
	k := s.kindOf(id.String())
	c := compact{
		Title:      s.labeller(ctx).of(id, g),
		ShortTitle: firstOf(g, id, vocab.DCIdentifier),
		Small:      id.String() + "?preview=small",
		Large:      id.String() + "?preview=large",
	}
	v := viewOf(k)
	c.Icon, c.IconTitle = s.URL("/ui/static/"+v.icon), v.iconTitle
	if v.shortName != (rdf.IRI{}) {
		if n := firstOf(g, id, v.shortName); n != "" {
			c.ShortTitle = n
		}
	}
	if c.ShortTitle == "" {
		c.ShortTitle = lastSegment(id.String())
	}
	return c
}

// graph writes c as an oslc:Compact named subj.
func (c compact) graph(subj rdf.IRI) oslc.Graph {
	var g oslc.Graph
	g.Add(subj, vocab.RDFType, vocab.OSLCTerm("Compact"))
	g.Add(subj, vocab.DCTitle, vocab.XMLLiteral(template.HTMLEscapeString(c.Title)))
	g.Add(subj, vocab.OSLCTerm("shortTitle"), vocab.XMLLiteral(template.HTMLEscapeString(c.ShortTitle)))
	icon, _ := rdf.NewIRI(c.Icon)
	g.Add(subj, vocab.OSLCTerm("icon"), icon)
	g.Add(subj, vocab.OSLCTerm("iconTitle"), vocab.Str(c.IconTitle))
	g.Add(subj, vocab.OSLCTerm("iconAltLabel"), vocab.Str(c.IconTitle))
	for _, p := range []struct{ prop, size, doc string }{{"smallPreview", "small", c.Small}, {"largePreview", "large", c.Large}} {
		n, _ := rdf.NewBlank(p.prop)
		doc, _ := rdf.NewIRI(p.doc)
		g.Add(subj, vocab.OSLCTerm(p.prop), n)
		g.Add(n, vocab.RDFType, vocab.OSLCTerm("Preview"))
		g.Add(n, vocab.OSLCTerm("document"), doc)
		g.Add(n, vocab.OSLCTerm("hintWidth"), vocab.Str(previewSizes[p.size][0]))
		g.Add(n, vocab.OSLCTerm("hintHeight"), vocab.Str(previewSizes[p.size][1]))
	}
	return g
}

// json is c in the JSON format of OSLC Resource Preview.
func (c compact) json() map[string]any {
	prev := func(size, doc string) map[string]any {
		return map[string]any{"document": doc, "hintWidth": previewSizes[size][0], "hintHeight": previewSizes[size][1]}
	}
	return map[string]any{
		"title":        template.HTMLEscapeString(c.Title),
		"shortTitle":   template.HTMLEscapeString(c.ShortTitle),
		"icon":         c.Icon,
		"iconTitle":    c.IconTitle,
		"iconAltLabel": c.IconTitle,
		"smallPreview": prev("small", c.Small),
		"largePreview": prev("large", c.Large),
	}
}

// wantsPlainJSON tells whether the client asks for application/json
// itself rather than an RDF format.
func wantsPlainJSON(r *http.Request) bool {
	return r.URL.Query().Get("format") == "" && accepts(r, "application/json") && !accepts(r, "application/ld+json") && !accepts(r, "text/turtle") && !accepts(r, "application/rdf+xml")
}

// Compact answers for the Compact resource of a resource: at
// <resource>?compact in any format, and at the resource itself for OSLC
// 2.0 clients that ask for application/x-oslc-compact+xml.
func (s *Server) Compact(w http.ResponseWriter, r *http.Request) {
	id := s.api.RequestIRI(r)
	g, _, err := s.store().Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c := s.compactOf(r.Context(), id, g)
	w.Header().Set("Vary", "Accept, Prefer")
	w.Header().Set("Cache-Control", "no-store")
	if !r.URL.Query().Has("compact") {
		// OSLC UI Preview 2.0: the compact describes the resource itself.
		s.writeCompactXML(w, r, c.graph(id), id)
		return
	}
	subj, _ := rdf.NewIRI(id.String() + "?compact")
	if wantsPlainJSON(r) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(c.json())
		return
	}
	s.api.Respond(w, r, http.StatusOK, subj, c.graph(subj), "Compact: "+c.Title)
}

// writeCompactXML writes g as RDF/XML typed application/x-oslc-compact+xml.
func (s *Server) writeCompactXML(w http.ResponseWriter, r *http.Request, g []rdf.Triple, root rdf.Subject) {
	rec := &headerOverride{ResponseWriter: w, ct: compactXML + "; charset=utf-8"}
	s.api.WriteRDFXML(rec, r, http.StatusOK, root, g)
}

// headerOverride replaces the Content-Type a handler sets.
type headerOverride struct {
	http.ResponseWriter
	ct string
}

func (h *headerOverride) WriteHeader(status int) {
	if status == http.StatusOK {
		h.Header().Set("Content-Type", h.ct)
	}
	h.ResponseWriter.WriteHeader(status)
}

// PreferCompact answers a GET with Prefer: return=representation;
// include="...#PreferCompact": the resource with its Compact in-line.
func (s *Server) PreferCompact(w http.ResponseWriter, r *http.Request) {
	id := s.api.RequestIRI(r)
	g, etag, err := s.store().Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c := s.compactOf(r.Context(), id, g)
	subj, _ := rdf.NewIRI(id.String() + "?compact")
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Preference-Applied", "return=representation")
	h.Add("Vary", "Prefer")
	h.Add("Link", `<`+subj.String()+`>; rel="`+relCompact+`"`)
	if wantsPlainJSON(r) {
		h.Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"compact": c.json()})
		return
	}
	out := append(append([]rdf.Triple(nil), g...), c.graph(subj)...)
	out = append(out, rdf.Triple{Subj: id, Pred: vocab.OSLCTerm("compact"), Obj: subj})
	s.api.Respond(w, r, http.StatusOK, id, out, oslc.Title(id, g))
}

type previewData struct {
	Size, Title, IRI, Kind string
	Status, StatusClass    string
	Seen                   template.HTML
	Props                  []previewProp
	Measures               []measureRow
	KPIs                   []overviewMetric
	Chart                  template.HTML
	AlarmsOn               bool
	Alarms                 []Alarm
}

type previewProp struct {
	Name, Value, Href string
	HTML              template.HTML
}

var previewBody = template.Must(template.New("preview").Parse(`<main class="preview {{.Size}}" data-kind="{{.Kind}}">
<h1 class="ptitle"><a href="{{.IRI}}" target="_blank" rel="noopener">{{.Title}}</a></h1>
{{if .Status}}<p class="pstatus"><span class="status {{.StatusClass}}">{{.Status}}</span>{{if .Seen}} <small>last record {{.Seen}}</small>{{end}}</p>{{end}}
{{if .Props}}<dl class="props">
{{range .Props}}<dt>{{.Name}}</dt><dd>{{if .HTML}}{{.HTML}}{{else if .Href}}<a href="{{.Href}}" target="_blank" rel="noopener">{{.Value}}</a>{{else}}{{.Value}}{{end}}</dd>
{{end}}</dl>{{end}}
{{if .KPIs}}<ul class="kpis">{{range .KPIs}}<li><span class="kpi-label">{{.Label}}</span> <strong>{{.Value}}</strong> {{.Spark}}</li>{{end}}</ul>{{end}}
{{if .Chart}}<figure class="key">{{.Chart}}</figure>{{end}}
{{if .Measures}}<ul class="chips">{{range .Measures}}<li title="{{.Raw}}"><span class="m">{{.Metric}}</span> {{.Value}}</li>{{end}}</ul>{{end}}
{{if .AlarmsOn}}<p class="palarms">{{if .Alarms}}Active alarms ({{len .Alarms}}): {{range $i, $a := .Alarms}}{{if $i}}, {{end}}<span class="sev-{{$a.Severity}}">{{$a.Severity}}</span> <a href="{{$a.ID}}" target="_blank" rel="noopener">{{$a.Title}}</a>{{end}}{{else}}No active alarms{{end}}</p>{{end}}
</main>
`))

// Preview serves a preview document: a small HTML page to show in a
// hover pop-up (small) or a stationary widget (large), which fits the
// size its Compact hints.
func (s *Server) Preview(w http.ResponseWriter, r *http.Request) {
	id := s.api.RequestIRI(r)
	size := r.URL.Query().Get("preview")
	if _, ok := previewSizes[size]; !ok {
		size = "small"
	}
	g, _, err := s.store().Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	now := s.api.Now()
	l := s.labeller(ctx)
	d := previewData{Size: size, Title: l.of(id, g), IRI: id.String()}
	prop := func(name string, p rdf.IRI) {
		for _, o := range objectsOf(g, id, p) {
			pp := previewProp{Name: name, Value: o.String()}
			switch o := o.(type) {
			case rdf.IRI:
				pp.Value = termLabel(o.String())
				if s.kindOf(o.String()) != nil {
					pp.Href, pp.Value = o.String(), l.label(o.String())
				}
			case rdf.Literal:
				if t, ok := parseTime(o.String()); ok && o.DataType == vocab.XSDDateTime {
					pp.HTML = timeHTML(t, time.UTC, now)
				} else if o.DataType == vocab.XSDDuration {
					pp.Value = durationText(o.String())
				}
			}
			d.Props = append(d.Props, pp)
		}
	}
	d.Kind = viewOf(s.kindOf(id.String())).preview
	resource := ""
	switch d.Kind {
	case "record":
		resource = firstOf(g, id, vocab.DCIsPartOf)
		d.Status, d.StatusClass = statusText(strings.TrimPrefix(firstOf(g, id, vocab.PMAvailabilityStatus), vocab.PM), true)
		prop("Resource", vocab.DCIsPartOf)
		prop("Time", vocab.DCDate)
		if size == "large" {
			prop("Job", vocab.PMJTerm("producedBy"))
		}
		d.Measures = measuresOf(g, id)
		if size == "small" && len(d.Measures) > 4 {
			d.Measures = d.Measures[:4]
		}
	case "resource":
		resource = id.String()
		prop("Type", vocab.RDFType)
		if size == "large" {
			prop("Name", vocab.IRI(vocab.CRTV, "name"))
			prop("Host", vocab.IRI(vocab.CRTV, "fqdn"))
		}
		if err := s.resourceStatus(ctx, &d, id, size); err != nil {
			s.writeError(w, r, err)
			return
		}
	case "threshold", "alarm":
		thresholdPreview(d.Kind, prop, size)
	default:
		prop("State", vocab.PMJTerm("executionState"))
		prop("Collector", vocab.PMJTerm("collector"))
		prop("Granularity", vocab.PMJTerm("granularity"))
		if size == "large" {
			prop("Measures", vocab.PMJTerm("monitoredObject"))
			prop("Reason", vocab.PMJTerm("stateReason"))
			prop("State changed", vocab.PMJTerm("stateChanged"))
		}
	}
	if resource != "" {
		as, on, err := s.activeAlarms(ctx, resource)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		d.AlarmsOn, d.Alarms = on, as
	}
	s.writeUIPage(w, r, http.StatusOK, uiPageData{Title: d.Title, Class: "embedded preview-" + size}, previewBody, d)
}

// resourceStatus adds a monitored resource's current status (from its
// latest record) and its key metrics' latest values to d.
func (s *Server) resourceStatus(ctx context.Context, d *previewData, id rdf.IRI, size string) error {
	sr, err := s.metricSeries(ctx, id.String(), time.Time{}, time.Time{}, 60)
	if err != nil {
		return err
	}
	now := s.api.Now()
	st, at := sr.latestStatus()
	d.Status, d.StatusClass = statusText(st, len(sr.metrics) > 0)
	if at.IsZero() {
		at = sr.lastTime()
	}
	if !at.IsZero() {
		d.Seen = timeHTML(at, time.UTC, now)
	}
	n := 2
	if size == "large" {
		n = 4
	}
	for _, m := range sr.keyMetrics(n) {
		ps := sr.points[m]
		u := unitOf(sr.units[m])
		d.KPIs = append(d.KPIs, overviewMetric{Label: termLabel(m), Value: u.format(ps[len(ps)-1].V), Spark: sparkline(ps, 120, 24, termLabel(m)+" over the latest records")})
	}
	if km := sr.keyMetric(); km != "" && size == "large" {
		ps := sr.points[km]
		u := unitOf(sr.units[km])
		lay := chartLayout{"wide", 600, 170, 12, 5, 4}
		d.Chart = timeChart("pchart", lay, []chartSeries{{Label: termLabel(km), Unit: u, Points: ps, Class: "s0"}}, ps[0].T, now, time.UTC)
	}
	return nil
}
