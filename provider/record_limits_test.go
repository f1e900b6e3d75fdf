package provider_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/shapes"
)

// newTestServerWithBodyLimit starts a provider over a fresh store, served
// over real HTTP, with limit as the most a request body may hold
// (newTestServer's is 64 KiB).
func newTestServerWithBodyLimit(t testing.TB, limit int64) *testServer {
	t.Helper()
	st, db := openStore(t)
	ts := &testServer{db: db, st: st}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	cfg := provider.Config{BaseURL: base, MaxBodyBytes: limit}
	if bdb, ok := st.(*boltsource.DB); ok {
		ts.bdb, cfg.StoreVersion = bdb, bdb.Version
	}
	srv, err := provider.New(st, cfg)
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	ts.Server = hs
	t.Cleanup(hs.Close)
	return ts
}

// recordWithMeasures is a record in Turtle with n measures.
func recordWithMeasures(n int) string {
	var b strings.Builder
	b.WriteString(`@prefix pm: <http://open-services.net/ns/perfmon#> .
@prefix ems: <http://open-services.net/ns/ems#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a pm:PerformanceMonitoringRecord ;
  dcterms:title "many measures" ;
  dcterms:date "2026-11-01T10:00:00+02:00"^^xsd:dateTime ;
  dcterms:isPartOf <http://example.org/hosts/web01> ;
  ems:observes `)
	for i := range n {
		if i > 0 {
			b.WriteString(" ,\n    ")
		}
		fmt.Fprintf(&b, "[ a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue %d ]", i%100)
	}
	b.WriteString(" .\n")
	return b.String()
}

// TestManyMeasures checks the cost and the limit of a record's measures.
// Validating them used to read the whole graph once per measure: 1,000
// measures took 1.4 s of CPU, 5,000 over 20 s.
func TestManyMeasures(t *testing.T) {
	ts := newTestServerWithBodyLimit(t, 4<<20)

	t.Run("linear", func(t *testing.T) {
		post := func(n int) float64 {
			body := recordWithMeasures(n)
			return testing.AllocsPerRun(2, func() {
				r := ts.do(t, "POST", "/oslc/records", body, "Content-Type", "text/turtle")
				require.Equal(t, 201, r.status, "%s", r.body)
			})
		}
		small, large := post(shapes.MaxMeasures/4), post(shapes.MaxMeasures)
		ratio := large / small
		t.Logf("allocations of a POST: %.0f with %d measures, %.0f with %d: ×%.2f", small, shapes.MaxMeasures/4, large, shapes.MaxMeasures, ratio)
		assert.Less(t, ratio, 6.0, "four times the measures, about four times the work; quadratic is ×16")
	})

	t.Run("limit", func(t *testing.T) {
		n := count(t, ts)
		r := ts.do(t, "POST", "/oslc/records", recordWithMeasures(shapes.MaxMeasures+1), "Content-Type", "text/turtle", "Accept", "text/turtle")
		require.Equal(t, 400, r.status, "%s", r.body)
		assert.Contains(t, string(r.body), "oslc:Error")
		assert.Contains(t, string(r.body), fmt.Sprintf("%d measures; a resource may have at most %d", shapes.MaxMeasures+1, shapes.MaxMeasures))
		assert.Equal(t, n, count(t, ts), "nothing stored")

		r = ts.do(t, "POST", "/oslc/records", recordWithMeasures(5000), "Content-Type", "text/turtle")
		require.Equal(t, 400, r.status, "%s", r.body)
	})
}

// A write of more triples than oslc.MaxTriples is refused before it
// reaches the store, whose writer it would hold for seconds.
func TestTriplesPerWrite(t *testing.T) {
	ts := newTestServerWithBodyLimit(t, 8<<20)
	var b strings.Builder
	b.WriteString("<> a <http://open-services.net/ns/crtv#ComputerSystem> .\n")
	for i := range oslc.MaxTriples {
		fmt.Fprintf(&b, "<> <http://example.org/p> %d .\n", i)
	}
	r := ts.do(t, "POST", "/oslc/resources", b.String(), "Content-Type", "text/turtle", "Accept", "text/turtle")
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), "at most 50000")
}
