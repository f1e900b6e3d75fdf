package provider_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store"
)

// The encoded answers the server keeps (oslc/repcache.go) must never
// outlive the state they encode: each write, whichever way it reaches the
// store, is seen by the next GET.

func TestCachedRecordFollowsWrites(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	loc := r.header.Get("Location")
	get := func(accept string) response {
		t.Helper()
		r := ts.do(t, "GET", loc, "", "Accept", accept)
		require.Equal(t, 200, r.status, "%s", r.body)
		return r
	}
	xml1, ttl1 := get("application/rdf+xml"), get("text/turtle")
	again := get("application/rdf+xml")
	assert.Equal(t, xml1.body, again.body, "the same state, read again")
	assert.Equal(t, withoutDate(xml1.header), withoutDate(again.header), "the same headers, read again")
	nm := ts.do(t, "GET", loc, "", "Accept", "text/turtle", "If-None-Match", ttl1.header.Get("ETag"))
	assert.Equal(t, 304, nm.status)
	assert.Equal(t, ttl1.header.Get("ETag"), nm.header.Get("ETag"))
	assert.Equal(t, 200, ts.do(t, "GET", loc, "", "Accept", "application/rdf+xml", "If-None-Match", ttl1.header.Get("ETag")).status,
		"the Turtle tag does not name the RDF/XML answer")
	assert.Contains(t, ttl1.header.Get("Content-Type"), "text/turtle", "each representation is kept apart")
	assert.Contains(t, string(get("text/turtle").body), "web01 at 10:00")
	sel := ts.do(t, "GET", loc+"?oslc.properties=dcterms:title", "", "Accept", "text/turtle")
	assert.NotContains(t, string(sel.body), "numericValue", "oslc.properties selects, cached or not")

	put := strings.Replace(recordTTL, "web01 at 10:00", "web01 renamed", 1)
	w := ts.do(t, "PUT", loc, put, "Content-Type", "text/turtle", "If-Match", xml1.header.Get("ETag"))
	require.Equal(t, 200, w.status, "%s", w.body)
	xml2, ttl2 := get("application/rdf+xml"), get("text/turtle")
	assert.NotEqual(t, xml1.header.Get("ETag"), xml2.header.Get("ETag"))
	assert.Contains(t, string(xml2.body), "web01 renamed")
	assert.Contains(t, string(ttl2.body), "web01 renamed")
	assert.NotContains(t, string(ttl2.body), "web01 at 10:00")

	require.Equal(t, 204, ts.do(t, "DELETE", loc, "").status)
	assert.Equal(t, 404, ts.do(t, "GET", loc, "", "Accept", "text/turtle").status)
}

func TestCachedPageFollowsWrites(t *testing.T) {
	ts := newTestServer(t)
	host := "http://example.org/hosts/web01"
	page := "/oslc/records?" + url.Values{
		"oslc.where":  {"dcterms:isPartOf=<" + host + ">"},
		"oslc.prefix": {"dcterms=<http://purl.org/dc/terms/>"},
		"oslc.select": {"dcterms:title"},
	}.Encode()
	total := func() string {
		t.Helper()
		r := ts.do(t, "GET", page, "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status, "%s", r.body)
		g := graphOf(t, r, ts.URL)
		vs := objects(g, nil, "http://open-services.net/ns/core#totalCount")
		require.Len(t, vs, 1, "%s", r.body)
		return vs[0].String()
	}
	assert.Equal(t, "0", total())
	assert.Equal(t, "0", total())
	first := ts.do(t, "GET", page, "", "Accept", "text/turtle")
	second := ts.do(t, "GET", page, "", "Accept", "text/turtle")
	assert.Equal(t, withoutDate(first.header), withoutDate(second.header), "the same headers, read again")

	// Through HTTP.
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	assert.Equal(t, "1", total())
	assert.Equal(t, "1", total())

	// A PUT changes the members' selected properties, not the total.
	put := strings.Replace(recordTTL, "web01 at 10:00", "web01 renamed", 1)
	w := ts.do(t, "PUT", r.header.Get("Location"), put, "Content-Type", "text/turtle", "If-Match", r.header.Get("ETag"))
	require.Equal(t, 200, w.status, "%s", w.body)
	assert.Contains(t, string(ts.do(t, "GET", page, "", "Accept", "text/turtle").body), "web01 renamed")

	// Through the store the provider was given, as the job engine and
	// bulk loads write (staged records too).
	cfg := fixture.Config{BaseURL: ts.URL, Records: 4, Resources: 1}
	rec := cfg.Record(0)
	for i, tr := range rec.Triples {
		if tr.Pred.String() == "http://purl.org/dc/terms/isPartOf" {
			rec.Triples[i].Obj = mustIRI(t, host)
		}
	}
	// (Whether queries see staged records is the store's business: what
	// matters here is that the merge is seen.)
	require.NoError(t, ts.bdb.Stage(t.Context(), []store.Resource{rec}))
	total()
	_, err := ts.bdb.Merge(t.Context(), 0)
	require.NoError(t, err)
	assert.Equal(t, "2", total())
	require.NoError(t, ts.bdb.Delete(t.Context(), rec.ID, ""))
	assert.Equal(t, "1", total())
}

func withoutDate(h http.Header) http.Header {
	h = h.Clone()
	h.Del("Date")
	h.Del("X-Request-Id") // each request's own
	return h
}

// A monitored resource's page shows its latest records: a new record
// changes the page, not the resource's ETag. Pages are never kept.
func TestResourcePageIsNotKept(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/resources", `@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title "web-y" ; crtv:fqdn "web-y.example.org" .`, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	host := r.header.Get("Location")
	page := func() response {
		t.Helper()
		// A fixed window: the default one ends at the current second.
		p := ts.do(t, "GET", host+"?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z", "", "Accept", "text/html")
		require.Equal(t, 200, p.status, "%s", p.body)
		return p
	}
	before := page()
	assert.Equal(t, before.body, page().body)
	rec := strings.Replace(recordTTL, "http://example.org/hosts/web01", host, 1)
	require.Equal(t, 201, ts.do(t, "POST", "/oslc/records", rec, "Content-Type", "text/turtle").status)
	after := page()
	assert.Equal(t, before.header.Get("ETag"), after.header.Get("ETag"), "the resource is as it was")
	assert.NotEqual(t, string(before.body), string(after.body), "its page shows the new record")
}
