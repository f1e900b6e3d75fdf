package provider_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

func adhocTTL(res []string, start, stop time.Time, gran, extra string) string {
	objs := make([]string, len(res))
	for i, r := range res {
		objs[i] = "<" + r + ">"
	}
	return jobPrefixes + fmt.Sprintf(`<> a pmj:AdhocCollection ; dcterms:title "last hour" ;
  pmj:monitoredObject %s ; pmj:granularity "%s"^^xsd:duration ;
  pmj:startTime "%s"^^xsd:dateTime ; pmj:stopTime "%s"^^xsd:dateTime %s .`,
		strings.Join(objs, ", "), gran, start.Format(time.RFC3339), stop.Format(time.RFC3339), extra)
}

func TestAdhocCollection(t *testing.T) {
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web1"), env.createResource(t, "web2")}
	env.createJob(t, jobTTL(res, nil)) // CpuUsed and memory every 10 s
	env.advance(t, jobEpoch.Add(5*time.Minute))

	// Discovery lists the factory.
	factory, _ := discover(t, env.testServer, vocab.PMJ+"AdhocCollection")
	assert.Equal(t, env.URL+"/oslc/adhoc", factory)

	from := jobEpoch.Truncate(time.Minute).Add(time.Minute) // 10:01
	r := env.do(t, "POST", "/oslc/adhoc", adhocTTL(res, from, from.Add(2*time.Minute), "PT1M", `; pmj:performanceIndicator pm:CpuUsed ; pmj:timeZone "Europe/Berlin"`),
		"Content-Type", "text/turtle", "Accept", "application/n-triples")
	require.Equal(t, 201, r.status, "%s", r.body)
	id := mustIRI(t, r.header.Get("Location"))
	g := graphOf(t, r, env.URL)
	assert.Equal(t, pmj("Completed"), one(t, g, id, pmj("executionState")).String())
	assert.Equal(t, "24", one(t, g, id, pmj("sourceRecordCount")).String(), "2 resources, 2 minutes of 10 s periods")
	report := one(t, g, id, pmj("report")).String()

	// One record per resource and minute, the mean of six.
	c := env.do(t, "GET", report+"?format=csv", "")
	require.Equal(t, 200, c.status, "%s", c.body)
	rows, err := csv.NewReader(strings.NewReader(string(c.body))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 1+2*2)
	for _, row := range rows[1:] {
		assert.Equal(t, vocab.PM+"CpuUsed", row[5])
		assert.Equal(t, "6", row[8], "sample count")
		assert.True(t, strings.HasSuffix(row[4], "+01:00"))
	}
	ids, _, _ := env.find(t, "/oslc/reports", "oslc.where", "pmj:producedBy=<"+id.String()+">")
	assert.Equal(t, []string{report}, ids)

	// Bad requests list their faults; nothing is stored.
	r = env.do(t, "POST", "/oslc/adhoc", adhocTTL([]string{env.URL + "/oslc/resources/nope"}, from.Add(time.Hour*24), from, "PT1S", ""), "Content-Type", "text/turtle")
	require.Equal(t, 400, r.status)
	msg := oslcError(t, r)
	assert.Contains(t, msg, "pmj:stopTime")
	assert.Contains(t, msg, "pmj:granularity")
	assert.Contains(t, msg, "pmj:monitoredObject")

	assert.Equal(t, 405, env.do(t, "PUT", id.String(), "", "Content-Type", "text/turtle").status)
}

// BenchmarkAdhocDay builds one report from a day of one-minute records of
// 100 resources (144,000 records), aggregated per hour, through HTTP.
func BenchmarkAdhocDay(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(b, err)
	defer db.Close()
	ts := &testServer{db: db}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	srv := newBenchServer(b, ts, now)
	base := ts.URL
	ctx := context.Background()
	var res []string
	var batch []store.Resource
	for i := range 100 {
		id := fmt.Sprintf("%s/oslc/resources/r%03d", base, i)
		res = append(res, id)
		batch = append(batch, store.Resource{ID: iriOf(id), Triples: []rdf.Triple{
			{Subj: iriOf(id), Pred: vocab.RDFType, Obj: vocab.IRI(vocab.CRTV, "ComputerSystem")},
			{Subj: iriOf(id), Pred: vocab.DCTitle, Obj: rdf.NewTypedLiteral("r"+strconv.Itoa(i), vocab.XSDString)},
		}})
	}
	require.NoError(b, db.Load(ctx, batch))
	batch = batch[:0]
	day := now.Add(-24 * time.Hour)
	dbl := func(v float64) rdf.Literal {
		return rdf.NewTypedLiteral(strconv.FormatFloat(v, 'g', -1, 64), vocab.XSDDouble)
	}
	for m := range 1440 {
		start := day.Add(time.Duration(m) * time.Minute)
		for i, r := range res {
			id := iriOf(fmt.Sprintf("%s/oslc/records/b%04d-%03d", base, m, i))
			m1, m2 := vocab.IRI(id.String()+"#", "m1"), vocab.IRI(id.String()+"#", "m2")
			batch = append(batch, store.Resource{ID: id, Triples: []rdf.Triple{
				{Subj: id, Pred: vocab.RDFType, Obj: vocab.PMRecord},
				{Subj: id, Pred: vocab.DCIsPartOf, Obj: iriOf(r)},
				{Subj: id, Pred: vocab.DCDate, Obj: rdf.NewTypedLiteral(start.Add(time.Minute).Format(time.RFC3339), vocab.XSDDateTime)},
				{Subj: id, Pred: vocab.PMJTerm("periodStart"), Obj: rdf.NewTypedLiteral(start.Format(time.RFC3339), vocab.XSDDateTime)},
				{Subj: id, Pred: vocab.EMSObserves, Obj: m1},
				{Subj: m1, Pred: vocab.EMSMetric, Obj: vocab.IRI(vocab.PM, "CpuUsed")},
				{Subj: m1, Pred: vocab.EMSNumericValue, Obj: dbl(float64((m + i) % 100))},
				{Subj: m1, Pred: vocab.EMSUnitOfMeasure, Obj: vocab.IRI("http://dbpedia.org/resource/", "Percentage")},
				{Subj: id, Pred: vocab.EMSObserves, Obj: m2},
				{Subj: m2, Pred: vocab.EMSMetric, Obj: vocab.IRI(vocab.PM, "RealMemoryUsed")},
				{Subj: m2, Pred: vocab.EMSNumericValue, Obj: dbl(float64(1e9 + m*i))},
			}})
			if len(batch) == 1000 {
				require.NoError(b, db.Load(ctx, batch))
				batch = batch[:0]
			}
		}
	}
	require.NoError(b, db.Load(ctx, batch))
	_ = srv
	body := adhocTTL(res, day, now, "PT1H", "")
	b.ResetTimer()
	for b.Loop() {
		r := ts.do(b, "POST", "/oslc/adhoc", body, "Content-Type", "text/turtle", "Accept", "application/n-triples")
		if r.status != 201 || !strings.Contains(string(r.body), "\"144000\"") {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
}

func iriOf(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

// newBenchServer serves a provider over ts.db at a fixed clock.
func newBenchServer(b *testing.B, ts *testServer, now time.Time) *provider.Server {
	hs := httptest.NewUnstartedServer(nil)
	srv, err := provider.New(boltsource.New(ts.db), provider.Config{BaseURL: "http://" + hs.Listener.Addr().String(), Now: func() time.Time { return now }})
	require.NoError(b, err)
	// Running, as a provider serving clients is: its engine stages what
	// the provider writes and indexes it in the background.
	srv.Start()
	b.Cleanup(srv.Close)
	hs.Config.Handler = srv
	hs.Start()
	ts.Server = hs
	b.Cleanup(hs.Close)
	return srv
}
