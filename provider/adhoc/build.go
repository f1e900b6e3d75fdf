package adhoc

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A Result is what an ad-hoc collection made.
type Result struct {
	// Resources are a record per resource and granularity period with
	// data, in period and resource order, then the report listing them.
	Resources []store.Resource
	Report    rdf.IRI // the last of Resources
	Sources   int     // how many stored records were aggregated
}

// Build aggregates the stored records of req, the request of collection
// id (identifier ident), into records per resource and granularity
// period and a report listing them, made at now. The report's identifier
// is ident; a record's is ident, its period and a hash of its resource.
func (b *Builder) Build(ctx context.Context, id rdf.IRI, ident string, req *Request, now time.Time) (*Result, error) {
	samples, n, err := b.read(ctx, req)
	if err != nil {
		return nil, err
	}
	keys := make([]bucket, 0, len(samples))
	for k := range samples {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b bucket) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.res.String(), b.res.String())
	})
	dt := func(t time.Time) rdf.Literal {
		return rdf.NewTypedLiteral(t.In(req.Location).Format(time.RFC3339Nano), vocab.XSDDateTime)
	}
	integer := func(n int) rdf.Literal { return rdf.NewTypedLiteral(strconv.Itoa(n), vocab.XSDInteger) }
	var out []store.Resource
	reportID, err := b.iri("/oslc/reports/" + ident)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("Ad-hoc collection %s to %s", req.Start.In(req.Location).Format("2006-01-02 15:04"), req.Stop.In(req.Location).Format("2006-01-02 15:04 MST"))
	report := []rdf.Triple{
		{Subj: reportID, Pred: vocab.RDFType, Obj: vocab.PMJReport},
		{Subj: reportID, Pred: vocab.DCTitle, Obj: rdf.NewTypedLiteral(title, vocab.RDFXMLLiteral)},
		{Subj: reportID, Pred: pmjProducedBy, Obj: id},
		{Subj: reportID, Pred: pmjPeriodStart, Obj: dt(req.Start)},
		{Subj: reportID, Pred: vocab.PMJTerm("periodEnd"), Obj: dt(req.Stop)},
		{Subj: reportID, Pred: vocab.PMJTerm("granularity"), Obj: rdf.NewTypedLiteral(vocab.FormatDuration(req.Granularity), vocab.XSDDuration)},
		{Subj: reportID, Pred: vocab.PMJTerm("recordCount"), Obj: integer(len(keys))},
		{Subj: reportID, Pred: vocab.PMJTerm("collectedPeriods"), Obj: integer(periodsIn(keys))},
		{Subj: reportID, Pred: vocab.PMJTerm("missedPeriods"), Obj: integer(0)},
	}
	report = append(report, b.managed(reportID, shapes.ReportName, ident, now)...)
	for _, k := range keys {
		h := fnv.New32a()
		h.Write([]byte(k.res.String()))
		rident := ident + "-" + strconv.FormatInt(k.start.Unix(), 36) + "-" + strconv.FormatUint(uint64(h.Sum32()), 36)
		rid, err := b.iri("/oslc/records/" + rident)
		if err != nil {
			return nil, err
		}
		end := k.start.Add(req.Granularity)
		g := []rdf.Triple{
			{Subj: rid, Pred: vocab.RDFType, Obj: vocab.PMRecord},
			{Subj: rid, Pred: vocab.DCIsPartOf, Obj: k.res},
			{Subj: rid, Pred: vocab.DCDate, Obj: dt(end)},
			{Subj: rid, Pred: pmjPeriodStart, Obj: dt(k.start)},
			{Subj: rid, Pred: pmjProducedBy, Obj: id},
		}
		for i, smp := range collect.Aggregate(samples[k]) {
			m := vocab.IRI(rid.String()+"#", "m"+strconv.Itoa(i+1))
			g = append(g,
				rdf.Triple{Subj: rid, Pred: vocab.EMSObserves, Obj: m},
				rdf.Triple{Subj: m, Pred: vocab.RDFType, Obj: vocab.EMSMeasure},
				rdf.Triple{Subj: m, Pred: vocab.EMSMetric, Obj: smp.Metric},
				rdf.Triple{Subj: m, Pred: vocab.EMSNumericValue, Obj: rdf.NewTypedLiteral(strconv.FormatFloat(smp.Value, 'g', -1, 64), vocab.XSDDouble)},
				rdf.Triple{Subj: m, Pred: pmjSampleCount, Obj: integer(smp.Count)},
			)
			if smp.Unit != (rdf.IRI{}) {
				g = append(g, rdf.Triple{Subj: m, Pred: vocab.EMSUnitOfMeasure, Obj: smp.Unit})
			}
		}
		g = append(g, b.managed(rid, shapes.RecordName, rident, now)...)
		out = append(out, store.Resource{ID: rid, Triples: g})
		report = append(report, rdf.Triple{Subj: reportID, Pred: vocab.PMJTerm("record"), Obj: rid})
	}
	out = append(out, store.Resource{ID: reportID, Triples: report})
	return &Result{Resources: out, Report: reportID, Sources: n}, nil
}

// Outcome returns the triples that state on collection id how it ended:
// with res, pmj:Completed, its report and the number of records it
// aggregated; with err (res nil), pmj:Failed and why.
func Outcome(id rdf.IRI, res *Result, err error) []rdf.Triple {
	if err != nil {
		return []rdf.Triple{
			{Subj: id, Pred: vocab.PMJTerm("stateReason"), Obj: rdf.NewTypedLiteral(err.Error(), vocab.XSDString)},
			{Subj: id, Pred: vocab.PMJTerm("executionState"), Obj: vocab.PMJTerm("Failed")},
		}
	}
	return []rdf.Triple{
		{Subj: id, Pred: vocab.PMJTerm("report"), Obj: res.Report},
		{Subj: id, Pred: vocab.PMJTerm("sourceRecordCount"), Obj: rdf.NewTypedLiteral(strconv.Itoa(res.Sources), vocab.XSDInteger)},
		{Subj: id, Pred: vocab.PMJTerm("executionState"), Obj: vocab.PMJTerm("Completed")},
	}
}

// periodsIn counts the distinct periods of keys (sorted by start).
func periodsIn(keys []bucket) int {
	n := 0
	for i, k := range keys {
		if i == 0 || !k.start.Equal(keys[i-1].start) {
			n++
		}
	}
	return n
}

// iri is the IRI of path under the base URL.
func (b *Builder) iri(path string) (rdf.IRI, error) {
	i, err := rdf.NewIRI(b.Base + path)
	if err != nil {
		return rdf.IRI{}, fmt.Errorf("ad-hoc collection: %w", err)
	}
	return i, nil
}

// managed returns the server-managed triples of a resource made at now.
func (b *Builder) managed(id rdf.IRI, shape, ident string, now time.Time) []rdf.Triple {
	if b.Managed == nil {
		return nil
	}
	return b.Managed(id, shape, ident, now, now)
}
