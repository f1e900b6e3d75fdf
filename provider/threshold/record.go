package threshold

import (
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

var (
	pmjPeriodStart = vocab.PMJTerm("periodStart")
	pmjProducedBy  = vocab.PMJTerm("producedBy")
)

// A record is what a threshold reads of a pm:PerformanceMonitoringRecord.
type record struct {
	id, res rdf.IRI
	date    rdf.Literal // dcterms:date as written, with its offset; zero if none
	by      rdf.IRI     // pmj:producedBy: the job or ad-hoc collection; zero if none
	period  time.Duration
	// measures are its values; counters are there as the rates the
	// collectors store.
	measures []measure
}

type measure struct {
	metric, unit rdf.IRI
	value        float64
}

// recordResource returns the resource record id is about: the only thing
// read of a record no threshold covers.
func recordResource(id rdf.IRI, g []rdf.Triple) rdf.IRI {
	for _, t := range g {
		if t.Pred == vocab.DCIsPartOf && isSubj(t, id) {
			if i, ok := t.Obj.(rdf.IRI); ok {
				return i
			}
		}
	}
	return rdf.IRI{}
}

// readRecord reads record id about res from g.
func readRecord(id, res rdf.IRI, g []rdf.Triple) *record {
	rec := &record{id: id, res: res}
	var start time.Time
	type m struct {
		metric, unit rdf.IRI
		value        float64
		ok           bool
	}
	ms := make(map[string]*m)
	var order []string
	get := func(s rdf.Subject) *m {
		k := s.String()
		x := ms[k]
		if x == nil {
			x = &m{}
			ms[k] = x
			order = append(order, k)
		}
		return x
	}
	for _, t := range g {
		if isSubj(t, id) {
			switch t.Pred {
			case vocab.DCDate:
				rec.date, _ = t.Obj.(rdf.Literal)
			case pmjPeriodStart:
				start = parseTime(t.Obj.String())
			case pmjProducedBy:
				rec.by, _ = t.Obj.(rdf.IRI)
			}
			continue
		}
		switch t.Pred {
		case vocab.EMSMetric:
			get(t.Subj).metric, _ = t.Obj.(rdf.IRI)
		case vocab.EMSUnitOfMeasure:
			get(t.Subj).unit, _ = t.Obj.(rdf.IRI)
		case vocab.EMSNumericValue:
			v, err := strconv.ParseFloat(strings.TrimSpace(t.Obj.String()), 64)
			x := get(t.Subj)
			x.value, x.ok = v, err == nil
		}
	}
	if !start.IsZero() && rec.date != (rdf.Literal{}) {
		if end := parseTime(rec.date.String()); end.After(start) {
			rec.period = end.Sub(start)
		}
	}
	for _, k := range order {
		if x := ms[k]; x.ok && x.metric != (rdf.IRI{}) {
			rec.measures = append(rec.measures, measure{metric: x.metric, unit: x.unit, value: x.value})
		}
	}
	return rec
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	return t
}

// instancesOf is the oslc.where of the resources a class threshold watches.
func instancesOf(th *Threshold) *parser.Where {
	terms := []parser.Term{parser.Eq(vocab.RDFType, th.Class)}
	if th.Filter != nil {
		terms = append(terms, th.Filter.Terms...)
	}
	return parser.And(terms...)
}

// isSubj says whether t is about id. rdf.TermsEqual would serialize both
// terms: this is on the path of every record.
func isSubj(t rdf.Triple, id rdf.IRI) bool {
	s, ok := t.Subj.(rdf.IRI)
	return ok && s == id
}
