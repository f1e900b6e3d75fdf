package promapi

import (
	"context"
	"slices"
	"strings"

	"github.com/knakk/rdf"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Label names and values over all time, which Grafana asks for without
// a time range, are answered from witnesses rather than from every
// record: the vocabulary and the monitored resources say what can be,
// an index read says what the records may hold at all, and the records
// of each chosen resource are read only until each answer has a record
// that proves it. The answers are those of reading every record: when
// a witness is missing, the scan reads on, up to every record.

// A witnessScan reads the records of the resources ms selects, resource
// by resource, into one reader, asking after each record whether to go
// on to the next resource or to stop. It notes what the series read so
// far prove.
type witnessScan struct {
	a  *API
	ms []*labels.Matcher
	// after tells, after a record of res, whether res needs no more
	// reading (next) or the whole scan is done.
	after func(res rdf.IRI) (next, done bool)
	// skip tells whether res, of class, needs no reading at all.
	skip func(res rdf.IRI, class string) bool

	seen map[string]map[string]bool // label name → values of the series read
}

func (ws *witnessScan) note(ls labels.Labels) {
	ls.Range(func(l labels.Label) {
		if ws.seen[l.Name] == nil {
			ws.seen[l.Name] = map[string]bool{}
		}
		ws.seen[l.Name][l.Value] = true
	})
}

// covers tells whether the series read have every value of label name
// in want.
func (ws *witnessScan) covers(name string, want map[string]bool) bool {
	for v := range want {
		if !ws.seen[name][v] {
			return false
		}
	}
	return true
}

// run scans the records of src and returns the series read.
func (ws *witnessScan) run(ctx context.Context, src query.Source) ([]*series, error) {
	a := ws.a
	ws.seen = map[string]map[string]bool{}
	metrics := map[rdf.IRI]string{}
	for _, name := range a.metrics.names {
		if matchOne(ws.ms, labels.MetricName, name) {
			metrics[a.metrics.byName[name]] = name
		}
	}
	if len(metrics) == 0 {
		return nil, nil
	}
	classes, err := a.resources(ctx, src, ws.ms)
	if err != nil || len(classes) == 0 {
		return nil, err
	}
	r := reader{ms: ws.ms, w: all, metrics: metrics, classes: classes, byKey: map[string]*series{}, max: a.maxSamples, accepted: ws.note}
	rr, bolt := src.(boltsource.RecordReader)
	ids := make([]rdf.IRI, 0, len(classes))
	for id := range classes {
		ids = append(ids, id)
	}
	// In IRI order, so that a scan that stops early reads the same
	// records each time.
	slices.SortFunc(ids, func(x, y rdf.IRI) int { return strings.Compare(x.String(), y.String()) })
	for _, res := range ids {
		if ws.skip != nil && ws.skip(res, classes[res]) {
			continue
		}
		done := false
		fn := func(rec *store.Record) bool {
			if !r.record(rec) {
				return false
			}
			var next bool
			next, done = ws.after(res)
			return !next && !done
		}
		if bolt {
			err = rr.Records(ctx, store.RecordQuery{
				Prefix:    a.base + "/oslc/records/",
				Props:     []rdf.IRI{vocab.DCIsPartOf, vocab.DCDate, pmjProducedBy},
				Via:       vocab.EMSObserves,
				NodeProps: []rdf.IRI{vocab.EMSMetric, vocab.EMSUnitOfMeasure, vocab.EMSNumericValue},
				Link:      vocab.DCIsPartOf,
				Targets:   []rdf.Object{res},
			}, fn)
		} else {
			err = a.readGeneric(ctx, src, map[rdf.IRI]string{res: classes[res]}, all, fn)
		}
		if err != nil {
			return nil, err
		}
		if r.err != nil {
			return nil, r.err
		}
		if done {
			break
		}
	}
	return r.series(), nil
}

// anyTriple tells whether src holds a triple of p with object o (nil
// for any).
func anyTriple(ctx context.Context, src query.Source, p rdf.IRI, o rdf.Object) (bool, error) {
	found := false
	err := src.Match(ctx, nil, p, o, func(rdf.Triple) bool {
		found = true
		return false
	})
	return found, err
}

// witnessed returns series that show the label names (name "") or the
// values of label name of the series ms selects over all time, all of
// them, read from as few records as prove them; ok is false when
// witnesses cannot tell, for the values of job and unit, which vary
// record by record: then every record must be read.
func (a *API) witnessed(ctx context.Context, ms []*labels.Matcher, name string) (ss []*series, ok bool, err error) {
	switch name {
	case "", labels.MetricName, LabelResource, LabelClass:
	default:
		return nil, false, nil
	}
	err = a.store.View(ctx, func(src query.Source) error {
		ws := &witnessScan{a: a, ms: ms}
		switch name {
		case LabelResource:
			// A resource is proved by one series of it.
			ws.after = func(res rdf.IRI) (bool, bool) { return ws.seen[LabelResource][res.String()], false }
		case LabelClass:
			// A class is proved by one series of one resource of it.
			ws.after = func(res rdf.IRI) (bool, bool) { return ws.seen[LabelResource][res.String()], false }
			ws.skip = func(_ rdf.IRI, class string) bool { return ws.seen[LabelClass][class] }
		case labels.MetricName:
			// Done when every metric that the index holds a measure of
			// is proved; a metric without one has no series.
			want := map[string]bool{}
			for _, n := range a.metrics.names {
				if !matchOne(ms, labels.MetricName, n) {
					continue
				}
				may, err := anyTriple(ctx, src, vocab.EMSMetric, a.metrics.byName[n])
				if err != nil {
					return err
				}
				if may {
					want[n] = true
				}
			}
			ws.after = func(rdf.IRI) (bool, bool) { return false, ws.covers(labels.MetricName, want) }
		case "":
			// Done when every label name is proved that some triple may
			// give: job by pmj:producedBy, unit by ems:unitOfMeasure.
			want := map[string]bool{labels.MetricName: true, LabelResource: true, LabelClass: true}
			for l, p := range map[string]rdf.IRI{LabelJob: pmjProducedBy, LabelUnit: vocab.EMSUnitOfMeasure} {
				may, err := anyTriple(ctx, src, p, nil)
				if err != nil {
					return err
				}
				want[l] = may
			}
			ws.after = func(rdf.IRI) (bool, bool) {
				for l, may := range want {
					if may && len(ws.seen[l]) == 0 {
						return false, false
					}
				}
				return false, true
			}
		}
		ss, err = ws.run(ctx, src)
		return err
	})
	return ss, err == nil, err
}
