package promapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

var pmjProducedBy = vocab.PMJTerm("producedBy")

// A sample is one measure's value at its record's dcterms:date, in
// milliseconds since the Unix epoch.
type sample struct {
	t int64
	v float64
}

// A series is the samples of one label set, in time order.
type series struct {
	labels  labels.Labels
	samples []sample
}

// errTooManySamples is returned when a selection reads more samples than
// the API's MaxSamples.
var errTooManySamples = errors.New("too many samples")

// window is a half-open time range (lo, hi] in milliseconds; lo, hi or
// both may be open.
type window struct {
	lo, hi         int64
	openLo, openHi bool
}

// all is every time.
var all = window{openLo: true, openHi: true}

func (w window) has(t int64) bool {
	return (w.openLo || t > w.lo) && (w.openHi || t <= w.hi)
}

func dateLiteral(ms int64) *rdf.Literal {
	l := rdf.NewTypedLiteral(time.UnixMilli(ms).UTC().Format(time.RFC3339Nano), vocab.XSDDateTime)
	return &l
}

// selectSeries reads the series that ms select with samples in w, from
// one view of the store. The metric name and the resource labels choose
// which index entries are read: the records of the chosen resources, or
// those of the time range, whichever the index counts as fewer; the
// other labels are checked on each sample.
func (a *API) selectSeries(ctx context.Context, ms []*labels.Matcher, w window) ([]*series, error) {
	metrics := map[rdf.IRI]string{}
	for _, name := range a.metrics.names {
		if matchOne(ms, labels.MetricName, name) {
			metrics[a.metrics.byName[name]] = name
		}
	}
	if len(metrics) == 0 {
		return nil, nil
	}
	var out []*series
	err := a.store.View(ctx, func(src query.Source) error {
		classes, err := a.resources(ctx, src, ms)
		if err != nil || len(classes) == 0 {
			return err
		}
		r := reader{ms: ms, w: w, metrics: metrics, classes: classes, byKey: map[string]*series{}, max: a.maxSamples}
		rr, ok := src.(boltsource.RecordReader)
		if !ok {
			if err := a.readGeneric(ctx, src, classes, w, r.record); err != nil {
				return err
			}
			if r.err != nil {
				return r.err
			}
			out = r.series()
			return nil
		}
		q := store.RecordQuery{
			Prefix:    a.base + "/oslc/records/",
			Props:     []rdf.IRI{vocab.DCIsPartOf, vocab.DCDate, pmjProducedBy},
			Via:       vocab.EMSObserves,
			NodeProps: []rdf.IRI{vocab.EMSMetric, vocab.EMSUnitOfMeasure, vocab.EMSNumericValue},
		}
		byDate, err := a.fewerByDate(ctx, src, classes, w)
		if err != nil {
			return err
		}
		if byDate {
			q.Link = vocab.DCDate
			q.Targets, err = dates(ctx, src, q.Prefix, w)
		} else {
			q.Link = vocab.DCIsPartOf
			for r := range classes {
				q.Targets = append(q.Targets, r)
			}
		}
		if err != nil {
			return err
		}
		if err := rr.Records(ctx, q, r.record); err != nil {
			return err
		}
		if r.err != nil {
			return r.err
		}
		out = r.series()
		return nil
	})
	return out, err
}

// fewerByDate tells whether the time range w has much fewer record
// index entries than the resources: then the records are read by date.
// Reading by date costs a Range over the dates, which decodes each
// entry's subject, besides the records: twice the entries.
func (a *API) fewerByDate(ctx context.Context, src query.Source, classes map[rdf.IRI]string, w window) (bool, error) {
	if w.openLo && w.openHi {
		return false, nil
	}
	acc, ok := src.(query.Accelerator)
	if !ok || !acc.Features().Join {
		return false, nil
	}
	const limit = 1 << 22
	var byRes []query.Pattern
	for r := range classes {
		byRes = append(byRes, query.Pattern{Pred: vocab.DCIsPartOf, Obj: r})
	}
	nRes, err := acc.Count(ctx, byRes, limit)
	if err != nil {
		return false, err
	}
	lo, hi, opt := dateBounds(w)
	nDate, err := acc.Count(ctx, []query.Pattern{{Pred: vocab.DCDate, Lo: lo, Hi: hi, Opt: opt}}, limit)
	if err != nil {
		return false, err
	}
	return 2*nDate < nRes, nil
}

func dateBounds(w window) (lo, hi *rdf.Literal, opt query.RangeOptions) {
	if !w.openLo {
		lo = dateLiteral(w.lo)
	}
	if !w.openHi {
		hi = dateLiteral(w.hi)
	}
	// Bounds are compared to the millisecond below, not by the index.
	return lo, hi, query.RangeOptions{LoInclusive: true, HiInclusive: true}
}

// dates returns the distinct dcterms:date values of the records under
// prefix in w.
func dates(ctx context.Context, src query.Source, prefix string, w window) ([]rdf.Object, error) {
	lo, hi, opt := dateBounds(w)
	seen := map[string]bool{}
	var out []rdf.Object
	err := src.Range(ctx, vocab.DCDate, lo, hi, opt, func(s rdf.Subject, o rdf.Literal) bool {
		if !strings.HasPrefix(s.String(), prefix) {
			return true
		}
		k := o.String() + "\x00" + o.DataType.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, o)
		}
		return true
	})
	return out, err
}

// resources returns the monitored resources that the matchers of the
// resource labels select, with their classes.
func (a *API) resources(ctx context.Context, src query.Source, ms []*labels.Matcher) (map[rdf.IRI]string, error) {
	prefix := a.base + "/oslc/resources/"
	var ids []rdf.IRI
	after, err := rdf.NewIRI(prefix)
	if err != nil {
		return nil, err
	}
	err = src.Resources(ctx, after, func(id rdf.IRI) bool {
		s := id.String()
		if !strings.HasPrefix(s, prefix) {
			return false
		}
		if matchOne(ms, LabelResource, s) {
			ids = append(ids, id)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	out := make(map[rdf.IRI]string, len(ids))
	for _, id := range ids {
		c, err := a.classOf(ctx, src, id)
		if err != nil {
			return nil, err
		}
		if matchOne(ms, LabelClass, c) {
			out[id] = c
		}
	}
	return out, nil
}

// classOf returns the most specific rdf:type of resource id, by the pm
// and ems vocabularies' subclasses; between equals, the least IRI.
func (a *API) classOf(ctx context.Context, src query.Source, id rdf.IRI) (string, error) {
	sup, _ := vocab.SubClassClosure()
	best, depth := "", -1
	err := src.Match(ctx, id, vocab.RDFType, nil, func(t rdf.Triple) bool {
		c, ok := t.Obj.(rdf.IRI)
		if !ok {
			return true
		}
		s := c.String()
		d := len(sup[s])
		if d > depth || (d == depth && s < best) {
			best, depth = s, d
		}
		return true
	})
	return best, err
}

// matchOne tells whether the matchers of label name, if any, accept
// value.
func matchOne(ms []*labels.Matcher, name, value string) bool {
	for _, m := range ms {
		if m.Name == name && !m.Matches(value) {
			return false
		}
	}
	return true
}

// A reader turns records into the samples of series.
type reader struct {
	ms      []*labels.Matcher
	w       window
	metrics map[rdf.IRI]string
	classes map[rdf.IRI]string
	byKey   map[string]*series
	n, max  int
	err     error
	key     []byte
	// accepted, if set, is told the labels of each series the
	// matchers accept, at its first sample.
	accepted func(ls labels.Labels)
}

// record adds the measures of one record to their series.
func (r *reader) record(rec *store.Record) bool {
	var res rdf.IRI
	var job string
	var at int64
	dated := false
	for _, p := range rec.Props {
		switch p.Pred {
		case vocab.DCIsPartOf:
			res, _ = p.Obj.(rdf.IRI)
		case vocab.DCDate:
			t, err := time.Parse(time.RFC3339Nano, p.Obj.String())
			at, dated = t.UnixMilli(), err == nil
		case pmjProducedBy:
			job = p.Obj.String()
			if strings.Contains(job, "/oslc/adhoc/") {
				return true // an ad-hoc collection's aggregate of records already read
			}
		}
	}
	class, ok := r.classes[res]
	if !ok || !dated || !r.w.has(at) {
		return true
	}
	for _, node := range rec.Nodes {
		var metric, unit string
		var v float64
		hasValue := false
		for _, p := range node {
			switch p.Pred {
			case vocab.EMSMetric:
				if m, ok := p.Obj.(rdf.IRI); ok {
					metric = r.metrics[m]
				}
			case vocab.EMSUnitOfMeasure:
				unit = p.Obj.String()
			case vocab.EMSNumericValue:
				f, err := strconv.ParseFloat(p.Obj.String(), 64)
				v, hasValue = f, err == nil
			}
		}
		if metric == "" || !hasValue {
			continue
		}
		r.key = append(r.key[:0], metric...)
		for _, s := range []string{res.String(), job, unit} {
			r.key = append(append(r.key, 0), s...)
		}
		s := r.byKey[string(r.key)]
		if s == nil {
			// An empty value is an absent label, as in Prometheus.
			b := labels.NewScratchBuilder(5)
			for _, l := range [...][2]string{{labels.MetricName, metric}, {LabelResource, res.String()}, {LabelClass, class}, {LabelJob, job}, {LabelUnit, unit}} {
				if l[1] != "" {
					b.Add(l[0], l[1])
				}
			}
			b.Sort()
			ls := b.Labels()
			if !matchAll(r.ms, ls) {
				s = &series{} // rejected: remember it, without samples
				r.byKey[string(r.key)] = s
				continue
			}
			s = &series{labels: ls}
			r.byKey[string(r.key)] = s
		}
		if s.labels.IsEmpty() {
			continue
		}
		if r.n++; r.max > 0 && r.n > r.max {
			r.err = fmt.Errorf("%w: the selection reads more than %d samples; narrow it", errTooManySamples, r.max)
			return false
		}
		if len(s.samples) == 0 && r.accepted != nil {
			r.accepted(s.labels)
		}
		s.samples = append(s.samples, sample{t: at, v: v})
	}
	return true
}

// series returns the series read, sorted by labels, their samples in
// time order.
func (r *reader) series() []*series {
	var out []*series
	for _, s := range r.byKey {
		if s.labels.IsEmpty() || len(s.samples) == 0 {
			continue
		}
		slices.SortStableFunc(s.samples, func(a, b sample) int { return cmpInt64(a.t, b.t) })
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *series) int { return labels.Compare(a.labels, b.labels) })
	return out
}

func matchAll(ms []*labels.Matcher, ls labels.Labels) bool {
	for _, m := range ms {
		if !m.Matches(ls.Get(m.Name)) {
			return false
		}
	}
	return true
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
