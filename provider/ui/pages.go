package ui

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The HTML pages show the same resource as the RDF formats, and above its
// triples what a person looks for: the members of a query as a table,
// a monitored resource's metrics over time, a job's history.

var pagesTmpl = template.Must(template.New("pages").Parse(`
{{define "home"}}<p>Performance monitoring records, the resources they measure and the jobs that measure them, as linked data (OSLC Performance Monitoring 2.0).</p>
<ul class="cards">
<li><a href="{{.Catalog}}">Service provider catalog</a><small>where OSLC clients start</small></li>
{{range .Kinds}}<li><a href="{{.Href}}">{{.Title}}</a><small>query and browse</small></li>
{{end}}</ul>
<h2>Dialogs</h2>
<p>Pages other tools embed to let their users pick or create resources here:</p>
<ul>{{range .Dialogs}}<li><a href="{{.Href}}">{{.Title}}</a></li>{{end}}</ul>
{{end}}

{{define "list"}}<form class="filter" method="get" action="{{.Action}}" role="search" aria-label="Filter {{.Title}}">
<div><label for="where">Filter (<code>oslc.where</code>)</label>
<input id="where" name="oslc.where" value="{{.Where}}" placeholder="dcterms:isPartOf=&lt;…&gt; and dcterms:date&gt;=&quot;2026-11-01T00:00:00Z&quot;"></div>
<div><label for="terms">Search (<code>oslc.searchTerms</code>)</label>
<input id="terms" name="oslc.searchTerms" value="{{.Terms}}" placeholder="&quot;web01&quot;"></div>
{{range .Keep}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
<button type="submit">Apply</button>{{if .Filtered}} <a href="{{.Action}}">Clear</a>{{end}}
</form>
<p class="count" role="status">{{if ge .Total 0}}{{.Total}} {{if eq .Total 1}}member{{else}}members{{end}}{{if .Next}}; showing {{len .Rows}} per page{{end}}.{{else}}Showing {{len .Rows}} more.{{end}}</p>
{{if .Rows}}<div class="scroll"><table class="members">
<thead><tr>{{range .Cols}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .Cells}}<td>{{if .Href}}<a href="{{.Href}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table></div>{{end}}
<nav class="paging" aria-label="Pages">{{if .First}}<a href="{{.First}}">First page</a>{{end}}{{if .Next}} <a href="{{.Next}}" rel="next">Next page</a>{{end}}</nav>
{{end}}

{{define "chart"}}<section class="metrics" aria-labelledby="metrics-h">
<h2 id="metrics-h">Metrics over time</h2>
{{if .Metrics}}<form method="get" class="chart-controls">
<div><label for="metric">Metric</label><select id="metric" name="metric">{{range .Metrics}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select></div>
<div><label for="range">Time range</label><select id="range" name="range">{{range .Ranges}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select></div>
<button type="submit">Show</button>
</form>
<figure><figcaption>{{.Caption}}</figcaption>{{.SVG}}</figure>{{else}}<p>No records with measures yet.</p>{{end}}
</section>
{{end}}

{{define "table"}}<section aria-labelledby="{{.ID}}-h">
<h2 id="{{.ID}}-h">{{.Title}}</h2>
{{if .Rows}}<div class="scroll"><table class="members" id="{{.ID}}">
<thead><tr>{{range .Cols}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .Cells}}<td>{{if .Href}}<a href="{{.Href}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table></div>{{else}}<p>{{.Empty}}</p>{{end}}
{{if .More}}<p><a href="{{.More}}">All of them</a></p>{{end}}
</section>
{{end}}
`))

type cell struct{ Text, Href string }
type row struct{ Cells []cell }

type tableData struct {
	ID, Title, Empty, More string
	Cols                   []string
	Rows                   []row
}

type link struct{ Title, Href string }

type option struct {
	Value, Label string
	Selected     bool
}

// htmlExtras returns what a page shows above its triples, and whether it
// leaves the triples out.
func (s *Server) htmlExtras(r *http.Request, root rdf.Subject, g []rdf.Triple) (template.HTML, bool, error) {
	iri, ok := root.(rdf.IRI)
	if !ok {
		return "", false, nil
	}
	id := iri.String()
	var buf bytes.Buffer
	var err error
	hide := false
	base, member := s.queryBase(id), s.kindOf(id)
	switch {
	case id == s.URL("/"):
		err, hide = s.homeExtras(&buf), true
	case base != nil && len(objectsOf(g, s.api.RequestPageIRI(r), vocab.RDFType)) > 0:
		err, hide = s.listExtras(&buf, r, base, g), true
	case member != nil && viewOf(member).extras != nil:
		err = viewOf(member).extras(s, &buf, r, iri, g)
	}
	if err != nil {
		return "", false, err
	}
	return template.HTML(buf.String()), hide, nil
}

func (s *Server) homeExtras(buf *bytes.Buffer) error {
	d := struct {
		Catalog        string
		Kinds, Dialogs []link
	}{Catalog: s.URL("/oslc/catalog")}
	for _, k := range s.api.Kinds() {
		d.Kinds = append(d.Kinds, link{k.Title, s.URL(k.Path())})
	}
	for _, k := range s.api.Kinds() {
		for _, dl := range k.Dialogs {
			d.Dialogs = append(d.Dialogs, link{dl.Title, s.URL("/ui/" + dl.Action + "/" + k.Name)})
		}
	}
	return pagesTmpl.ExecuteTemplate(buf, "home", d)
}

// memberRows reads each member and lays out its columns.
func (s *Server) memberRows(r *http.Request, k *oslc.Kind, ids []rdf.IRI) []row {
	l := s.labeller(r.Context())
	v := viewOf(k)
	cols := v.columns
	var rows []row
	for _, id := range ids {
		g, _, err := s.store().Get(r.Context(), id)
		if err != nil {
			continue
		}
		rw := row{Cells: []cell{{Text: l.of(id, g), Href: id.String()}}}
		for _, c := range cols {
			var texts []string
			href := ""
			for _, o := range objectsOf(g, id, c.pred) {
				t := o.String()
				if oi, ok := o.(rdf.IRI); ok {
					if c.label {
						t, href = l.label(oi.String()), oi.String()
					} else {
						t = vocab.Short(t)
					}
				}
				texts = append(texts, t)
			}
			rw.Cells = append(rw.Cells, cell{Text: strings.Join(texts, ", "), Href: href})
		}
		if v.measures {
			var ms []string
			for _, m := range measuresOf(g, id) {
				ms = append(ms, m.Metric+" "+m.Value+m.Unit)
			}
			rw.Cells = append(rw.Cells, cell{Text: strings.Join(ms, "; ")})
		}
		rows = append(rows, rw)
	}
	return rows
}

func colNames(k *oslc.Kind) []string {
	v := viewOf(k)
	names := []string{v.noun}
	for _, c := range v.columns {
		names = append(names, c.name)
	}
	if v.measures {
		names = append(names, "Measures")
	}
	return names
}

func (s *Server) listExtras(buf *bytes.Buffer, r *http.Request, k *oslc.Kind, g []rdf.Triple) error {
	q := r.URL.Query()
	base := s.iri(k.Path())
	var ids []rdf.IRI
	for _, m := range objectsOf(g, base, vocab.RDFSMember) {
		if iri, ok := m.(rdf.IRI); ok {
			ids = append(ids, iri)
		}
	}
	page := s.api.RequestPageIRI(r)
	d := struct {
		Title, Action, Where, Terms, Next, First string
		Filtered                                 bool
		Total                                    int
		Keep                                     []struct{ Name, Value string }
		Cols                                     []string
		Rows                                     []row
	}{
		Title: k.Title, Action: s.URL(k.Path()), Where: q.Get("oslc.where"), Terms: q.Get("oslc.searchTerms"),
		Total: -1, Cols: colNames(k), Rows: s.memberRows(r, k, ids),
	}
	d.Filtered = d.Where != "" || d.Terms != ""
	if t := firstOf(g, page, vocab.OSLCTerm("totalCount")); t != "" {
		d.Total, _ = strconv.Atoi(t)
	}
	if n := firstOf(g, page, vocab.OSLCTerm("nextPage")); n != "" {
		d.Next = n
	}
	if q.Get(oslc.PageParam) != "" {
		first := url.Values{}
		for key, v := range q {
			if key != oslc.PageParam && key != "oslc.paging" {
				first[key] = v
			}
		}
		d.First = s.URL(k.Path()) + "?" + first.Encode()
	}
	for _, key := range []string{"oslc.select", "oslc.orderBy", "oslc.prefix", "oslc.pageSize", "format"} {
		if v := q.Get(key); v != "" {
			d.Keep = append(d.Keep, struct{ Name, Value string }{key, v})
		}
	}
	return pagesTmpl.ExecuteTemplate(buf, "list", d)
}

func (s *Server) resourceExtras(buf *bytes.Buffer, r *http.Request, id string) error {
	q := r.URL.Query()
	rng := q.Get("range")
	var from time.Time
	found := false
	d := struct {
		Metrics, Ranges []option
		Caption         string
		SVG             template.HTML
	}{}
	for _, cr := range chartRanges {
		if cr.Name == rng {
			found = true
			if cr.D > 0 {
				from = s.api.Now().Add(-cr.D)
			}
		}
	}
	if !found {
		rng = "all"
	}
	for _, cr := range chartRanges {
		d.Ranges = append(d.Ranges, option{Value: cr.Name, Label: cr.Label, Selected: cr.Name == rng})
	}
	// The metrics to choose from are those of the latest records, whatever
	// the range.
	all, err := s.metricSeries(r.Context(), id, time.Time{}, 200)
	if err != nil {
		return err
	}
	sr := all
	if !from.IsZero() || rng == "all" {
		if sr, err = s.metricSeries(r.Context(), id, from, chartMax); err != nil {
			return err
		}
	}
	metric := q.Get("metric")
	if _, ok := all.points[metric]; !ok {
		metric = all.keyMetric()
	}
	for _, m := range all.metrics {
		d.Metrics = append(d.Metrics, option{Value: m, Label: vocab.Short(m), Selected: m == metric})
	}
	if metric != "" {
		unit := unitName(all.units[metric])
		ps := sr.points[metric]
		label := vocab.Short(metric)
		for _, cr := range chartRanges {
			if cr.Name == rng {
				d.Caption = label + ", " + cr.Label + " (" + strconv.Itoa(len(ps)) + " values)"
			}
		}
		d.SVG = lineChart(ps, 720, 260, label, unit)
	}
	if err := pagesTmpl.ExecuteTemplate(buf, "chart", d); err != nil {
		return err
	}
	iri, ok := iriOf(id)
	if !ok {
		return nil
	}
	if err := s.alarmTable(buf, r, iri); err != nil {
		return err
	}
	return s.recentTable(buf, r, "records", "Latest records", parser.And(parser.Eq(vocab.DCIsPartOf, iri)))
}

// recentTable writes a table of the latest ten records matching where.
func (s *Server) recentTable(buf *bytes.Buffer, r *http.Request, tid, title string, where *parser.Where) error {
	k := s.kind("records")
	res, err := s.uiQuery(r.Context(), k, &query.Query{Where: where, OrderBy: newestFirst}, 10)
	if err != nil {
		return err
	}
	var ids []rdf.IRI
	for _, m := range res.Members {
		ids = append(ids, m.ID)
	}
	return pagesTmpl.ExecuteTemplate(buf, "table", tableData{
		ID: tid, Title: title, Empty: "No records yet.", Cols: colNames(k), Rows: s.memberRows(r, k, ids),
		More: s.moreLink(k, where),
	})
}

func (s *Server) jobExtras(buf *bytes.Buffer, r *http.Request, id string) error {
	iri, ok := iriOf(id)
	if !ok {
		return nil
	}
	k := s.kind("tracking")
	where := parser.And(parser.Eq(vocab.PMJTerm("producedBy"), iri))
	res, err := s.uiQuery(r.Context(), k, &query.Query{Where: where, OrderBy: newestFirst}, 50)
	if err != nil {
		return err
	}
	var rows []row
	for _, m := range res.Members {
		g, _, err := s.store().Get(r.Context(), m.ID)
		if err != nil {
			continue
		}
		short := func(p string) string { return vocab.Short(firstOf(g, m.ID, vocab.PMJTerm(p))) }
		rows = append(rows, row{Cells: []cell{
			{Text: firstOf(g, m.ID, vocab.DCDate), Href: m.ID.String()},
			{Text: short("event")}, {Text: short("fromState")}, {Text: short("toState")},
			{Text: firstOf(g, m.ID, vocab.IRI(vocab.DCTerms, "creator"))},
			{Text: firstOf(g, m.ID, vocab.DCDescription)},
		}})
	}
	if err := pagesTmpl.ExecuteTemplate(buf, "table", tableData{
		ID: "history", Title: "State history", Empty: "No tracking records yet.",
		Cols: []string{"Time", "Event", "From", "To", "By", "Description"}, Rows: rows,
		More: s.moreLink(k, where),
	}); err != nil {
		return err
	}
	return s.recentTable(buf, r, "records", "Latest records", where)
}

func (s *Server) recordExtras(buf *bytes.Buffer, r *http.Request, id rdf.IRI, g []rdf.Triple) error {
	var rows []row
	for _, m := range measuresOf(g, id) {
		rows = append(rows, row{Cells: []cell{{Text: m.Metric, Href: m.MetricHref}, {Text: m.Value}, {Text: m.Unit}}})
	}
	return pagesTmpl.ExecuteTemplate(buf, "table", tableData{
		ID: "measures", Title: "Measures", Empty: "This record has no measures.",
		Cols: []string{"Metric", "Value", "Unit"}, Rows: rows,
	})
}

// queryBase returns the kind whose query base is id, or nil.
func (s *Server) queryBase(id string) *oslc.Kind {
	for _, k := range s.api.Kinds() {
		if id == s.URL(k.Path()) {
			return k
		}
	}
	return nil
}
