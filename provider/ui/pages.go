package ui

import (
	"bytes"
	"fmt"
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
{{define "filter"}}<form class="filter" method="get" action="{{.Action}}" role="search" aria-label="Filter {{.Title}}">
<div><label for="where">Filter (<code>oslc.where</code>)</label>
<input id="where" name="oslc.where" value="{{.Where}}" placeholder="dcterms:isPartOf=&lt;…&gt; and dcterms:date&gt;=&quot;2026-11-01T00:00:00Z&quot;"{{if .WhereError}} aria-invalid="true" aria-describedby="where-error"{{end}}>
{{if .WhereError}}<p id="where-error" class="field-error" role="alert">{{.WhereError}}</p>{{end}}</div>
<div><label for="terms">Search (<code>oslc.searchTerms</code>)</label>
<input id="terms" name="oslc.searchTerms" value="{{.Terms}}" placeholder="&quot;web01&quot;"{{if .TermsError}} aria-invalid="true" aria-describedby="terms-error"{{end}}>
{{if .TermsError}}<p id="terms-error" class="field-error" role="alert">{{.TermsError}}</p>{{end}}</div>
{{range .Keep}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
<button type="submit">Apply</button>{{if .Filtered}} <a href="{{.Action}}">Clear</a>{{end}}
</form>
{{if .OtherError}}<p class="error" role="alert">{{.OtherError}}</p>{{end}}{{end}}

{{define "list"}}{{template "filter" .}}
<div id="list-live" data-live>
<p class="count" role="status">{{if ge .Total 0}}{{.Total}} {{if eq .Total 1}}member{{else}}members{{end}}{{if .Next}}; showing {{len .Rows}} per page{{end}}.{{else}}Showing {{len .Rows}} more.{{end}}{{if .Newest}} Newest first.{{end}}</p>
{{if .Rows}}{{template "rows" .}}{{else if not .Error}}<p class="empty-state">{{if .Filtered}}Nothing matches this filter. <a href="{{.Action}}">Show all</a>.{{else}}{{.Empty}}{{if .Create}} <a href="{{.Create}}">{{.CreateText}}</a>.{{end}}{{end}}</p>{{end}}
</div>
<nav class="paging" aria-label="Pages">{{if .First}}<a href="{{.First}}">First page</a>{{end}}{{if .Next}} <a href="{{.Next}}" rel="next">Next page</a>{{end}}</nav>
{{end}}

{{define "rows"}}<div class="scroll"><table class="members"{{if .ID}} id="{{.ID}}"{{end}}>
<thead><tr>{{range .Cols}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .Cells}}<td{{if .Class}} class="{{.Class}}"{{end}}>{{if .HTML}}{{.HTML}}{{else if .Href}}<a href="{{.Href}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table></div>{{end}}

{{define "table"}}<section aria-labelledby="{{.ID}}-h">
<h2 id="{{.ID}}-h">{{.Title}}</h2>
{{if .Rows}}{{template "rows" .}}{{else}}<p class="empty-state">{{.Empty}}{{if .Create}} <a href="{{.Create}}">{{.CreateText}}</a>.{{end}}</p>{{end}}
{{if .More}}<p><a href="{{.More}}">All of them</a></p>{{end}}
</section>
{{end}}

{{define "error"}}<div class="error" role="alert"><p><strong>{{.Status}}</strong> {{.Message}}</p>{{if .Where}}<p>{{.Where}}</p>{{end}}</div>
<p><a href="{{.Home}}">Back to the overview</a></p>{{end}}
`))

type cell struct {
	Text, Href, Class string
	HTML              template.HTML // set: the cell, written as is
}
type row struct{ Cells []cell }

type tableData struct {
	ID, Title, Empty, More string
	Create, CreateText     string // the empty state's way forward
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
	var buf bytes.Buffer
	if isError(root, g) {
		err := s.errorExtras(&buf, r, root, g)
		return template.HTML(buf.String()), true, err
	}
	iri, ok := root.(rdf.IRI)
	if !ok {
		return "", false, nil
	}
	id := iri.String()
	var err error
	hide := false
	base, member := s.queryBase(id), s.kindOf(id)
	switch {
	case id == s.URL("/"):
		err, hide = s.overview(&buf, r), true
	case base != nil && len(objectsOf(g, s.api.RequestPageIRI(r), vocab.RDFType)) > 0:
		err, hide = s.listExtras(&buf, r, base, g, nil), true
	case member != nil && viewOf(member).extras != nil:
		err = viewOf(member).extras(s, &buf, r, iri, g)
	}
	if err != nil {
		return "", false, err
	}
	return template.HTML(buf.String()), hide, nil
}

// isError tells whether g is an oslc:Error named root.
func isError(root rdf.Subject, g []rdf.Triple) bool {
	for _, t := range objectsOf(g, root, vocab.RDFType) {
		if t == vocab.OSLCError {
			return true
		}
	}
	return false
}

// errorExtras shows an error for people: on a query page, next to the
// filter it came from, with what was typed; elsewhere as a message.
func (s *Server) errorExtras(buf *bytes.Buffer, r *http.Request, root rdf.Subject, g []rdf.Triple) error {
	msg := firstOf(g, root, vocab.OSLCMessage)
	where := ""
	for _, ext := range objectsOf(g, root, vocab.OSLCExtendedError) {
		where = strings.TrimPrefix(firstOf(g, ext, vocab.DCDescription), "in ")
	}
	if k := s.queryBase(s.URL(strings.TrimPrefix(r.URL.Path, s.api.Prefix()))); k != nil && r.Method == http.MethodGet {
		return s.listExtras(buf, r, k, nil, &listError{where: where, msg: msg})
	}
	return pagesTmpl.ExecuteTemplate(buf, "error", struct{ Status, Message, Where, Home string }{
		firstOf(g, root, vocab.OSLCStatusCode), msg, where, s.URL("/"),
	})
}

// A listError is a query page's error, shown next to its filter.
type listError struct{ where, msg string }

// memberRows reads each member and lays out its columns.
func (s *Server) memberRows(r *http.Request, k *oslc.Kind, ids []rdf.IRI) []row {
	l := s.labeller(r.Context())
	v := viewOf(k)
	now := s.api.Now()
	var rows []row
	for _, id := range ids {
		g, _, err := s.store().Get(r.Context(), id)
		if err != nil {
			continue
		}
		first := cell{Text: l.of(id, g), Href: id.String()}
		if v.nounDate {
			if t, ok := parseTime(firstOf(g, id, vocab.DCDate)); ok {
				first.HTML = template.HTML(`<a href="`+template.HTMLEscapeString(id.String())+`">`) + timeHTML(t, time.UTC, now) + "</a>"
			}
		}
		rw := row{Cells: []cell{first}}
		for _, c := range v.columns {
			rw.Cells = append(rw.Cells, s.columnCell(l, c, objectsOf(g, id, c.pred), now))
		}
		if v.measures {
			rw.Cells = append(rw.Cells, cell{HTML: chips(measuresOf(g, id)), Class: "chips"})
		}
		rows = append(rows, rw)
	}
	return rows
}

// columnCell writes the values os of column c.
func (s *Server) columnCell(l *labeller, c column, os []rdf.Term, now time.Time) cell {
	var texts []string
	out := cell{}
	for _, o := range os {
		t := o.String()
		switch o := o.(type) {
		case rdf.IRI:
			if c.label {
				t, out.Href = l.label(o.String()), o.String()
			} else {
				t = termLabel(t)
			}
		case rdf.Literal:
			if o.DataType == vocab.XSDDateTime {
				if tt, ok := parseTime(t); ok && len(os) == 1 {
					out.HTML = timeHTML(tt, time.UTC, now)
				}
			} else if o.DataType == vocab.XSDDuration {
				t = durationText(t)
			}
		}
		texts = append(texts, t)
	}
	out.Text = strings.Join(texts, ", ")
	if c.pred == vocab.PMAvailabilityStatus && len(os) == 1 {
		text, cls := statusText(strings.TrimPrefix(os[0].String(), vocab.PM), true)
		out.HTML = template.HTML(`<span class="status ` + cls + `">` + template.HTMLEscapeString(text) + `</span>`)
	}
	return out
}

// chips writes measures as compact chips, the recorded value on hover.
func chips(ms []measureRow) template.HTML {
	var b strings.Builder
	b.WriteString(`<ul class="chips">`)
	for _, m := range ms {
		b.WriteString(`<li title="` + template.HTMLEscapeString(m.Raw) + `"><span class="m">` + template.HTMLEscapeString(m.Metric) + `</span> ` + template.HTMLEscapeString(m.Value) + `</li>`)
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

// durationText writes an xsd:duration for people: "1 min", "1 h", "1 day".
func durationText(v string) string {
	d, err := vocab.ParseDuration(v)
	if err != nil || d <= 0 {
		return v
	}
	plural := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + many
	}
	switch {
	case d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day", "days")
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
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

// listExtras writes a query page: its filter, the error the filter gave
// (lerr, with no members), and the members.
func (s *Server) listExtras(buf *bytes.Buffer, r *http.Request, k *oslc.Kind, g []rdf.Triple, lerr *listError) error {
	q := r.URL.Query()
	base := s.iri(k.Path())
	var ids []rdf.IRI
	for _, m := range objectsOf(g, base, vocab.RDFSMember) {
		if iri, ok := m.(rdf.IRI); ok {
			ids = append(ids, iri)
		}
	}
	page := s.api.RequestPageIRI(r)
	v := viewOf(k)
	d := struct {
		Title, Action, Where, Terms, Next, First  string
		WhereError, TermsError, OtherError, Empty string
		Create, CreateText                        string
		Filtered, Error, Newest                   bool
		Total                                     int
		Keep                                      []struct{ Name, Value string }
		ID                                        string
		Cols                                      []string
		Rows                                      []row
	}{
		Title: k.Title, Action: s.URL(k.Path()), Where: q.Get("oslc.where"), Terms: q.Get("oslc.searchTerms"),
		Total: -1, Cols: colNames(k), Rows: s.memberRows(r, k, ids), Empty: v.empty,
		Newest: q.Get("oslc.orderBy") == newestFirstText,
	}
	if v.createKind != "" {
		d.Create, d.CreateText = s.URL("/ui/create/"+v.createKind), v.createText
	}
	if lerr != nil {
		d.Error, d.Total = true, 0
		switch {
		case strings.Contains(lerr.where, "oslc.where"):
			d.WhereError = lerr.msg
		case strings.Contains(lerr.where, "oslc.searchTerms"):
			d.TermsError = lerr.msg
		default:
			d.OtherError = lerr.msg
		}
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
		ID: tid, Title: title, Empty: "No records yet: a measurement job writes them, or an agent POSTs them to the records' creation factory.",
		Create: s.URL("/ui/create/jobs"), CreateText: "Create a measurement job",
		Cols: colNames(k), Rows: s.memberRows(r, k, ids),
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
	now := s.api.Now()
	var rows []row
	for _, m := range res.Members {
		g, _, err := s.store().Get(r.Context(), m.ID)
		if err != nil {
			continue
		}
		label := func(p string) string {
			if v := firstOf(g, m.ID, vocab.PMJTerm(p)); v != "" {
				return termLabel(v)
			}
			return ""
		}
		first := cell{Text: firstOf(g, m.ID, vocab.DCDate), Href: m.ID.String()}
		if t, ok := parseTime(first.Text); ok {
			first.HTML = template.HTML(`<a href="`+template.HTMLEscapeString(m.ID.String())+`">`) + timeHTML(t, time.UTC, now) + "</a>"
		}
		rows = append(rows, row{Cells: []cell{
			first, {Text: label("event")}, {Text: label("fromState")}, {Text: label("toState")},
			{Text: firstOf(g, m.ID, vocab.IRI(vocab.DCTerms, "creator"))},
			{Text: firstOf(g, m.ID, vocab.DCDescription), Class: "wrap"},
		}})
	}
	buf.WriteString(`<div id="job-live" data-live>`)
	if err := pagesTmpl.ExecuteTemplate(buf, "table", tableData{
		ID: "history", Title: "State history", Empty: "No tracking records yet.",
		Cols: []string{"Time", "Event", "From", "To", "By", "Description"}, Rows: rows,
		More: s.moreLink(k, where),
	}); err != nil {
		return err
	}
	if err := s.recentTable(buf, r, "records", "Latest records", where); err != nil {
		return err
	}
	buf.WriteString(`</div>`)
	return nil
}

func (s *Server) recordExtras(buf *bytes.Buffer, r *http.Request, id rdf.IRI, g []rdf.Triple) error {
	var rows []row
	for _, m := range measuresOf(g, id) {
		rows = append(rows, row{Cells: []cell{{Text: m.Metric, Href: m.MetricHref}, {HTML: template.HTML(`<span title="` + template.HTMLEscapeString(m.Raw) + `">` + template.HTMLEscapeString(m.Value) + `</span>`), Class: "num"}}})
	}
	l := s.labeller(r.Context())
	if part := firstOf(g, id, vocab.DCIsPartOf); part != "" {
		status, cls := statusText(strings.TrimPrefix(firstOf(g, id, vocab.PMAvailabilityStatus), vocab.PM), true)
		fmt.Fprintf(buf, `<p class="summary">Resource <a href="%s">%s</a> · <span class="status %s">%s</span>`, template.HTMLEscapeString(part), template.HTMLEscapeString(l.label(part)), cls, template.HTMLEscapeString(status))
		if t, ok := parseTime(firstOf(g, id, vocab.DCDate)); ok {
			buf.WriteString(" · ")
			buf.WriteString(string(timeHTML(t, time.UTC, s.api.Now())))
		}
		buf.WriteString("</p>")
	}
	return pagesTmpl.ExecuteTemplate(buf, "table", tableData{
		ID: "measures", Title: "Measures", Empty: "This record has no measures.",
		Cols: []string{"Metric", "Value"}, Rows: rows,
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
