package provider

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// readAdhocByGet is readAdhoc the straightforward way, as it was: each
// record through Get, its measures from the graph.
func (s *Server) readAdhocByGet(ctx context.Context, req *adhocRequest) (map[adhocBucket][]collect.Sample, int, error) {
	samples := make(map[adhocBucket][]collect.Sample)
	n := 0
	err := s.store.View(ctx, func(sn query.Source) error {
		for _, res := range req.objects {
			var recs []rdf.IRI
			err := sn.Match(ctx, nil, vocab.DCIsPartOf, res, func(t rdf.Triple) bool {
				if i, ok := t.Subj.(rdf.IRI); ok && strings.HasPrefix(i.String(), s.base+"/oslc/records/") {
					recs = append(recs, i)
				}
				return true
			})
			if err != nil {
				return err
			}
			for _, id := range recs {
				g, _, err := sn.Get(ctx, id)
				if err != nil {
					continue
				}
				if aggregateGraph(id, g, req, samples) {
					n++
				}
			}
		}
		return nil
	})
	return samples, n, err
}

func TestAdhocReadAgreesWithGet(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), nil)
	require.NoError(t, err)
	defer db.Close()
	const base = "http://pm.example"
	s, err := New(boltsource.New(db), Config{BaseURL: base})
	require.NoError(t, err)

	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	iri := func(s string) rdf.IRI { i, _ := rdf.NewIRI(s); return i }
	dt := func(t time.Time) rdf.Literal { return rdf.NewTypedLiteral(t.Format(time.RFC3339), vocab.XSDDateTime) }
	num := func(v float64) rdf.Literal {
		return rdf.NewTypedLiteral(strconv.FormatFloat(v, 'g', -1, 64), vocab.XSDDouble)
	}
	var objs []rdf.IRI
	var rs []store.Resource
	for i := range 3 {
		objs = append(objs, iri(fmt.Sprintf("%s/oslc/resources/r%d", base, i)))
		rs = append(rs, store.Resource{ID: objs[i], Triples: []rdf.Triple{{Subj: objs[i], Pred: vocab.RDFType, Obj: vocab.PMRecord}}})
	}
	for m := range 200 {
		for i, res := range objs {
			id := iri(fmt.Sprintf("%s/oslc/records/x%d-%d", base, m, i))
			start := day.Add(time.Duration(m*7) * time.Minute)
			m1, m2 := iri(id.String()+"#m1"), rdf.Subject(iri(id.String()+"#m2"))
			if m%5 == 0 {
				m2, _ = rdf.NewBlank("b")
			}
			g := []rdf.Triple{
				{Subj: id, Pred: vocab.DCIsPartOf, Obj: res},
				{Subj: id, Pred: vocab.DCDate, Obj: dt(start.Add(7 * time.Minute))},
				{Subj: id, Pred: vocab.EMSObserves, Obj: m1},
				{Subj: m1, Pred: vocab.EMSMetric, Obj: vocab.IRI(vocab.PM, "CpuUsed")},
				{Subj: m1, Pred: vocab.EMSNumericValue, Obj: num(float64(m%13) + 0.1*float64(i))},
				{Subj: m1, Pred: vocab.EMSUnitOfMeasure, Obj: iri("http://dbpedia.org/resource/Percentage")},
				{Subj: id, Pred: vocab.EMSObserves, Obj: m2.(rdf.Object)},
				{Subj: m2, Pred: vocab.EMSMetric, Obj: vocab.IRI(vocab.PM, "RealMemoryUsed")},
				{Subj: m2, Pred: vocab.EMSNumericValue, Obj: num(1e9 / float64(m+1))},
			}
			if m%2 == 0 {
				g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("periodStart"), Obj: dt(start)})
			}
			if m%7 == 3 {
				g = append(g, rdf.Triple{Subj: m1, Pred: vocab.PMJTerm("sampleCount"), Obj: rdf.NewTypedLiteral("6", vocab.XSDInteger)})
			}
			if m%11 == 4 {
				g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("producedBy"), Obj: iri(base + "/oslc/adhoc/a1")})
			}
			rs = append(rs, store.Resource{ID: id, Triples: g})
		}
	}
	require.NoError(t, db.Load(ctx, rs))

	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	for _, req := range []*adhocRequest{
		{objects: objs, granularity: time.Hour, start: day, stop: day.Add(24 * time.Hour), loc: time.UTC},
		{objects: objs[1:], granularity: 15 * time.Minute, start: day.Add(3 * time.Hour), stop: day.Add(5 * time.Hour), loc: berlin,
			metrics: map[rdf.IRI]bool{vocab.IRI(vocab.PM, "CpuUsed"): true}},
		{objects: objs[:1], granularity: 24 * time.Hour, start: day.Add(-time.Hour), stop: day.Add(time.Hour), loc: berlin},
	} {
		t.Run(fmt.Sprint(req.granularity, len(req.objects)), func(t *testing.T) {
			want, wn, err := s.readAdhocByGet(ctx, req)
			require.NoError(t, err)
			got, gn, err := s.readAdhoc(ctx, req)
			require.NoError(t, err)
			assert.NotZero(t, wn)
			assert.Equal(t, wn, gn)
			assert.Equal(t, sortedSamples(want), sortedSamples(got))
		})
	}
}

// sortedSamples orders each bucket's samples (a record's measures come
// in any order).
func sortedSamples(m map[adhocBucket][]collect.Sample) map[adhocBucket][]collect.Sample {
	for _, v := range m {
		slices.SortStableFunc(v, func(a, b collect.Sample) int {
			return cmp.Compare(a.Metric.String(), b.Metric.String())
		})
	}
	return m
}

// aggregateGraph, the aggregateRecord of before Snapshot.Records, adds the measures of record rec, if it falls in req's
// range, to its bucket; it reports whether it did.
func aggregateGraph(rec rdf.IRI, g []rdf.Triple, req *adhocRequest, samples map[adhocBucket][]collect.Sample) bool {
	var res rdf.IRI
	var end, start time.Time
	for _, t := range g {
		if sub, ok := t.Subj.(rdf.IRI); !ok || sub != rec {
			continue
		}
		switch t.Pred {
		case vocab.DCIsPartOf:
			res, _ = t.Obj.(rdf.IRI)
		case vocab.DCDate:
			end, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case vocab.PMJTerm("periodStart"):
			start, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case vocab.PMJTerm("producedBy"):
			if strings.Contains(t.Obj.String(), "/oslc/adhoc/") {
				return false // already an aggregate: counting it again would double
			}
		}
	}
	b, ok := req.bucket(res, start, end)
	if !ok {
		return false
	}
	type m struct {
		metric, unit rdf.IRI
		value        float64
		count        int
		ok           bool
	}
	ms := make(map[rdf.IRI]*m)
	for _, t := range g {
		if sub, ok := t.Subj.(rdf.IRI); ok && sub == rec && t.Pred == vocab.EMSObserves {
			if o, ok := t.Obj.(rdf.IRI); ok {
				ms[o] = &m{}
			}
		}
	}
	for _, t := range g {
		sub, ok := t.Subj.(rdf.IRI)
		if !ok {
			continue
		}
		x := ms[sub]
		if x == nil {
			continue
		}
		switch t.Pred {
		case vocab.EMSMetric:
			x.metric, _ = t.Obj.(rdf.IRI)
		case vocab.EMSUnitOfMeasure:
			x.unit, _ = t.Obj.(rdf.IRI)
		case vocab.EMSNumericValue:
			v, err := strconv.ParseFloat(t.Obj.String(), 64)
			x.value, x.ok = v, err == nil
		case vocab.PMJTerm("sampleCount"):
			x.count, _ = strconv.Atoi(t.Obj.String())
		}
	}
	// Periods are aligned to the granularity on the wall clock of the
	// time zone, like a job's.
	added := false
	for _, x := range ms {
		if !x.ok || x.metric == (rdf.IRI{}) || (req.metrics != nil && !req.metrics[x.metric]) {
			continue
		}
		samples[b] = append(samples[b], collect.Sample{Resource: res, Metric: x.metric, Value: x.value, Unit: x.unit, Count: x.count})
		added = true
	}
	return added
}
