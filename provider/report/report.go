// Package report reads performance reports (pmj:Report, as the job
// engine and ad-hoc collections store them) into a typed Report, with the
// records they list flattened into rows, and writes them as files: CSV
// and 3GPP TS 32.435 measCollecFile. Negotiate tells from a request which
// file, if any, a client asks for; the RDF representations of a report
// are the HTTP API's, as for every resource.
package report

import (
	"context"
	"slices"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// A Report is a performance report with its records flattened. Values are
// the lexical forms stored (times keep their offsets), so that a file
// says what the RDF representation says.
type Report struct {
	ID          string // the report's IRI
	Job         string // pmj:producedBy: the job or ad-hoc collection
	Granularity string // pmj:granularity, an xsd:duration; "" if not stated
	Start, End  string // the reporting period
	Rows        []Row  // ordered by period end, resource and metric
}

// A Row is one value of one metric of one resource in one period. The
// pm:availabilityStatus of a record is a row too, its metric
// pm:availabilityStatus and its value the status's IRI.
type Row struct {
	Resource, Metric, Unit string
	Start, End             string // the period the value covers
	Value                  string
	Count                  string // pmj:sampleCount; "" if not stated
}

// A Getter reads a stored resource: its graph and its ETag, as
// store.DB.Get does.
type Getter interface {
	Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error)
}

// The pmj properties a report is read from.
var (
	pmjProducedBy  = vocab.PMJTerm("producedBy")
	pmjGranularity = vocab.PMJTerm("granularity")
	pmjPeriodStart = vocab.PMJTerm("periodStart")
	pmjPeriodEnd   = vocab.PMJTerm("periodEnd")
	pmjRecord      = vocab.PMJTerm("record")
	pmjSampleCount = vocab.PMJTerm("sampleCount")
)

// Read reads report id and the records it lists from st. The error of
// reading the report itself is returned as st gives it (store.ErrNotFound
// for none); a record that cannot be read is left out: retention may have
// removed it since, and the report lists what is left.
func Read(ctx context.Context, st Getter, id rdf.IRI) (*Report, error) {
	g, _, err := st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := &Report{ID: id.String()}
	var recs []rdf.IRI
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred {
		case pmjProducedBy:
			rep.Job = t.Obj.String()
		case pmjGranularity:
			rep.Granularity = t.Obj.String()
		case pmjPeriodStart:
			rep.Start = t.Obj.String()
		case pmjPeriodEnd:
			rep.End = t.Obj.String()
		case pmjRecord:
			if i, ok := t.Obj.(rdf.IRI); ok {
				recs = append(recs, i)
			}
		}
	}
	for _, rec := range recs {
		rg, _, err := st.Get(ctx, rec)
		if err != nil {
			continue
		}
		rep.Rows = append(rep.Rows, recordRows(rec, rg)...)
	}
	slices.SortStableFunc(rep.Rows, func(a, b Row) int {
		if c := strings.Compare(a.End, b.End); c != 0 {
			return c
		}
		if c := strings.Compare(a.Resource, b.Resource); c != 0 {
			return c
		}
		return strings.Compare(a.Metric, b.Metric)
	})
	return rep, nil
}

// recordRows flattens record id, of graph g: a row per measure, and one
// for its pm:availabilityStatus.
func recordRows(id rdf.IRI, g []rdf.Triple) []Row {
	var base Row
	measures := make(map[string]*Row)
	var order []string
	var status string
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) {
			switch t.Pred {
			case vocab.DCIsPartOf:
				base.Resource = t.Obj.String()
			case vocab.DCDate:
				base.End = t.Obj.String()
			case pmjPeriodStart:
				base.Start = t.Obj.String()
			case vocab.PMAvailabilityStatus:
				status = t.Obj.String()
			}
		}
	}
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) && t.Pred == vocab.EMSObserves {
			k := t.Obj.String()
			if measures[k] == nil {
				measures[k] = &Row{}
				order = append(order, k)
			}
		}
	}
	for _, t := range g {
		m := measures[t.Subj.String()]
		if m == nil {
			continue
		}
		switch t.Pred {
		case vocab.EMSMetric:
			m.Metric = t.Obj.String()
		case vocab.EMSNumericValue:
			m.Value = t.Obj.String()
		case vocab.EMSUnitOfMeasure:
			m.Unit = t.Obj.String()
		case pmjSampleCount:
			m.Count = t.Obj.String()
		}
	}
	var out []Row
	for _, k := range order {
		m := measures[k]
		if m.Metric == "" {
			continue
		}
		m.Resource, m.Start, m.End = base.Resource, base.Start, base.End
		out = append(out, *m)
	}
	if status != "" {
		out = append(out, Row{Resource: base.Resource, Start: base.Start, End: base.End,
			Metric: vocab.PMAvailabilityStatus.String(), Value: status})
	}
	return out
}
