package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
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

func seeded(t *testing.T) (ts *testServer, resource string) {
	t.Helper()
	ts = newTestServer(t)
	resource = seedResource(t, ts, "web01 front end", "web01")
	now := time.Now().UTC()
	for i := 0; i < 3; i++ {
		seedRecord(t, ts, resource, now.Add(-time.Duration(3-i)*time.Minute), float64(10+i), 1e9)
	}
	return ts, resource
}

func TestCompactThreeWays(t *testing.T) {
	ts, res := seeded(t)
	const prefer = `return=representation; include="http://open-services.net/ns/core#PreferCompact"`
	compactIRI, _ := rdf.NewIRI(res + "?compact")
	resIRI, _ := rdf.NewIRI(res)
	checkCompact := func(t *testing.T, g []rdf.Triple, subj rdf.Term) {
		t.Helper()
		assert.Equal(t, vocab.OSLC+"Compact", one(t, g, subj, vocab.RDF+"type").String())
		assert.Equal(t, "web01 front end", one(t, g, subj, vocab.DCTerms+"title").String())
		assert.Equal(t, "web01", one(t, g, subj, vocab.OSLC+"shortTitle").String())
		assert.Equal(t, ts.URL+"/ui/static/resource.svg", one(t, g, subj, vocab.OSLC+"icon").String())
		for _, p := range []string{"smallPreview", "largePreview"} {
			pv := one(t, g, subj, vocab.OSLC+p)
			assert.True(t, strings.HasPrefix(one(t, g, pv, vocab.OSLC+"document").String(), res+"?preview="))
			assert.Regexp(t, `^\d+px$`, one(t, g, pv, vocab.OSLC+"hintWidth").String())
			assert.Regexp(t, `^\d+px$`, one(t, g, pv, vocab.OSLC+"hintHeight").String())
		}
	}
	t.Run("accept x-oslc-compact+xml", func(t *testing.T) {
		r := ts.do(t, "GET", res, "", "Accept", "application/x-oslc-compact+xml")
		require.Equal(t, 200, r.status)
		assert.Equal(t, "application/x-oslc-compact+xml; charset=utf-8", r.header.Get("Content-Type"))
		r.header.Set("Content-Type", "application/rdf+xml")
		checkCompact(t, graphOf(t, r, res), resIRI)
	})
	t.Run("link header, then turtle and json-ld", func(t *testing.T) {
		h := ts.do(t, "HEAD", res, "")
		require.Equal(t, 200, h.status)
		assert.Contains(t, h.header.Values("Link"), `<`+res+`?compact>; rel="http://open-services.net/ns/core#Compact"`)
		assert.Contains(t, strings.Join(h.header.Values("Vary"), ","), "Prefer")
		for _, mt := range []string{"text/turtle", "application/ld+json"} {
			r := ts.do(t, "GET", res+"?compact", "", "Accept", mt)
			require.Equal(t, 200, r.status)
			checkCompact(t, graphOf(t, r, res), compactIRI)
		}
		r := ts.do(t, "GET", res+"?compact", "", "Accept", "application/json")
		var c map[string]any
		require.NoError(t, json.Unmarshal(r.body, &c), "%s", r.body)
		assert.Equal(t, "web01 front end", c["title"])
		assert.Equal(t, res+"?preview=small", c["smallPreview"].(map[string]any)["document"])
	})
	t.Run("prefer", func(t *testing.T) {
		r := ts.do(t, "GET", res, "", "Accept", "text/turtle", "Prefer", prefer)
		require.Equal(t, 200, r.status)
		assert.Equal(t, "return=representation", r.header.Get("Preference-Applied"))
		g := graphOf(t, r, res)
		checkCompact(t, g, compactIRI)
		assert.Equal(t, "web01", one(t, g, resIRI, vocab.CRTV+"name").String())
		j := ts.do(t, "GET", res, "", "Accept", "application/json", "Prefer", prefer)
		var c map[string]map[string]any
		require.NoError(t, json.Unmarshal(j.body, &c), "%s", j.body)
		assert.Equal(t, "web01 front end", c["compact"]["title"])
		missing := ts.do(t, "GET", res+"nope", "", "Prefer", prefer)
		assert.Equal(t, 404, missing.status)
	})
	t.Run("previews", func(t *testing.T) {
		r := ts.do(t, "GET", res+"?preview=small", "")
		require.Equal(t, 200, r.status)
		assert.Contains(t, r.header.Get("Content-Security-Policy"), "frame-ancestors *")
		assert.Contains(t, string(r.body), `data-points="3"`)
		// Statuses read as the vocabulary labels them, not as pm:Running.
		assert.Contains(t, string(r.body), `<span class="status st-running">Running</span>`)
		o := ts.do(t, "OPTIONS", res, "")
		assert.Equal(t, 204, o.status)
		assert.Contains(t, o.header.Get("Allow"), "GET")
	})
}

func TestDialogDiscovery(t *testing.T) {
	ts := newTestServer(t)
	p := ts.do(t, "GET", "/oslc/provider", "", "Accept", "text/turtle")
	require.Equal(t, 200, p.status)
	g := graphOf(t, p, ts.URL+"/oslc/provider")
	forms := map[string]string{}
	for _, rel := range []string{"selectionDialog", "creationDialog"} {
		ds := objects(g, nil, vocab.OSLC+rel)
		require.NotEmpty(t, ds, rel)
		for _, d := range ds {
			assert.Equal(t, vocab.OSLC+"Dialog", one(t, g, d, vocab.RDF+"type").String())
			assert.NotEmpty(t, one(t, g, d, vocab.OSLC+"label").String())
			assert.Regexp(t, `^\d+px$`, one(t, g, d, vocab.OSLC+"hintWidth").String())
			assert.Regexp(t, `^\d+px$`, one(t, g, d, vocab.OSLC+"hintHeight").String())
			assert.Equal(t, vocab.OSLC+"default", one(t, g, d, vocab.OSLC+"usage").String())
			assert.NotEmpty(t, objects(g, d, vocab.OSLC+"resourceType"))
			forms[one(t, g, d, vocab.OSLC+"dialog").String()] = rel
		}
	}
	for _, f := range []string{"/ui/select/records", "/ui/select/resources", "/ui/create/resources", "/ui/create/jobs"} {
		require.Contains(t, forms, ts.URL+f)
		r := ts.do(t, "GET", f, "")
		assert.Equal(t, 200, r.status, f)
		assert.Contains(t, r.header.Get("Content-Security-Policy"), "frame-ancestors *", f)
		assert.Contains(t, r.header.Get("Content-Security-Policy"), "script-src 'self'", f)
	}
	r := ts.do(t, "GET", "/oslc/resources", "", "Accept", "text/turtle")
	links := strings.Join(r.header.Values("Link"), ",")
	assert.Contains(t, links, `<`+ts.URL+`/oslc/dialogs/select/resources>; rel="http://open-services.net/ns/core#selectionDialog"`)
	assert.Contains(t, links, `<`+ts.URL+`/oslc/dialogs/create/resources>; rel="http://open-services.net/ns/core#creationDialog"`)
	d := ts.do(t, "GET", "/oslc/dialogs/create/jobs", "", "Accept", "text/turtle")
	require.Equal(t, 200, d.status)
	dg := graphOf(t, d, ts.URL+"/oslc/dialogs/create/jobs")
	self, _ := rdf.NewIRI(ts.URL + "/oslc/dialogs/create/jobs")
	assert.Equal(t, ts.URL+"/ui/create/jobs", one(t, dg, self, vocab.OSLC+"dialog").String())
	assert.Equal(t, ts.URL+"/oslc/shapes/job", one(t, dg, self, vocab.OSLC+"resourceShape").String())
	assert.Equal(t, 404, ts.do(t, "GET", "/ui/select/jobs", "").status)
}

func TestEmbeddingPolicy(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	defer db.Close()
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: "http://pm.example", UI: provider.UIConfig{
		FrameAncestors: []string{"'self'", "https://alm.example"},
		CORSOrigins:    []string{"https://alm.example"},
	}})
	require.NoError(t, err)
	tests := []struct {
		name, method, path, origin string
		csp, allowOrigin           string
		status                     int
	}{
		{"dialog framed by listed ancestors", "GET", "/ui/select/records", "", "frame-ancestors 'self' https://alm.example", "", 200},
		{"listed origin may read, with credentials", "GET", "/oslc/records", "https://alm.example", "", "https://alm.example", 200},
		{"other origins may not", "GET", "/oslc/records", "https://evil.example", "", "", 200},
		{"preflight", "OPTIONS", "/oslc/records", "https://alm.example", "", "https://alm.example", 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httpRecord(srv, tt.method, "http://pm.example"+tt.path, tt.origin)
			assert.Equal(t, tt.status, rec.Code)
			if tt.csp != "" {
				assert.Contains(t, rec.Header().Get("Content-Security-Policy"), tt.csp)
			}
			assert.Equal(t, tt.allowOrigin, rec.Header().Get("Access-Control-Allow-Origin"))
			if tt.method == "OPTIONS" {
				assert.Contains(t, rec.Header().Get("Access-Control-Allow-Headers"), "Prefer")
			}
		})
	}
}

func TestSelectSearchAndPages(t *testing.T) {
	ts, res := seeded(t)
	seedResource(t, ts, "db01 orders database", "db01")
	search := func(kind, q string) []map[string]string {
		r := ts.do(t, "GET", "/ui/select/"+kind+"/search?q="+q, "")
		require.Equal(t, 200, r.status, "%s", r.body)
		var out struct{ Results []map[string]string }
		require.NoError(t, json.Unmarshal(r.body, &out))
		return out.Results
	}
	assert.Len(t, search("resources", ""), 2)
	got := search("resources", "fro")
	require.Len(t, got, 1)
	assert.Equal(t, res, got[0]["uri"])
	assert.Len(t, search("records", "web0"), 3, "records found by their resource's title")
	assert.Len(t, search("records", "db01"), 0)

	page := ts.do(t, "GET", res, "", "Accept", "text/html")
	require.Equal(t, 200, page.status)
	// Each of the 3 values of the first metric has a dot in the wide and in
	// the narrow drawing of its chart.
	assert.Equal(t, 6, strings.Count(string(page.body), `class="pt s0"`))
	list := ts.do(t, "GET", "/oslc/records?oslc.pageSize=2", "", "Accept", "text/html")
	assert.Contains(t, string(list.body), `rel="next"`)
	assert.Contains(t, string(list.body), `name="oslc.where"`)
	home := ts.do(t, "GET", "/", "", "Accept", "text/html")
	assert.Contains(t, string(home.body), ts.URL+"/oslc/catalog")
}

func httpRecord(h http.Handler, method, url, origin string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, url, nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
		if method == "OPTIONS" {
			req.Header.Set("Access-Control-Request-Method", "POST")
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestOverviewSparklines checks the overview's one query of the latest
// records of a page of resources: a resource that writes often fills its
// shared limit, and one that writes seldom still gets its own records.
func TestOverviewSparklines(t *testing.T) {
	ts := newTestServer(t)
	busy := seedResource(t, ts, "alpha busy host", "alpha")
	quiet := seedResource(t, ts, "beta quiet host", "beta")
	seedResource(t, ts, "gamma idle host", "gamma")
	now := time.Now().UTC()
	for i := 0; i < 5; i++ {
		seedRecord(t, ts, quiet, now.Add(-time.Hour-time.Duration(i)*time.Minute), 5, 1e9)
	}
	// More than the page's three resources' share of the limit, all newer.
	for i := 0; i < 80; i++ {
		seedRecord(t, ts, busy, now.Add(-time.Duration(i)*time.Second), float64(i), 1e9)
	}
	home := ts.do(t, "GET", "/", "", "Accept", "text/html")
	require.Equal(t, 200, home.status)
	points := func(name string) []string {
		for _, row := range strings.Split(string(home.body), "<tr>") {
			if strings.Contains(row, ">"+name+"</a>") {
				var out []string
				for _, m := range regexp.MustCompile(`class="spark"[^>]* data-points="(\d+)"`).FindAllStringSubmatch(row, -1) {
					out = append(out, m[1])
				}
				return out
			}
		}
		t.Fatalf("no row of %s", name)
		return nil
	}
	assert.Equal(t, []string{"24", "24"}, points("alpha busy host"), "CPU and memory, the latest 24 of 80")
	assert.Equal(t, []string{"5", "5"}, points("beta quiet host"), "its own 5, though older than the busy host's 80")
	assert.Empty(t, points("gamma idle host"))
	assert.Contains(t, string(home.body), "No measures yet")
}

// BenchmarkOverview renders the overview (the home page) of 1,000
// monitored resources, each with records, as a browser asks for it: the
// server time per page, and the bytes sent (b/page). Targets: under
// 300 ms and 200 KB.
func BenchmarkOverview(b *testing.B) {
	ts := newTestServer(b)
	now := time.Now().UTC()
	const resources, records = 1000, 3
	for i := 0; i < resources; i++ {
		res := seedResource(b, ts, fmt.Sprintf("host%04d front end", i), fmt.Sprintf("host%04d", i))
		// The first page's resources have a sparkline's worth of records;
		// the others one, as a store that has run a while would.
		n := 1
		if i < 60 {
			n = records * 4
		}
		for j := 0; j < n; j++ {
			seedRecord(b, ts, res, now.Add(-time.Duration(n-j)*time.Minute), float64(10+j%50), 1e9+float64(j)*1e6)
		}
	}
	b.ResetTimer()
	var size int
	for i := 0; i < b.N; i++ {
		r := ts.do(b, "GET", "/", "", "Accept", "text/html")
		require.Equal(b, 200, r.status)
		size = len(r.body)
	}
	b.ReportMetric(float64(size), "B/page")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
}
