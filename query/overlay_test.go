package query_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// TestOverlayAgreesWithMerged runs queries of every shape the engine
// plans (index joins, nested conditions, walks in date and value order,
// searches, selections, pages after a cursor) over a store whose newest
// records wait in the overlay (store.DB.Stage), then again once they are
// merged into the indexes: the answers must be the same.
func TestOverlayAgreesWithMerged(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{NoSync: true, HoldMerges: true}))
	require.NoError(t, err)
	defer db.Close()
	rng := rand.New(rand.NewPCG(3, 5))
	host := func(h int) rdf.IRI { return iri(fmt.Sprintf("%shost-%02d", hosts, h)) }
	base := []store.Resource{vocabResource(t)}
	for h := range 12 {
		id := host(h)
		base = append(base, store.Resource{ID: id, Triples: []rdf.Triple{
			tr(id, vocab.RDFType, crtvComputer),
			tr(id, vocab.DCTitle, str(fmt.Sprintf("Host %02d", h))),
		}})
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var recs []store.Resource
	for i := range 600 {
		id := iri(fmt.Sprintf("%sr%05d", records, i))
		title := fmt.Sprintf("sample %d of host %02d", i, i%12)
		if rng.IntN(20) == 0 {
			title += " overload"
		}
		g := []rdf.Triple{
			tr(id, vocab.RDFType, vocab.PMRecord),
			tr(id, vocab.DCDate, typed(start.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), vocab.XSDDateTime)),
			tr(id, vocab.DCIsPartOf, host(i%12)),
			tr(id, vocab.DCTitle, str(title)),
			tr(id, vocab.PMAvailabilityStatus, pmRunning),
		}
		for j, metric := range []rdf.IRI{pmCpuUsed, pmRealMemUsed} {
			m := iri(fmt.Sprintf("%s#m%d", id, j))
			g = append(g,
				tr(id, vocab.EMSObserves, m),
				tr(m, vocab.RDFType, vocab.EMSMeasure),
				tr(m, vocab.EMSMetric, metric),
				tr(m, vocab.EMSNumericValue, typed(fmt.Sprintf("%.1f", rng.Float64()*100), vocab.XSDDouble)))
		}
		recs = append(recs, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Load(ctx, append(base, recs[:300]...)))
	require.NoError(t, db.Stage(ctx, recs[300:450]))
	require.NoError(t, db.Stage(ctx, recs[450:]))
	n, err := db.Staged()
	require.NoError(t, err)
	require.Equal(t, 300, n, "the newest records wait in the overlay")

	r3 := "<" + host(3).String() + ">"
	queries := []struct {
		where, orderBy, sel, search string
		size                        int
	}{
		{where: "dcterms:isPartOf=" + r3, size: 20},
		{where: "dcterms:isPartOf=" + r3 + ` and dcterms:date>="2026-11-01T04:00:00Z" and dcterms:date<"2026-11-01T07:00:00Z"`, size: 100},
		{where: "ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>90}", size: 25},
		{where: "ems:observes{ems:numericValue<5}", size: 1000},
		{size: 50},
		{where: "dcterms:isPartOf=" + r3, orderBy: "-dcterms:date", size: 10},
		{orderBy: "-dcterms:date", size: 10},
		{orderBy: "+dcterms:date", size: 7},
		{orderBy: "ems:observes{+ems:numericValue}", size: 10},
		{search: `"overload"`, size: 20},
		{search: `"sample","host"`, where: "dcterms:isPartOf=" + r3, size: 15},
		{where: `dcterms:isPartOf{dcterms:title="Host 05"}`, size: 100},
		{where: "dcterms:isPartOf in [" + r3 + ",<" + host(7).String() + ">]", orderBy: "-dcterms:date", size: 30},
		{where: "dcterms:isPartOf=" + r3, sel: "dcterms:title,ems:observes{ems:metric,ems:numericValue}", size: 20},
		{where: `dcterms:title="sample 500 of host 08"`, size: 5},
		{where: "dcterms:date>\"2026-11-01T08:00:00Z\"", orderBy: "-dcterms:date", size: 40},
	}
	answers := func() []string {
		var out []string
		for _, q := range queries {
			page := query.Page{Size: q.size}
			for p := 0; p < 3; p++ {
				res, err := run(t, db, recordScope, q.where, q.orderBy, q.sel, q.search, page)
				require.NoError(t, err, "%+v", q)
				line := fmt.Sprintf("%+v page %d: total %d next %q members", q, p, res.Total, res.Next)
				for _, m := range res.Members {
					line += fmt.Sprintf(" %s %.4f %d", m.ID, m.Score, len(m.Triples))
				}
				out = append(out, line)
				if res.Next == "" {
					break
				}
				page.After = res.Next
			}
		}
		return out
	}
	staged := answers()
	res, err := run(t, db, recordScope, "", "", "", "", query.Page{Size: 1})
	require.NoError(t, err)
	require.Equal(t, 600, res.Total, "staged records are members")
	merged, err := db.Merge(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 300, merged)
	after := answers()
	require.Equal(t, after, staged)
	res, err = run(t, db, recordScope, "", "", "", "", query.Page{Size: 1})
	require.NoError(t, err)
	require.Equal(t, 600, res.Total)
}
