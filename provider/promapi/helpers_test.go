package promapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/provider/promapi"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const base = "http://pm.example"

// A point is one stored measure, as the test reads it from the records
// it loaded.
type point struct {
	t time.Time
	v float64
}

// env is a provider over fixture records, served over HTTP, with the
// measures it holds by metric name and resource.
type env struct {
	*httptest.Server
	cfg      fixture.Config
	db       *store.DB
	data     map[string]map[string][]point // metric name → resource → points in time order
	class    map[string]string             // resource → its class
	units    map[string]string             // metric name → unit
	resource []string                      // resources, in fixture order
}

// newEnv loads n resources with records every step for span.
func newEnv(t testing.TB, n int, step, span time.Duration) *env {
	t.Helper()
	return newEnvAt(t, t.TempDir(), n, step, span)
}

// newEnvIn is newEnv in a data directory kept between runs under the
// system's temporary directory, named for what it holds: loading a day
// of 100 resources takes minutes. The benchmarks share it.
func newEnvIn(t testing.TB, name string, n int, step, span time.Duration) *env {
	dir := filepath.Join(os.TempDir(), "pmprovider-promapi-bench-"+name)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return newEnvAt(noCleanup{t}, dir, n, step, span)
}

// noCleanup keeps what t would clean up.
type noCleanup struct{ testing.TB }

func (noCleanup) Cleanup(func()) {}

func newEnvAt(t testing.TB, dir string, n int, step, span time.Duration) *env {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "pm.db"), &store.Options{
		NoSync: true, TextPredicates: vocab.TextIndexed, Pairs: []store.Pair{store.Pair(vocab.MeasurePair)},
	})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	cfg := fixture.Config{BaseURL: base, Resources: n, Records: n * int(span/step), Step: step}
	e := &env{cfg: cfg, db: db, data: map[string]map[string][]point{}, class: map[string]string{}, units: map[string]string{}}
	st, err := db.Stats(t.Context())
	require.NoError(t, err)
	loaded := st.Resources >= int64(cfg.Total()) // a kept directory, loaded before
	var batch []store.Resource
	flush := func() {
		if !loaded {
			require.NoError(t, db.Load(t.Context(), batch))
		}
		batch = batch[:0]
	}
	require.NoError(t, fixture.Generate(cfg, func(r store.Resource) error {
		e.learn(r)
		if batch = append(batch, r); len(batch) == 1000 {
			flush()
		}
		return nil
	}))
	flush()
	for _, ps := range e.data {
		for _, p := range ps {
			sort.SliceStable(p, func(i, j int) bool { return p[i].t.Before(p[j].t) })
		}
	}
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: base})
	require.NoError(t, err)
	e.Server = httptest.NewServer(srv)
	t.Cleanup(e.Close)
	return e
}

// learn notes what resource or record r says.
func (e *env) learn(r store.Resource) {
	id := r.ID.String()
	if strings.Contains(id, "/oslc/resources/") {
		e.resource = append(e.resource, id)
		for _, t := range r.Triples {
			if t.Pred == vocab.RDFType && rdf.TermsEqual(t.Subj, r.ID) {
				e.class[id] = t.Obj.String() // the fixture gives one type
			}
		}
		return
	}
	var res string
	var at time.Time
	nodes := map[string]map[string]string{}
	for _, t := range r.Triples {
		switch {
		case t.Pred == vocab.DCIsPartOf:
			res = t.Obj.String()
		case t.Pred == vocab.DCDate:
			at, _ = time.Parse(time.RFC3339, t.Obj.String())
		case t.Pred == vocab.EMSMetric || t.Pred == vocab.EMSNumericValue || t.Pred == vocab.EMSUnitOfMeasure:
			s := t.Subj.String()
			if nodes[s] == nil {
				nodes[s] = map[string]string{}
			}
			nodes[s][t.Pred.String()] = t.Obj.String()
		}
	}
	for _, m := range nodes {
		metric, err := rdf.NewIRI(m[vocab.EMSMetric.String()])
		if err != nil {
			continue
		}
		name, _ := promapi.MetricName(metric)
		v, err := strconv.ParseFloat(m[vocab.EMSNumericValue.String()], 64)
		if err != nil {
			continue
		}
		if e.data[name] == nil {
			e.data[name] = map[string][]point{}
		}
		e.data[name][res] = append(e.data[name][res], point{at, v})
		e.units[name] = m[vocab.EMSUnitOfMeasure.String()]
	}
}

// start is the date of the first records.
func (e *env) start() time.Time { return fixture.DefaultStart }

// apiResult is an answer of the API, decoded.
type apiResult struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      json.RawMessage
}

type queryData struct {
	ResultType string `json:"resultType"`
	Result     []struct {
		Metric map[string]string `json:"metric"`
		Value  []any             `json:"value"`
		Values [][]any           `json:"values"`
	} `json:"result"`
}

// get asks path with the parameters kv (name, value, ...) by GET, or by
// a POSTed form if post.
func (e *env) get(t testing.TB, path string, post bool, kv ...string) (int, apiResult) {
	t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	var resp *http.Response
	var err error
	if post {
		resp, err = http.PostForm(e.URL+path, form)
	} else {
		resp, err = http.Get(e.URL + path + "?" + form.Encode())
	}
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var r apiResult
	require.NoError(t, json.Unmarshal(b, &r), "body %s", b)
	return resp.StatusCode, r
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// tool returns the path of program, skipping the test without it unless
// PM_E2E_REQUIRED=1 or CI is set.
func tool(t testing.TB, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		msg := "this test needs " + program + " (Debian package prometheus); run make deps"
		if os.Getenv("CI") != "" || os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

func promapiMetricName(iri string) (string, bool) {
	i, err := rdf.NewIRI(iri)
	if err != nil {
		return "", false
	}
	return promapi.MetricName(i)
}
