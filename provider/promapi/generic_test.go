package promapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/provider/promapi"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
)

func TestMain(m *testing.M) { sparqltest.Main(m) }

// plain is a store whose views offer query.Source alone: neither
// records read whole nor an Accelerator.
type plain struct{ promapi.Store }

func (p plain) View(ctx context.Context, fn func(src query.Source) error) error {
	return p.Store.View(ctx, func(src query.Source) error { return fn(struct{ query.Source }{src}) })
}

// serveAPI serves the read API over st, as the provider routes it.
func serveAPI(t testing.TB, st promapi.Store) *httptest.Server {
	a := promapi.New(st, promapi.Config{Base: base})
	r := mux.NewRouter()
	r.Handle("/api/v1/query", a.Query())
	r.Handle("/api/v1/query_range", a.QueryRange())
	r.Handle("/api/v1/series", a.Series())
	r.Handle("/api/v1/labels", a.Labels())
	r.Handle("/api/v1/label/{name}/values", a.LabelValues())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

// sameAnswers asks both servers the same questions and compares the
// answers byte for byte: the bbolt store's reading of records whole is
// the reference of the generic path.
func sameAnswers(t *testing.T, e *env, other *httptest.Server) {
	r0 := e.resource[0]
	from, to := e.start(), e.start().Add(19*time.Minute)
	at := e.start().Add(10 * time.Minute)
	rng := func(q string) string {
		return "/api/v1/query_range?" + url.Values{"query": {q}, "start": {unix(from)}, "end": {unix(to)}, "step": {"60"}}.Encode()
	}
	asks := []string{
		rng(`pm_cpu_used`), // every resource over a bounded range: read by date
		rng(fmt.Sprintf(`pm_cpu_used{resource=%q}`, r0)),
		rng(`avg by (resource_class) (avg_over_time(pm_cpu_used[5m]))`),
		rng(`max_over_time(pm_real_memory_used[3m])`),
		"/api/v1/query?" + url.Values{"query": {fmt.Sprintf(`pm_cpu_used{resource!=%q}`, r0)}, "time": {unix(at)}}.Encode(),
		"/api/v1/query?" + url.Values{"query": {`sum(pm_disk_space_used)`}, "time": {unix(at)}}.Encode(),
		"/api/v1/series?" + url.Values{"match[]": {`pm_cpu_used`}}.Encode(),
		"/api/v1/series?" + url.Values{"match[]": {`{resource=~".*"}`}, "start": {unix(at)}, "end": {unix(to)}}.Encode(),
		"/api/v1/labels",
		"/api/v1/label/resource/values",
		"/api/v1/label/unit/values?" + url.Values{"match[]": {`pm_cpu_used`}}.Encode(),
	}
	for _, ask := range asks {
		t.Run(ask, func(t *testing.T) {
			wantStatus, want := body(t, e.URL+ask)
			gotStatus, got := body(t, other.URL+ask)
			require.Equal(t, wantStatus, gotStatus, "%s", got)
			assert.Contains(t, want, `"status":"success"`)
			assert.JSONEq(t, want, got)
		})
	}
}

func body(t *testing.T, u string) (int, string) {
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestGenericSource reads the records through query.Source alone, from
// the bbolt store with its record reader and accelerator hidden.
func TestGenericSource(t *testing.T) {
	e := newEnv(t, 12, time.Minute, 20*time.Minute)
	sameAnswers(t, e, serveAPI(t, plain{boltsource.New(e.db)}))
}

// TestSPARQLStore reads the records from a Virtuoso through the SPARQL
// store (store/sparql), as pmprovider --store sparql does.
func TestSPARQLStore(t *testing.T) {
	db := sparqltest.Open(t)
	e := newEnv(t, 12, time.Minute, 20*time.Minute)
	var batch []store.Resource
	require.NoError(t, fixture.Generate(e.cfg, func(r store.Resource) error {
		batch = append(batch, r)
		return nil
	}))
	require.NoError(t, db.Load(t.Context(), batch))
	sameAnswers(t, e, serveAPI(t, db))
}
