package ui

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

type selectData struct {
	Title, Label, Search, Kind string
}

var selectBody = template.Must(template.New("select").Parse(`<main class="dialog" aria-labelledby="dialog-title">
<h1 id="dialog-title">{{.Title}}</h1>
<form id="search-form" role="search" data-search="{{.Search}}" data-kind="{{.Kind}}">
<label for="q">Search {{.Label}}s</label>
<input id="q" name="q" type="search" autocomplete="off" autofocus aria-controls="results" aria-describedby="status">
</form>
<p id="status" role="status" aria-live="polite">Loading…</p>
<form id="pick-form">
<fieldset><legend class="sr-only">Results</legend>
<ul id="results" class="results"></ul>
</fieldset>
<div class="buttons">
<button type="submit" id="ok" class="primary" disabled>Select</button>
<button type="button" id="cancel">Cancel</button>
</div>
</form>
</main>
`))

// dialog returns the kind the request names and its dialog for action,
// or writes a 404 and returns nil.
func (s *Server) dialog(w http.ResponseWriter, r *http.Request, action, what string) (*oslc.Kind, *oslc.Dialog) {
	name := mux.Vars(r)["kind"]
	if k := s.kind(name); k != nil {
		if d := k.Dialog(action); d != nil {
			return k, d
		}
	}
	s.writeError(w, r, oslc.Errorf(http.StatusNotFound, "URL", "no %s dialog for %q", what, name))
	return nil, nil
}

// SelectDialog answers GET on /ui/select/{kind}: the selection dialog.
func (s *Server) SelectDialog(w http.ResponseWriter, r *http.Request) {
	k, d := s.dialog(w, r, "select", "selection")
	if d == nil {
		return
	}
	s.writeUIPage(w, r, http.StatusOK, uiPageData{Title: d.Title, Class: "embedded"}, selectBody, selectData{
		Title: d.Title, Label: strings.ToLower(d.Label), Search: s.URL("/ui/select/" + k.Name + "/search"), Kind: k.Name,
	})
}

// A searchHit is one result of the selection dialog's search.
type searchHit struct {
	Label  string `json:"label"`
	URI    string `json:"uri"`
	Detail string `json:"detail,omitempty"`
	date   string
	score  int
}

// searchLimit is how many hits the selection dialog shows.
const searchLimit = 25

// SelectSearch answers the selection dialog's search as you type:
// resources whose title, description or identifier has words starting
// with each word typed (the store's full-text index); records also by the
// title of their resource. Nothing typed: the latest.
func (s *Server) SelectSearch(w http.ResponseWriter, r *http.Request) {
	k, d := s.dialog(w, r, "select", "selection")
	if d == nil {
		return
	}
	hits, err := s.search(r.Context(), k, r.URL.Query().Get("q"))
	if err != nil {
		s.writeError(w, r, oslc.QueryError(err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"results": hits})
}

func (s *Server) search(ctx context.Context, k *oslc.Kind, q string) ([]searchHit, error) {
	tokens := literal.Tokens(q)
	// Each word is a prefix scan: as oslc.searchTerms, at most so many.
	if len(tokens) > parser.MaxSearchWords {
		tokens = tokens[:parser.MaxSearchWords]
	}
	v := viewOf(k)
	var ids []string
	scores := map[string]int{}
	if len(tokens) == 0 {
		q := &query.Query{}
		if v.sortByDate {
			q.OrderBy = newestFirst
		}
		res, err := s.uiQuery(ctx, k, q, searchLimit)
		if err != nil {
			return nil, err
		}
		for _, m := range res.Members {
			ids = append(ids, m.ID.String())
		}
	} else {
		hits, err := s.prefixSearch(ctx, tokens)
		if err != nil {
			return nil, err
		}
		var owners []string
		mine, theirs := s.URL(k.Path())+"/", ""
		if v.owners != "" {
			theirs = s.URL(s.kind(v.owners).Path()) + "/"
		}
		for id, sc := range hits {
			switch {
			case strings.HasPrefix(id, mine):
				ids = append(ids, id)
				scores[id] = sc
			case theirs != "" && strings.HasPrefix(id, theirs):
				owners = append(owners, id)
			}
		}
		if len(owners) > 0 {
			sort.Strings(owners)
			if len(owners) > 20 {
				owners = owners[:20]
			}
			var terms []rdf.Term
			for _, o := range owners {
				if i, ok := iriOf(o); ok {
					terms = append(terms, i)
				}
			}
			res, err := s.uiQuery(ctx, k, &query.Query{Where: parser.And(parser.In(vocab.DCIsPartOf, terms...)), OrderBy: newestFirst}, searchLimit)
			if err != nil {
				return nil, err
			}
			for _, m := range res.Members {
				if _, ok := scores[m.ID.String()]; !ok {
					ids = append(ids, m.ID.String())
				}
			}
		}
	}
	l := s.labeller(ctx)
	// No hits is an empty list, never null: clients iterate it.
	out := []searchHit{}
	for _, id := range ids {
		iri, err := rdf.NewIRI(id)
		if err != nil {
			continue
		}
		g, _, err := s.store().Get(ctx, iri)
		if err != nil {
			continue
		}
		h := searchHit{Label: l.of(iri, g), URI: id, score: scores[id], date: firstOf(g, iri, vocab.DCDate)}
		var detail []string
		for _, t := range objectsOf(g, iri, vocab.RDFType) {
			detail = append(detail, termLabel(t.String()))
		}
		if v.measures {
			for _, m := range measuresOf(g, iri) {
				detail = append(detail, m.Metric+" "+m.Value)
			}
		}
		h.Detail = strings.Join(detail, " · ")
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].date > out[j].date
	})
	if len(out) > searchLimit {
		out = out[:searchLimit]
	}
	return out, nil
}

// prefixSearch returns the resources (IRIs without fragment) with a word
// starting with every token, with the sum of their term frequencies.
func (s *Server) prefixSearch(ctx context.Context, tokens []string) (map[string]int, error) {
	const maxPostings = 20000
	var out map[string]int
	err := s.store().View(ctx, func(src query.Source) error {
		var err error
		out, err = query.PrefixSearch(ctx, src, tokens, maxPostings)
		return err
	})
	return out, err
}

// A formField is one input of a creation dialog, checked against the
// property's shape before the dialog posts.
type formField struct {
	Name, Label, Pred, Input string
	Datatype                 string // literal datatype; "" for IRIs
	Required, Multiple       bool
	Pattern, Min, Max, Value string
	Step                     string // of a number input; "any" for decimals
	Hint, Placeholder        string
	Options                  []formOption
	// List is the id of a datalist of suggestions (zones).
	List string
	// Split: the text holds several values, comma-separated.
	Split bool
}

type formOption struct {
	Value, Label string
	Selected     bool
	// Data is the option's data-for: the collectors that offer a
	// metric, or the seconds of a duration.
	Data string
}

type createData struct {
	Title, Factory, Shape, Kind, Types string
	Fields                             []formField
	Zones                              []string
}

var createBody = template.Must(template.New("create").Parse(`<main class="dialog" aria-labelledby="dialog-title">
<h1 id="dialog-title">{{.Title}}</h1>
<form id="create-form" novalidate data-factory="{{.Factory}}" data-shape="{{.Shape}}" data-kind="{{.Kind}}" data-types="{{.Types}}">
<div id="server-error" class="error" role="alert" hidden></div>
{{range .Fields}}{{if eq .Input "checks"}}<fieldset class="field checks" id="f-{{.Name}}" data-name="{{.Name}}" data-pred="{{.Pred}}" aria-describedby="h-{{.Name}} e-{{.Name}}">
<legend>{{.Label}}</legend>
{{$n := .Name}}{{range $i, $o := .Options}}<label class="check"><input type="checkbox" name="{{$n}}" value="{{$o.Value}}"{{if $o.Selected}} checked{{end}}> {{$o.Label}}</label>{{end}}
<small id="h-{{.Name}}" class="hint">{{.Hint}}</small>
<span id="e-{{.Name}}" class="field-error"></span>
</fieldset>
{{else}}<div class="field">
<label for="f-{{.Name}}">{{.Label}}{{if .Required}} <span aria-hidden="true" class="req">*</span><span class="sr-only">(required)</span>{{end}}</label>
{{if eq .Input "select"}}<select id="f-{{.Name}}" name="{{.Name}}" data-pred="{{.Pred}}" data-datatype="{{.Datatype}}"{{if .Required}} required aria-required="true"{{end}}{{if .Multiple}} multiple size="5"{{end}} aria-describedby="h-{{.Name}} e-{{.Name}}">
{{if not .Multiple}}<option value="">{{if .Placeholder}}{{.Placeholder}}{{else}}—{{end}}</option>{{end}}{{range .Options}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}{{if .Data}} data-for="{{.Data}}"{{end}}>{{.Label}}</option>{{end}}
</select>
{{else if eq .Input "textarea"}}<textarea id="f-{{.Name}}" name="{{.Name}}" rows="3" data-pred="{{.Pred}}" data-datatype="{{.Datatype}}"{{if .Required}} required aria-required="true"{{end}} aria-describedby="h-{{.Name}} e-{{.Name}}">{{.Value}}</textarea>
{{else}}<input id="f-{{.Name}}" name="{{.Name}}" type="{{.Input}}" value="{{.Value}}" data-pred="{{.Pred}}" data-datatype="{{.Datatype}}"{{if .Required}} required aria-required="true"{{end}}{{if .Pattern}} pattern="{{.Pattern}}"{{end}}{{if .Min}} min="{{.Min}}"{{end}}{{if .Max}} max="{{.Max}}"{{end}}{{if .Placeholder}} placeholder="{{.Placeholder}}"{{end}}{{if .List}} list="{{.List}}" autocomplete="off"{{end}}{{if .Split}} data-split=","{{end}}{{if eq .Input "datetime-local"}} step="60"{{end}}{{if .Step}} step="{{.Step}}"{{end}} aria-describedby="h-{{.Name}} e-{{.Name}}">
{{end}}<small id="h-{{.Name}}" class="hint">{{.Hint}}</small>
<span id="e-{{.Name}}" class="field-error"></span>
</div>
{{end}}{{end}}<div class="buttons">
<button type="submit" id="ok" class="primary">Create</button>
<button type="button" id="cancel">Cancel</button>
</div>
<datalist id="zones">{{range .Zones}}<option value="{{.}}"></option>{{end}}</datalist>
</form>
</main>
`))

// CreateDialog answers GET on /ui/create/{kind}: the creation dialog.
func (s *Server) CreateDialog(w http.ResponseWriter, r *http.Request) {
	k, d := s.dialog(w, r, "create", "creation")
	if d == nil {
		return
	}
	data := createData{
		Title:   d.Title,
		Factory: s.URL(k.Path()),
		Shape:   s.URL("/oslc/shapes/" + k.Shape.Name),
		Kind:    k.Name,
	}
	if k.Implied != (rdf.IRI{}) {
		data.Types = k.Implied.String()
	}
	form := viewOf(k).form
	if form == nil {
		s.writeError(w, r, oslc.Errorf(http.StatusNotFound, "URL", "no creation dialog for %q", k.Name))
		return
	}
	fields, err := form(s, r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range fields {
		fromShape(&fields[i], k.Shape)
	}
	data.Fields = fields
	data.Zones = zones
	s.writeUIPage(w, r, http.StatusOK, uiPageData{Title: d.Title, Class: "embedded"}, createBody, data)
}

// fromShape completes f from its property's shape: whether it is
// required, its allowed values and its description.
func fromShape(f *formField, sh *shapes.Shape) {
	p := sh.Property(f.Pred)
	if p == nil {
		return
	}
	if p.Occurs == shapes.ExactlyOne || p.Occurs == shapes.OneOrMany {
		f.Required = true
	}
	if p.Occurs == shapes.ZeroOrMany || p.Occurs == shapes.OneOrMany {
		f.Multiple = f.Multiple || f.Input == "select" && f.Name != "type"
	}
	if f.Input == "select" && len(f.Options) == 0 {
		for _, a := range p.Allowed {
			f.Options = append(f.Options, formOption{Value: a.String(), Label: lastSegment(a.String())})
		}
	}
	if f.Hint == "" {
		f.Hint = p.Description
	}
}

// resourceOptions lists the monitored resources a job may measure.
func (s *Server) resourceOptions(ctx context.Context) ([]formOption, error) {
	res, err := s.uiQuery(ctx, s.kind("resources"), &query.Query{}, 500)
	if err != nil {
		return nil, err
	}
	l := s.labeller(ctx)
	var out []formOption
	for _, m := range res.Members {
		out = append(out, formOption{Value: m.ID.String(), Label: l.label(m.ID.String())})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, nil
}

// jobOptions lists the collectors, metrics and granularities the job
// engine supports, from its capabilities document.
func (s *Server) jobOptions() (collectors, metrics, granularities []formOption) {
	id := s.iri("/oslc/capabilities")
	g := s.api.Jobs().Capabilities(id)
	offered := map[string][]string{}
	var order []string
	for _, c := range objectsOf(g, id, vocab.PMJTerm("supportedCollector")) {
		collectors = append(collectors, formOption{Value: c.String(), Label: humanize(strings.TrimSuffix(lastSegment(c.String()), "Collector"))})
		for _, m := range objectsOf(g, c, vocab.PMJTerm("supportedMetric")) {
			if _, ok := offered[m.String()]; !ok {
				order = append(order, m.String())
			}
			offered[m.String()] = append(offered[m.String()], c.String())
		}
	}
	for _, m := range order {
		metrics = append(metrics, formOption{Value: m, Label: termLabel(m), Data: strings.Join(offered[m], " ")})
	}
	sort.SliceStable(metrics, func(i, j int) bool { return metrics[i].Label < metrics[j].Label })
	for _, d := range objectsOf(g, id, vocab.PMJTerm("supportedGranularity")) {
		granularities = append(granularities, durationOption(d.String(), d.String() == "PT1M"))
	}
	return collectors, metrics, granularities
}

// durationOption offers the xsd:duration v, labelled for people, with its
// seconds for the dialog's checks.
func durationOption(v string, selected bool) formOption {
	o := formOption{Value: v, Label: durationText(v), Selected: selected}
	if d, err := vocab.ParseDuration(v); err == nil {
		o.Data = strconv.FormatInt(int64(d/time.Second), 10)
	}
	return o
}

// reportingPeriods are the reporting periods the creation dialog offers.
var reportingPeriods = []string{"PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D"}

// resourceForm is the creation dialog's form of a monitored resource.
func (s *Server) resourceForm(context.Context) ([]formField, error) {
	var types []formOption
	for _, t := range shapes.MonitoredClasses {
		types = append(types, formOption{Value: t.String(), Label: lastSegment(t.String()), Selected: len(types) == 0})
	}
	return []formField{
		{Name: "type", Label: "Type", Pred: vocab.RDF + "type", Input: "select", Options: types},
		{Name: "title", Label: "Title", Pred: vocab.DCTerms + "title", Input: "text", Required: true, Placeholder: "web01"},
		{Name: "name", Label: "Name", Pred: vocab.CRTV + "name", Input: "text", Datatype: vocab.XSD + "string"},
		{Name: "fqdn", Label: "Fully qualified domain name", Pred: vocab.CRTV + "fqdn", Input: "text", Datatype: vocab.XSD + "string", Pattern: `[A-Za-z0-9]([A-Za-z0-9.\-]*[A-Za-z0-9])?`},
		{Name: "description", Label: "Description", Pred: vocab.DCTerms + "description", Input: "textarea"},
	}, nil
}

// jobForm is the creation dialog's form of a measurement job: choices
// where the capabilities offer them, pickers for times and days.
func (s *Server) jobForm(ctx context.Context) ([]formField, error) {
	resources, err := s.resourceOptions(ctx)
	if err != nil {
		return nil, err
	}
	collectors, metrics, granularities := s.jobOptions()
	var periods []formOption
	for _, p := range reportingPeriods {
		periods = append(periods, durationOption(p, false))
	}
	var days []formOption
	for _, d := range shapes.Weekdays[1:] {
		days = append(days, formOption{Value: d.String(), Label: lastSegment(d.String())})
	}
	days = append(days, formOption{Value: shapes.Weekdays[0].String(), Label: lastSegment(shapes.Weekdays[0].String())})
	dt := vocab.XSD + "dateTime"
	return []formField{
		{Name: "title", Label: "Title", Pred: vocab.DCTerms + "title", Input: "text"},
		{Name: "monitoredObject", Label: "Monitored resources", Pred: vocab.PMJ + "monitoredObject", Input: "select", Multiple: true, Required: true, Options: resources,
			Hint: "The resources the job measures; hold Ctrl or ⌘ to pick several."},
		{Name: "collector", Label: "Collector", Pred: vocab.PMJ + "collector", Input: "select", Options: collectors},
		{Name: "performanceIndicator", Label: "Metrics", Pred: vocab.PMJ + "performanceIndicator", Input: "select", Multiple: true, Options: metrics,
			Hint: "The metrics the collector offers; none picked: all of them."},
		{Name: "granularity", Label: "Granularity", Pred: vocab.PMJ + "granularity", Input: "select", Datatype: vocab.XSD + "duration", Options: granularities,
			Hint: "How often the job records."},
		{Name: "reportingPeriod", Label: "Reporting period", Pred: vocab.PMJ + "reportingPeriod", Input: "select", Datatype: vocab.XSD + "duration", Options: periods, Placeholder: "Same as the granularity",
			Hint: "How often the job writes a report: a whole number of granularity periods."},
		{Name: "startTime", Label: "Start", Pred: vocab.PMJ + "startTime", Input: "datetime-local", Datatype: dt, Hint: "Empty: at once. Your browser's time zone."},
		{Name: "stopTime", Label: "Stop", Pred: vocab.PMJ + "stopTime", Input: "datetime-local", Datatype: dt, Hint: "Empty: never."},
		{Name: "weekDay", Label: "Days of the week", Pred: vocab.PMJ + "weekDay", Input: "checks", Options: days, Hint: "None ticked: every day."},
		{Name: "dailyInterval", Label: "Daily intervals", Pred: vocab.PMJ + "dailyInterval", Input: "text", Datatype: vocab.XSD + "string",
			Pattern: `([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9](, *([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9])*`, Placeholder: "08:00-12:00, 13:00-18:00", Split: true,
			Hint: "When the job records each day, in its time zone; empty: all day."},
		{Name: "timeZone", Label: "Time zone", Pred: vocab.PMJ + "timeZone", Input: "text", Datatype: vocab.XSD + "string", Placeholder: "Europe/Berlin", List: "zones"},
		{Name: "jobPriority", Label: "Priority", Pred: vocab.PMJ + "jobPriority", Input: "number", Datatype: vocab.XSD + "integer", Min: "1", Max: "10"},
		{Name: "description", Label: "Description", Pred: vocab.DCTerms + "description", Input: "textarea"},
	}, nil
}
