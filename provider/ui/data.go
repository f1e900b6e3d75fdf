package ui

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The pages ask the query engine what the query capabilities answer: the
// same members, selected and ordered the same way.

// iriOf returns id as an IRI; ok is false for ids that are none.
func iriOf(id string) (rdf.IRI, bool) {
	i, err := rdf.NewIRI(id)
	return i, err == nil
}

// seriesSelect is what a chart reads of each record.
var seriesSelect = parser.Select(parser.Sel(vocab.DCDate), parser.Sel(vocab.PMAvailabilityStatus),
	parser.Sel(vocab.EMSObserves, parser.Sel(vocab.EMSMetric), parser.Sel(vocab.EMSNumericValue), parser.Sel(vocab.EMSUnitOfMeasure)))

// A point is one value of a metric at a time.
type point struct {
	T time.Time
	V float64
}

// series are the values of each metric of a resource's records, oldest
// first, and the units of each metric.
type series struct {
	metrics []string // by number of points, then name
	points  map[string][]point
	units   map[string]string
	status  []statusPoint // oldest first
}

// A statusPoint is the availability a record reports.
type statusPoint struct {
	T      time.Time
	Status string // local name in pm: Running, NotRunning, Unknown
}

// pmStatus is the IRI of the availability status named local.
func pmStatus(local string) string { return vocab.PM + local }

// metricSeries reads the records of resource id from from to to (zero:
// any time), newest first, at most max of them.
func (s *Server) metricSeries(ctx context.Context, id string, from, to time.Time, max int) (*series, error) {
	iri, ok := iriOf(id)
	out := &series{points: map[string][]point{}, units: map[string]string{}}
	if !ok {
		return out, nil
	}
	where := parser.And(parser.Eq(vocab.DCIsPartOf, iri))
	if !from.IsZero() {
		where.Terms = append(where.Terms, parser.Compare(vocab.DCDate, parser.OpGE, rdf.NewTypedLiteral(from.UTC().Format(time.RFC3339), vocab.XSDDateTime)))
	}
	if !to.IsZero() {
		where.Terms = append(where.Terms, parser.Compare(vocab.DCDate, parser.OpLE, rdf.NewTypedLiteral(to.UTC().Format(time.RFC3339Nano), vocab.XSDDateTime)))
	}
	res, err := s.uiQuery(ctx, s.kind("records"), &query.Query{Where: where, Select: seriesSelect, OrderBy: newestFirst}, max)
	if err != nil {
		return nil, err
	}
	for _, m := range res.Members {
		out.add(m)
	}
	out.sort()
	return out, nil
}

// batchSelect is seriesSelect with the resource each record is part of.
var batchSelect = parser.Select(append([]parser.SelectProp{parser.Sel(vocab.DCIsPartOf)}, seriesSelect.Props...)...)

// latestSeries reads the latest records of each resource of ids, at most
// max each. One query reads the newest records of all of them together;
// only when its shared limit was reached may it have cut a resource
// short, and each such resource is read again on its own.
func (s *Server) latestSeries(ctx context.Context, ids []string, max int) (map[string]*series, error) {
	out := make(map[string]*series, len(ids))
	var terms []rdf.Term
	for _, id := range ids {
		out[id] = &series{points: map[string][]point{}, units: map[string]string{}}
		if iri, ok := iriOf(id); ok {
			terms = append(terms, iri)
		}
	}
	if len(terms) == 0 {
		return out, nil
	}
	limit := max * len(terms)
	res, err := s.uiQuery(ctx, s.kind("records"), &query.Query{Where: parser.And(parser.In(vocab.DCIsPartOf, terms...)), Select: batchSelect, OrderBy: newestFirst}, limit)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, m := range res.Members {
		part := firstOf(m.Triples, m.ID, vocab.DCIsPartOf)
		sr, ok := out[part]
		if !ok || count[part] >= max {
			continue
		}
		count[part]++
		sr.add(m)
	}
	full := len(res.Members) >= limit
	for id, sr := range out {
		if full && count[id] < max {
			if out[id], err = s.metricSeries(ctx, id, time.Time{}, time.Time{}, max); err != nil {
				return nil, err
			}
			continue
		}
		sr.sort()
	}
	return out, nil
}

// add adds the values and status of the record m.
func (out *series) add(m query.Member) {
	var when time.Time
	status := ""
	measures := map[string]bool{}
	for _, t := range m.Triples {
		if sameTerm(t.Subj, m.ID) {
			switch t.Pred {
			case vocab.DCDate:
				when, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
			case vocab.EMSObserves:
				measures[termKey(t.Obj)] = true
			case vocab.PMAvailabilityStatus:
				status = strings.TrimPrefix(t.Obj.String(), vocab.PM)
			}
		}
	}
	if when.IsZero() {
		return
	}
	if status != "" {
		out.status = append(out.status, statusPoint{T: when, Status: status})
	}
	metric, unit, value := map[string]string{}, map[string]string{}, map[string]float64{}
	for _, t := range m.Triples {
		k := termKey(t.Subj)
		if !measures[k] {
			continue
		}
		switch t.Pred {
		case vocab.EMSMetric:
			metric[k] = t.Obj.String()
		case vocab.EMSNumericValue:
			if v, err := strconv.ParseFloat(t.Obj.String(), 64); err == nil {
				value[k] = v
			}
		case vocab.EMSUnitOfMeasure:
			unit[k] = t.Obj.String()
		}
	}
	for k, mt := range metric {
		if v, ok := value[k]; ok {
			out.points[mt] = append(out.points[mt], point{T: when, V: v})
		}
		if u := unit[k]; u != "" {
			out.units[mt] = u
		}
	}
}

// sort orders the values and statuses oldest first, and the metrics.
func (out *series) sort() {
	sort.Slice(out.status, func(i, j int) bool { return out.status[i].T.Before(out.status[j].T) })
	for mt, ps := range out.points {
		sort.Slice(ps, func(i, j int) bool { return ps[i].T.Before(ps[j].T) })
		out.metrics = append(out.metrics, mt)
	}
	sort.Slice(out.metrics, func(i, j int) bool {
		a, b := out.metrics[i], out.metrics[j]
		if len(out.points[a]) != len(out.points[b]) {
			return len(out.points[a]) > len(out.points[b])
		}
		return a < b
	})
}

// keyMetric is the metric a sparkline shows: CPU when measured, else the
// one with the most points.
func (sr *series) keyMetric() string {
	for _, m := range sr.metrics {
		if m == vocab.PM+"CpuUsed" {
			return m
		}
	}
	if len(sr.metrics) > 0 {
		return sr.metrics[0]
	}
	return ""
}

// preferredMetrics are shown first where a page shows a few metrics.
var preferredMetrics = []string{vocab.PM + "CpuUsed", vocab.PM + "RealMemoryUsed", vocab.PM + "ResponseTime", vocab.PM + "DiskSpaceUsed"}

// keyMetrics returns at most n metrics: the preferred ones measured, then
// those with the most points.
func (sr *series) keyMetrics(n int) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range preferredMetrics {
		if _, ok := sr.points[m]; ok && len(out) < n {
			out = append(out, m)
			seen[m] = true
		}
	}
	for _, m := range sr.metrics {
		if !seen[m] && len(out) < n {
			out = append(out, m)
		}
	}
	return out
}

// latestStatus is the availability the newest record reports, "" when
// none does.
func (sr *series) latestStatus() (string, time.Time) {
	if len(sr.status) == 0 {
		return "", time.Time{}
	}
	p := sr.status[len(sr.status)-1]
	return p.Status, p.T
}

// labeller finds the labels of resources, from the store when they are
// ours, remembering them for one request.
type labeller struct {
	s     *Server
	ctx   context.Context
	cache map[string]string
}

func (s *Server) labeller(ctx context.Context) *labeller {
	return &labeller{s: s, ctx: ctx, cache: map[string]string{}}
}

// label returns a short human name for id.
func (l *labeller) label(id string) string {
	if v, ok := l.cache[id]; ok {
		return v
	}
	v := ""
	if iri, err := rdf.NewIRI(id); err == nil && l.s.kindOf(id) != nil {
		if g, _, err := l.s.store().Get(l.ctx, iri); err == nil {
			v = l.of(iri, g)
		}
	}
	if v == "" {
		v = lastSegment(id)
	}
	l.cache[id] = v
	return v
}

// of labels the resource id described by g: its title, name or label;
// records by their resource and time.
func (l *labeller) of(id rdf.IRI, g []rdf.Triple) string {
	get := func(p rdf.IRI) string {
		for _, t := range g {
			if t.Pred == p && sameTerm(t.Subj, id) {
				return t.Obj.String()
			}
		}
		return ""
	}
	for _, p := range []rdf.IRI{vocab.DCTitle, vocab.IRI(vocab.CRTV, "name"), vocab.IRI(vocab.RDFS, "label")} {
		if v := get(p); v != "" {
			return v
		}
	}
	when := func(date string) string {
		if t, ok := parseTime(date); ok {
			return humanTime(t, time.UTC, time.Now())
		}
		return date
	}
	if part, date := get(vocab.DCIsPartOf), get(vocab.DCDate); part != "" && date != "" {
		return l.label(part) + " at " + when(date)
	}
	if date := get(vocab.DCDate); date != "" {
		return termLabel(get(vocab.RDFType)) + " at " + when(date)
	}
	return lastSegment(id.String())
}

func lastSegment(id string) string {
	t := strings.TrimRight(id, "/#")
	if i := strings.LastIndexAny(t, "/#"); i >= 0 && i < len(t)-1 {
		return t[i+1:]
	}
	return id
}

// objectsOf returns the objects of (subj, p) in g.
func objectsOf(g []rdf.Triple, subj rdf.Term, p rdf.IRI) []rdf.Term {
	var out []rdf.Term
	for _, t := range g {
		if t.Pred == p && sameTerm(t.Subj, subj) {
			out = append(out, t.Obj)
		}
	}
	return out
}

// sameTerm is rdf.TermsEqual without its cost for nodes, which it
// compares by their N-Triples: the pages compare subjects by the thousand.
func sameTerm(a, b rdf.Term) bool {
	switch x := a.(type) {
	case rdf.IRI:
		y, ok := b.(rdf.IRI)
		return ok && x == y
	case rdf.Blank:
		y, ok := b.(rdf.Blank)
		return ok && x == y
	}
	return rdf.TermsEqual(a, b)
}

func firstOf(g []rdf.Triple, subj rdf.Term, p rdf.IRI) string {
	if os := objectsOf(g, subj, p); len(os) > 0 {
		return os[0].String()
	}
	return ""
}

// A measureRow is one measure of a record, for pages.
type measureRow struct {
	Metric, MetricHref, Value string
	Raw                       string // the value as recorded, on hover
}

// measuresOf returns the measures of record id in g, by label.
func measuresOf(g []rdf.Triple, id rdf.IRI) []measureRow {
	var out []measureRow
	for _, m := range objectsOf(g, id, vocab.EMSObserves) {
		metric := firstOf(g, m, vocab.EMSMetric)
		raw := firstOf(g, m, vocab.EMSNumericValue)
		v := raw
		u := unitOf(firstOf(g, m, vocab.EMSUnitOfMeasure))
		if f, err := strconv.ParseFloat(raw, 64); err == nil {
			v = u.format(f)
		} else if u.Symbol != "" {
			v += " " + u.Symbol
		}
		out = append(out, measureRow{Metric: termLabel(metric), MetricHref: metric, Value: v, Raw: raw})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Metric < out[j].Metric })
	return out
}
