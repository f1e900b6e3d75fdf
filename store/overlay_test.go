package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// overlayRecord is sampleRecord with its measures named by fragments of
// the record's IRI, not blank nodes: a record Stage puts in the overlay.
func overlayRecord(i int) (rdf.IRI, []rdf.Triple) {
	id, g := sampleRecord(i)
	for j, t := range g {
		if b, ok := t.Subj.(rdf.Blank); ok {
			g[j].Subj = iri(id.String() + "#" + strings.TrimPrefix(b.String(), "_:"))
		}
		if b, ok := t.Obj.(rdf.Blank); ok {
			g[j].Obj = iri(id.String() + "#" + strings.TrimPrefix(b.String(), "_:"))
		}
	}
	return id, g
}

// overlayAnswers asks a snapshot every kind of read the query engine
// makes of an Accelerator, and returns the answers, each sorted.
func overlayAnswers(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	host := func(i int) rdf.IRI { return iri(fmt.Sprintf("http://pm.example.org/hosts/%d", i)) }
	lo, hi := dbl("20"), dbl("60")
	groups := map[string][][]store.Pattern{
		"records":      {{{Pred: rdfType, Obj: exRecord}}},
		"records of 3": {{{Pred: rdfType, Obj: exRecord}}, {{Pred: exPartOf, Obj: host(3)}, {Pred: exPartOf, Obj: host(4)}}},
		"cpu":          {{{Pred: exMetric, Obj: ns("CpuUsed")}}},
		"values":       {{{Pred: exValue, Lo: &lo, Hi: &hi, Opt: store.RangeOptions{LoInclusive: true}}}},
		"cpu pair":     {{{Pred: exValue, Lo: &lo, With: exMetric, WithObj: ns("CpuUsed")}}},
		"hosts":        {{{Pred: rdfType, Obj: ns("Host")}}},
		"titled":       {{{Pred: exTitle, Obj: str("Sample 7 of host 7")}}},
	}
	vias := map[string]rdf.IRI{"records": {}, "records of 3": {}, "titled": {}, "cpu": exObserves, "values": exObserves, "cpu pair": exObserves, "hosts": exPartOf}
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		for name, gs := range groups {
			var got []string
			require.NoError(t, sn.Intersect(ctx, gs, func(s rdf.Subject) bool {
				got = append(got, nt(s))
				return true
			}))
			slices.Sort(got)
			out["intersect "+name] = got
			n, err := sn.Count(ctx, gs[0], 1000)
			require.NoError(t, err)
			out["count "+name] = []string{fmt.Sprint(n)}

			via := vias[name]
			if via != (rdf.IRI{}) {
				got = nil
				require.NoError(t, sn.IntersectVia(ctx, gs, via, func(s rdf.Subject, own bool) bool {
					got = append(got, fmt.Sprint(nt(s), own))
					return true
				}))
				slices.Sort(got)
				got = slices.Compact(got)
				out["via "+name] = got
			}
			rs, err := sn.ResourceSet(ctx, gs, via)
			require.NoError(t, err)
			out["len "+name] = []string{fmt.Sprint(rs.Len())}
			for _, pg := range []struct {
				prefix, after string
				n             int
			}{{"", "", -1}, {"http://pm.example.org/records/", "", 5}, {"http://pm.example.org/records/", "http://pm.example.org/records/2", 7}, {"http://pm.example.org/records/10", "", -1}} {
				var after rdf.IRI
				if pg.after != "" {
					after = iri(pg.after)
				}
				page, total, err := sn.PageUnder(ctx, rs, pg.prefix, after, pg.n, true)
				require.NoError(t, err)
				out[fmt.Sprintf("page %s %+v", name, pg)] = append(strs(page), fmt.Sprint("total ", total))
			}
			for _, limit := range []int{0, 50} {
				for _, desc := range []bool{false, true} {
					got = nil
					complete, err := sn.RangeIn(ctx, exDate, nil, nil, store.RangeOptions{Desc: desc}, rs, limit, func(s rdf.Subject, o rdf.Literal) bool {
						got = append(got, nt(s)+" "+nt(o))
						return true
					})
					require.NoError(t, err)
					if complete {
						slices.Sort(got)
						out[fmt.Sprint("rangein ", name, limit, desc)] = got
					}
				}
			}
		}
		h, err := sn.TextHits(ctx, []string{"sample", "host", "7", "none"})
		require.NoError(t, err)
		var hits []string
		for i := range h.Len() {
			hits = append(hits, fmt.Sprint(h.TF(i)))
		}
		slices.Sort(hits)
		out["hits"] = append(hits, fmt.Sprint("df ", h.DF()))
		for _, n := range []int{3, 100} {
			page, total, err := sn.PageHits(ctx, h, nil, "http://pm.example.org/records/", rdf.IRI{}, n, true)
			require.NoError(t, err)
			out[fmt.Sprint("pagehits ", n)] = append(strs(page), fmt.Sprint("total ", total))
		}
		var recs []string
		require.NoError(t, sn.Records(ctx, store.RecordQuery{Link: exPartOf, Targets: []rdf.Object{host(3), host(5)}, Prefix: "http://pm.example.org/records/",
			Props: []rdf.IRI{exDate, exTitle}, Via: exObserves, NodeProps: []rdf.IRI{exMetric, exValue}}, func(rec *store.Record) bool {
			recs = append(recs, fmt.Sprint(rec.ID, rec.Props, rec.Nodes))
			return true
		}))
		slices.Sort(recs)
		out["records"] = recs
		return nil
	}))
	return out
}

func strs(ids []rdf.IRI) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// TestOverlayAgreesWithMerged: every Accelerator read of a snapshot
// answers the same with records staged in the overlay as once they are
// merged into the indexes, also where a step along a link crosses from
// one to the other (staged records of stored hosts, a stored resource
// linking to staged measures).
func TestOverlayAgreesWithMerged(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	db.HoldMergeForTest(true)
	var base []store.Resource
	for i := range 8 {
		h := iri(fmt.Sprintf("http://pm.example.org/hosts/%d", i))
		base = append(base, store.Resource{ID: h, Triples: []rdf.Triple{tr(h, rdfType, ns("Host")), tr(h, exTitle, str(fmt.Sprintf("host %d", i)))}})
	}
	for i := range 60 {
		id, g := sampleRecord(i)
		base = append(base, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Load(ctx, base))
	var staged []store.Resource
	for i := 60; i < 130; i++ {
		id, g := overlayRecord(i)
		staged = append(staged, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Stage(ctx, staged[:40]))
	require.NoError(t, db.Stage(ctx, staged[40:]))
	// A stored resource linking to staged measures, and one more stored
	// record: written through the indexes, they leave the overlay be.
	rep := iri("http://pm.example.org/records/report")
	id, g := sampleRecord(200)
	require.NoError(t, db.Load(ctx, []store.Resource{
		{ID: rep, Triples: []rdf.Triple{tr(rep, exObserves, iri(staged[3].ID.String()+"#m0")), tr(rep, exObserves, iri(staged[50].ID.String()+"#m2"))}},
		{ID: id, Triples: g},
	}))
	require.Equal(t, len(staged), db.OverlayForTest())
	before := overlayAnswers(t, db)
	n, err := db.Merge(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, len(staged), n)
	require.Zero(t, db.OverlayForTest())
	after := overlayAnswers(t, db)
	for k, want := range after {
		require.Equal(t, want, before[k], k)
	}
	require.Equal(t, len(after), len(before))
	require.Contains(t, after["via cpu"], nt(rep)+"true")
	require.Len(t, after["intersect records"], 131)
}
