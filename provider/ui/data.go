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
var seriesSelect = parser.Select(parser.Sel(vocab.DCDate),
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
}

// metricSeries reads the records of resource id since from (zero: any
// time), newest first, at most max of them.
func (s *Server) metricSeries(ctx context.Context, id string, from time.Time, max int) (*series, error) {
	iri, ok := iriOf(id)
	out := &series{points: map[string][]point{}, units: map[string]string{}}
	if !ok {
		return out, nil
	}
	where := parser.And(parser.Eq(vocab.DCIsPartOf, iri))
	if !from.IsZero() {
		where.Terms = append(where.Terms, parser.Compare(vocab.DCDate, parser.OpGE, rdf.NewTypedLiteral(from.UTC().Format(time.RFC3339), vocab.XSDDateTime)))
	}
	res, err := s.uiQuery(ctx, s.kind("records"), &query.Query{Where: where, Select: seriesSelect, OrderBy: newestFirst}, max)
	if err != nil {
		return nil, err
	}
	for _, m := range res.Members {
		var when time.Time
		measures := map[string]bool{}
		for _, t := range m.Triples {
			if rdf.TermsEqual(t.Subj, m.ID) {
				switch t.Pred {
				case vocab.DCDate:
					when, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
				case vocab.EMSObserves:
					measures[termKey(t.Obj)] = true
				}
			}
		}
		if when.IsZero() {
			continue
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
	return out, nil
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
			if rdf.TermsEqual(t.Subj, id) && t.Pred == p {
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
	if part, date := get(vocab.DCIsPartOf), get(vocab.DCDate); part != "" && date != "" {
		return l.label(part) + " at " + date
	}
	if date := get(vocab.DCDate); date != "" {
		return vocab.Short(get(vocab.RDFType)) + " at " + date
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
		if rdf.TermsEqual(t.Subj, subj) && t.Pred == p {
			out = append(out, t.Obj)
		}
	}
	return out
}

func firstOf(g []rdf.Triple, subj rdf.Term, p rdf.IRI) string {
	if os := objectsOf(g, subj, p); len(os) > 0 {
		return os[0].String()
	}
	return ""
}

// A measureRow is one measure of a record, for pages.
type measureRow struct {
	Metric, MetricHref, Value, Unit string
}

// measuresOf returns the measures of record id in g.
func measuresOf(g []rdf.Triple, id rdf.IRI) []measureRow {
	var out []measureRow
	for _, m := range objectsOf(g, id, vocab.EMSObserves) {
		metric := firstOf(g, m, vocab.EMSMetric)
		v := firstOf(g, m, vocab.EMSNumericValue)
		if f, err := strconv.ParseFloat(v, 64); err == nil && (f >= 1e4 || f <= -1e4) {
			v = formatValue(f)
		}
		unit := unitName(firstOf(g, m, vocab.EMSUnitOfMeasure))
		if unit != "" && unit != "%" {
			unit = " " + unit
		}
		out = append(out, measureRow{
			Metric:     vocab.Short(metric),
			MetricHref: metric,
			Value:      v,
			Unit:       unit,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Metric < out[j].Metric })
	return out
}

// unitName shortens the DBpedia unit IRIs records use.
func unitName(u string) string {
	switch lastSegment(u) {
	case "Percentage":
		return "%"
	case "":
		return ""
	}
	return lastSegment(u)
}
