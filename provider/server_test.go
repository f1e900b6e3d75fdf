package provider_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// pmStoreOptions returns opt with the indexes cmd/pmprovider asks of the
// store: the full-text index of vocab.TextIndexed and the pair index of
// vocab.MeasurePair.
func pmStoreOptions(opt store.Options) *store.Options {
	opt.TextPredicates = vocab.TextIndexed
	opt.Pairs = []store.Pair{store.Pair(vocab.MeasurePair), store.Pair(vocab.DatePair)}
	return &opt
}

// testServer is a provider over a fresh store, served over real HTTP.
type testServer struct {
	*httptest.Server
	db  *store.DB      // the bbolt store, nil over another (see openStore)
	st  provider.Store // the store the server serves
	bdb *boltsource.DB // st over bbolt: writes through it change the store's version; nil over another
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	return newTestServerWithBodyLimit(t, 64<<10)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (ts *testServer) do(t testing.TB, method, url string, body string, header ...string) response {
	t.Helper()
	if strings.HasPrefix(url, "/") {
		url = ts.URL + url
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// graphOf parses a response body in its Content-Type.
func graphOf(t testing.TB, r response, base string) []rdf.Triple {
	t.Helper()
	ct := strings.TrimSpace(strings.Split(r.header.Get("Content-Type"), ";")[0])
	f, ok := codec.FormatOf(ct)
	require.True(t, ok, "content type %q", ct)
	g, err := codec.Decode(bytes.NewReader(r.body), f, base)
	require.NoError(t, err, "body:\n%s", r.body)
	return g
}

// objects returns the objects of (s, p) in g.
func objects(g []rdf.Triple, s rdf.Term, p string) []rdf.Term {
	var out []rdf.Term
	for _, t := range g {
		if (s == nil || rdf.TermsEqual(t.Subj, s)) && t.Pred.String() == p {
			out = append(out, t.Obj)
		}
	}
	return out
}

func one(t testing.TB, g []rdf.Triple, s rdf.Term, p string) rdf.Term {
	t.Helper()
	os := objects(g, s, p)
	require.Len(t, os, 1, "objects of %v %s", s, p)
	return os[0]
}

const recordTTL = `@prefix pm: <http://open-services.net/ns/perfmon#> .
@prefix ems: <http://open-services.net/ns/ems#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a pm:PerformanceMonitoringRecord ;
  dcterms:title "web01 at 10:00" ;
  dcterms:date "2026-11-01T10:00:00+02:00"^^xsd:dateTime ;
  dcterms:isPartOf <http://example.org/hosts/web01> ;
  pm:availabilityStatus pm:Running ;
  <http://example.org/custom#note> "kept as given" ;
  ems:observes [ a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue 93.5 ] ,
               [ a ems:Measure ; ems:metric pm:RealMemoryUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Byte> ; ems:numericValue "2147483648"^^xsd:integer ] .
`

// discover follows links from /rootservices to the record creation
// factory, using only the RDF.
func discover(t *testing.T, ts *testServer, resourceType string) (factory, queryBase string) {
	t.Helper()
	rs := ts.do(t, "GET", "/rootservices", "")
	require.Equal(t, 200, rs.status)
	assert.Contains(t, rs.header.Get("Content-Type"), "application/rdf+xml")
	assert.Equal(t, "2.0", rs.header.Get("OSLC-Core-Version"))
	g := graphOf(t, rs, ts.URL+"/rootservices")
	self, _ := rdf.NewIRI(ts.URL + "/rootservices")
	cat := one(t, g, self, vocab.PM+"pmServiceProviders").String()
	assert.Equal(t, cat, one(t, g, self, vocab.JD+"oslcCatalogs").String())

	c := ts.do(t, "GET", cat, "")
	require.Equal(t, 200, c.status)
	g = graphOf(t, c, cat)
	sps := objects(g, nil, vocab.OSLC+"serviceProvider")
	require.Len(t, sps, 1)
	require.NotEmpty(t, objects(g, sps[0], vocab.DCTerms+"title"), "provider described inline with its title")

	p := ts.do(t, "GET", sps[0].String(), "")
	require.Equal(t, 200, p.status)
	g = graphOf(t, p, sps[0].String())
	for _, svc := range objects(g, nil, vocab.OSLC+"service") {
		if one(t, g, svc, vocab.OSLC+"domain").String() != vocab.PM {
			continue
		}
		for _, cf := range objects(g, svc, vocab.OSLC+"creationFactory") {
			for _, rt := range objects(g, cf, vocab.OSLC+"resourceType") {
				if rt.String() == resourceType {
					factory = one(t, g, cf, vocab.OSLC+"creation").String()
				}
			}
		}
		for _, qc := range objects(g, svc, vocab.OSLC+"queryCapability") {
			for _, rt := range objects(g, qc, vocab.OSLC+"resourceType") {
				if rt.String() == resourceType {
					queryBase = one(t, g, qc, vocab.OSLC+"queryBase").String()
				}
			}
		}
	}
	require.NotEmpty(t, factory, "creation factory for %s", resourceType)
	require.NotEmpty(t, queryBase, "query capability for %s", resourceType)
	return factory, queryBase
}

func TestDiscoveryAndRecordLifecycle(t *testing.T) {
	ts := newTestServer(t)
	factory, queryBase := discover(t, ts, vocab.PM+"PerformanceMonitoringRecord")

	created := ts.do(t, "POST", factory, recordTTL, "Content-Type", "text/turtle", "Accept", "text/turtle")
	require.Equal(t, 201, created.status, "%s", created.body)
	loc := created.header.Get("Location")
	require.True(t, strings.HasPrefix(loc, factory+"/"), "Location %q under %q", loc, factory)
	etag := created.header.Get("ETag")
	require.NotEmpty(t, etag)

	// Each representation has its own ETag: the Turtle one here.
	got := ts.do(t, "GET", loc, "", "Accept", "text/turtle")
	require.Equal(t, 200, got.status)
	assert.Equal(t, etag, got.header.Get("ETag"))
	g := graphOf(t, got, loc)
	id, _ := rdf.NewIRI(loc)
	assert.Equal(t, "2026-11-01T10:00:00+02:00", one(t, g, id, vocab.DCTerms+"date").String())
	assert.Equal(t, "http://example.org/hosts/web01", one(t, g, id, vocab.DCTerms+"isPartOf").String())
	assert.Equal(t, strings.TrimPrefix(loc, factory+"/"), one(t, g, id, vocab.DCTerms+"identifier").String())
	assert.NotEmpty(t, objects(g, id, vocab.DCTerms+"created"))
	assert.Equal(t, ts.URL+"/oslc/shapes/record", one(t, g, id, vocab.OSLC+"instanceShape").String())
	assert.Equal(t, ts.URL+"/oslc/provider", one(t, g, id, vocab.OSLC+"serviceProvider").String())
	measures := objects(g, id, vocab.EMS+"observes")
	require.Len(t, measures, 2)
	for _, m := range measures {
		assert.True(t, strings.HasPrefix(m.String(), loc+"#"), "measure %s named within the record", m)
		assert.Len(t, objects(g, m, vocab.EMS+"numericValue"), 1)
	}
	assert.Equal(t, "kept as given", one(t, g, id, "http://example.org/custom#note").String())

	// The record is listed by its query base.
	list := ts.do(t, "GET", queryBase, "", "Accept", "text/turtle")
	require.Equal(t, 200, list.status)
	qb, _ := rdf.NewIRI(queryBase)
	assert.Equal(t, []rdf.Term{id}, objects(graphOf(t, list, queryBase), qb, vocab.RDFS+"member"))

	// Conditional GET.
	nm := ts.do(t, "GET", loc, "", "If-None-Match", etag, "Accept", "text/turtle")
	assert.Equal(t, 304, nm.status)

	// PUT: If-Match required, stale tag refused, read-only guarded.
	newTitle := strings.Replace(recordTTL, "web01 at 10:00", "web01 at ten", 1)
	r := ts.do(t, "PUT", loc, newTitle, "Content-Type", "text/turtle")
	assert.Equal(t, 400, r.status)
	assert.Contains(t, string(r.body), "If-Match")
	r = ts.do(t, "PUT", loc, newTitle, "Content-Type", "text/turtle", "If-Match", `"stale"`)
	assert.Equal(t, 412, r.status)
	ro := strings.Replace(newTitle, "<> a pm:PerformanceMonitoringRecord ;", `<> a pm:PerformanceMonitoringRecord ; dcterms:identifier "mine" ;`, 1)
	r = ts.do(t, "PUT", loc, ro, "Content-Type", "text/turtle", "If-Match", etag)
	assert.Equal(t, 409, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), "identifier is read-only")
	r = ts.do(t, "PUT", loc, newTitle, "Content-Type", "text/turtle", "If-Match", etag, "Accept", "application/n-triples")
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.NotEqual(t, etag, r.header.Get("ETag"))
	g = graphOf(t, r, loc)
	assert.Equal(t, "web01 at ten", one(t, g, id, vocab.DCTerms+"title").String())
	assert.Equal(t, strings.TrimPrefix(loc, factory+"/"), one(t, g, id, vocab.DCTerms+"identifier").String(), "read-only kept when left out")
	assert.Equal(t, "kept as given", one(t, g, id, "http://example.org/custom#note").String())
	r2 := ts.do(t, "PUT", loc, newTitle, "Content-Type", "text/turtle", "If-Match", etag)
	assert.Equal(t, 412, r2.status, "the old ETag is stale now")

	// DELETE removes it and all its triples.
	d := ts.do(t, "DELETE", loc, "")
	assert.Equal(t, 204, d.status)
	assert.Equal(t, 404, ts.do(t, "GET", loc, "").status)
	n := 0
	require.NoError(t, ts.match(func(tr rdf.Triple) bool {
		if strings.HasPrefix(tr.Subj.String(), loc) {
			n++
		}
		return true
	}))
	assert.Zero(t, n, "triples left of a deleted record")
}

func TestCreateNamingStyles(t *testing.T) {
	ts := newTestServer(t)
	body := func(subject string) string {
		return strings.Replace(recordTTL, "<> a pm:", subject+" a pm:", 1)
	}
	for _, tt := range []struct{ name, body string }{
		{"relative <>", body("<>")},
		{"blank node", body("_:rec")},
		{"own IRI", body("<http://client.example/records/r1>")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(t, "POST", "/oslc/records", tt.body, "Content-Type", "text/turtle")
			require.Equal(t, 201, r.status, "%s", r.body)
			loc := r.header.Get("Location")
			id, _ := rdf.NewIRI(loc)
			g := graphOf(t, r, loc)
			assert.Len(t, objects(g, id, vocab.EMS+"observes"), 2)
			assert.Len(t, objects(g, id, vocab.DCTerms+"isPartOf"), 1)
		})
	}
}

func TestCreateInEveryFormat(t *testing.T) {
	ts := newTestServer(t)
	// Write the record in each format with our codec, post it, and check
	// the stored graph is the same.
	src, err := codec.Decode(strings.NewReader(recordTTL), codec.Turtle, "http://client.example/new")
	require.NoError(t, err)
	for _, f := range []codec.Format{codec.RDFXML, codec.Turtle, codec.JSONLD, codec.NTriples} {
		t.Run(f.MediaType(), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, codec.Encode(&buf, f, src, nil))
			r := ts.do(t, "POST", "/oslc/records", buf.String(), "Content-Type", f.MediaType(), "Accept", f.MediaType())
			require.Equal(t, 201, r.status, "%s", r.body)
			assert.Contains(t, r.header.Get("Content-Type"), f.MediaType())
			loc := r.header.Get("Location")
			id, _ := rdf.NewIRI(loc)
			g := graphOf(t, r, loc)
			assert.Len(t, objects(g, id, vocab.EMS+"observes"), 2)
			assert.Equal(t, "2026-11-01T10:00:00+02:00", one(t, g, id, vocab.DCTerms+"date").String())
		})
	}
}

func TestContentNegotiation(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		accept string
		want   string
		status int
	}{
		{"", "application/rdf+xml", 200},
		{"*/*", "application/rdf+xml", 200},
		{"text/turtle", "text/turtle", 200},
		{"application/ld+json", "application/ld+json", 200},
		{"application/n-triples", "application/n-triples", 200},
		{"text/html", "text/html", 200},
		{"text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json", 200},
		{"application/rdf+xml;q=0.1, text/turtle", "text/turtle", 200},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html", 200},
		{"application/xml", "application/rdf+xml", 200},
		{"image/png", "", 406},
		{"text/turtle;q=0", "", 406},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			r := ts.do(t, "GET", "/oslc/catalog", "", "Accept", tt.accept)
			require.Equal(t, tt.status, r.status, "%s", r.body)
			if tt.status == 406 {
				assert.Contains(t, string(r.body), "text/turtle, application/ld+json", "406 lists what is offered")
				assert.Contains(t, string(r.body), "Error")
				return
			}
			assert.Contains(t, r.header.Get("Content-Type"), tt.want)
		})
	}
}

// count returns how many records the query base lists.
func count(t *testing.T, ts *testServer) int {
	r := ts.do(t, "GET", "/oslc/records", "", "Accept", "application/n-triples")
	require.Equal(t, 200, r.status)
	return len(objects(graphOf(t, r, ts.URL), nil, vocab.RDFS+"member"))
}

func TestBadInput(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status)
	loc, etag := r.header.Get("Location"), r.header.Get("ETag")
	before := ts.do(t, "GET", loc, "", "Accept", "application/n-triples")

	big := recordTTL + strings.Repeat("# padding\n", 10000)
	tests := []struct {
		name, method, url, ct, body string
		status                      int
		msg                         string
	}{
		{"no timezone", "POST", "/oslc/records", "text/turtle", strings.Replace(recordTTL, "+02:00", "", 1), 400, "has no timezone"},
		{"no isPartOf", "POST", "/oslc/records", "text/turtle", strings.Replace(recordTTL, "dcterms:isPartOf <http://example.org/hosts/web01> ;", "", 1), 400, "isPartOf must occur exactly once"},
		{"malformed turtle", "POST", "/oslc/records", "text/turtle", strings.Replace(recordTTL, " ;\n  dcterms:title", " dcterms:title", 1), 400, "malformed"},
		{"malformed rdf/xml", "POST", "/oslc/records", "application/rdf+xml", "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description", 400, "malformed"},
		{"malformed json-ld", "POST", "/oslc/records", "application/ld+json", `{"@id": `, 400, "malformed"},
		{"wrong datatype", "POST", "/oslc/records", "text/turtle", strings.Replace(recordTTL, "93.5", `"lots"^^xsd:double`, 1), 400, "not a valid xsd:double"},
		{"date not a date", "POST", "/oslc/records", "text/turtle", strings.Replace(recordTTL, `"2026-11-01T10:00:00+02:00"^^xsd:dateTime`, `"yesterday"`, 1), 400, "xsd:dateTime"},
		{"oversized", "POST", "/oslc/records", "text/turtle", big, 413, "larger than the limit"},
		{"unknown media type", "POST", "/oslc/records", "application/x-unknown", recordTTL, 415, "not accepted"},
		{"no content type", "POST", "/oslc/records", "", recordTTL, 415, "Content-Type"},
		{"empty body", "POST", "/oslc/records", "text/turtle", "", 400, "no triples"},
		{"bad PUT", "PUT", loc, "text/turtle", strings.Replace(recordTTL, "+02:00", "", 1), 400, "has no timezone"},
		{"malformed PUT", "PUT", loc, "text/turtle", "<> <", 400, "malformed"},
		{"oversized PUT", "PUT", loc, "text/turtle", big, 413, "larger than the limit"},
		{"unknown resource", "GET", "/oslc/records/nope", "", "", 404, "no resource"},
		{"unknown path", "GET", "/nowhere", "", "", 404, "no resource"},
		{"method", "PATCH", "/oslc/records", "", "", 405, "not allowed"},
	}
	n := count(t, ts)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := []string{"Accept", "text/turtle", "If-Match", etag}
			if tt.ct != "" {
				h = append(h, "Content-Type", tt.ct)
			}
			r := ts.do(t, tt.method, tt.url, tt.body, h...)
			require.Equal(t, tt.status, r.status, "%s", r.body)
			g := graphOf(t, r, ts.URL)
			var node rdf.Term
			for _, tr := range g {
				if tr.Obj.String() == vocab.OSLC+"Error" {
					node = tr.Subj
				}
			}
			require.NotNil(t, node, "an oslc:Error in %s", r.body)
			assert.Equal(t, fmt.Sprint(tt.status), one(t, g, node, vocab.OSLC+"statusCode").String())
			assert.Contains(t, one(t, g, node, vocab.OSLC+"message").String(), tt.msg)
		})
	}
	assert.Equal(t, n, count(t, ts), "no record created by bad input")
	after := ts.do(t, "GET", loc, "", "Accept", "application/n-triples")
	assert.Equal(t, string(before.body), string(after.body), "stored record unchanged")
	assert.Equal(t, before.header.Get("ETag"), after.header.Get("ETag"))
}

func TestMonitoredResources(t *testing.T) {
	ts := newTestServer(t)
	factory, _ := discover(t, ts, vocab.CRTV+"ComputerSystem")
	host := `@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title "web01" ; crtv:fqdn "web01.example.org" .`
	r := ts.do(t, "POST", factory, host, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	hostIRI := r.header.Get("Location")

	// A record of this host links to it, and the host can be looked up.
	rec := strings.Replace(recordTTL, "http://example.org/hosts/web01", hostIRI, 1)
	r = ts.do(t, "POST", "/oslc/records", rec, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	id, _ := rdf.NewIRI(r.header.Get("Location"))
	partOf := one(t, graphOf(t, r, id.String()), id, vocab.DCTerms+"isPartOf").String()
	h := ts.do(t, "GET", partOf, "", "Accept", "text/turtle")
	require.Equal(t, 200, h.status)
	assert.Contains(t, string(h.body), "web01.example.org")

	untyped := `<> <http://purl.org/dc/terms/title> "no type" .`
	r = ts.do(t, "POST", factory, untyped, "Content-Type", "text/turtle")
	assert.Equal(t, 400, r.status)
	assert.Contains(t, string(r.body), "type is required")
}

func TestHTML(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle", "Accept", "text/html")
	require.Equal(t, 201, r.status)
	page := string(r.body)
	assert.Contains(t, page, "<title>web01 at 10:00</title>")
	assert.Contains(t, page, `href="http://example.org/hosts/web01"`)
	assert.Contains(t, page, `href="`+r.header.Get("Location")+`?format=turtle"`)
	assert.Contains(t, page, "pm:CpuUsed")
	cat := ts.do(t, "GET", "/oslc/catalog", "", "Accept", "text/html")
	assert.Contains(t, string(cat.body), `href="`+ts.URL+`/oslc/provider"`)
}

// TestBaseURLWithPath serves the provider below a path, as behind a proxy:
// routes and minted IRIs carry the base's path.
func TestBaseURLWithPath(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	defer db.Close()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String() + "/pm"
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: base})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	defer hs.Close()
	ts := &testServer{Server: hs, db: db}

	assert.Equal(t, 404, ts.do(t, "GET", "/oslc/catalog", "").status)
	r := ts.do(t, "POST", "/pm/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	loc := r.header.Get("Location")
	assert.True(t, strings.HasPrefix(loc, base+"/oslc/records/"), loc)
	got := ts.do(t, "GET", loc, "", "Accept", "text/turtle")
	require.Equal(t, 200, got.status)
	id, _ := rdf.NewIRI(loc)
	assert.Len(t, objects(graphOf(t, got, loc), id, vocab.EMS+"observes"), 2)
}
