package provider_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec/codectest"
	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The tests of OSLC Core 3.0 and LDP behaviour, end to end over HTTP.

const (
	ldpNS            = "http://www.w3.org/ns/ldp#"
	relResourceType  = "http://open-services.net/ns/core#resourceType"
	relConstrainedBy = "http://www.w3.org/ns/ldp#constrainedBy"
	preferDialog     = `return=representation; include="http://open-services.net/ns/core#PreferDialog"`
)

// stateTag is the part of an ETag that names the resource's state: every
// representation of a state has its own ETag, each the state's tag with
// the representation's suffix.
func stateTag(etag string) string {
	o := strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
	if i := strings.LastIndexByte(o, '.'); i >= 0 {
		o = o[:i]
	}
	return o
}

// links returns the targets of r's Link headers with relation rel.
func links(r response, rel string) []string {
	var out []string
	for _, h := range r.header.Values("Link") {
		for _, l := range strings.Split(h, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(l), ";")
			if !ok {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				if k, v, _ := strings.Cut(strings.TrimSpace(p), "="); k == "rel" && strings.Trim(v, `"`) == rel {
					out = append(out, strings.Trim(target, "<>"))
				}
			}
		}
	}
	return out
}

// varies says whether r's Vary headers name field.
func varies(r response, field string) bool {
	for _, v := range r.header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				return true
			}
		}
	}
	return false
}

func createRecord(t *testing.T, ts *testServer) string {
	t.Helper()
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	return r.header.Get("Location")
}

// TestQueryBasesAreLDPContainers: a query base, which is also its kind's
// creation factory, says in its answers to GET, HEAD and OPTIONS that it
// is an LDP basic container, which resource types its members have, which
// shape constrains them and what POST takes; its RDF has the containment
// triples; and a POST or PUT that breaks the shape links it.
func TestQueryBasesAreLDPContainers(t *testing.T) {
	ts := newTestServer(t)
	rec := createRecord(t, ts)
	rdfTypes := []string{"application/rdf+xml", "text/turtle", "application/ld+json", "application/n-triples"}

	for _, c := range []struct {
		path, shape string
		types       []string
		creatable   bool
		dialogs     []string
	}{
		{"/oslc/records", "/oslc/shapes/record", []string{vocab.PM + "PerformanceMonitoringRecord"}, true, []string{"/oslc/dialogs/select/records"}},
		{"/oslc/resources", "/oslc/shapes/resource", nil, true, []string{"/oslc/dialogs/select/resources", "/oslc/dialogs/create/resources"}},
		{"/oslc/reports", "/oslc/shapes/report", []string{vocab.PMJ + "PerformanceReport"}, false, nil},
	} {
		for _, method := range []string{"GET", "HEAD", "OPTIONS"} {
			t.Run(method+" "+c.path, func(t *testing.T) {
				r := ts.do(t, method, c.path, "")
				require.Less(t, r.status, 300, "%s", r.body)
				assert.ElementsMatch(t, []string{ldpNS + "Resource", ldpNS + "Container", ldpNS + "BasicContainer"}, links(r, "type"))
				rts := links(r, relResourceType)
				assert.NotEmpty(t, rts)
				for _, rt := range c.types {
					assert.Contains(t, rts, rt)
				}
				assert.Equal(t, []string{ts.URL + c.shape}, links(r, relConstrainedBy))
				accept := strings.Split(r.header.Get("Accept-Post"), ", ")
				assert.Contains(t, accept, "application/x-www-form-urlencoded", "queries are POSTed as forms")
				for _, mt := range rdfTypes {
					assert.Equal(t, c.creatable, slices.Contains(accept, mt), "Accept-Post %v lists %s", accept, mt)
				}
				if method == "OPTIONS" {
					var got []string
					for _, rel := range []string{vocab.OSLC + "selectionDialog", vocab.OSLC + "creationDialog"} {
						got = append(got, links(r, rel)...)
					}
					var want []string
					for _, d := range c.dialogs {
						want = append(want, ts.URL+d)
					}
					assert.ElementsMatch(t, want, got, "OPTIONS links the dialogs")
				}
			})
		}
	}

	t.Run("containment triples", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/records", "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status)
		g := graphOf(t, r, ts.URL)
		base := mustIRI(t, ts.URL+"/oslc/records")
		assert.Contains(t, objects(g, base, vocab.RDF+"type"), rdf.Term(mustIRI(t, ldpNS+"BasicContainer")))
		assert.Equal(t, []rdf.Term{mustIRI(t, rec)}, objects(g, base, ldpNS+"contains"))
		assert.Equal(t, []rdf.Term{mustIRI(t, rec)}, objects(g, base, vocab.RDFS+"member"))
	})

	t.Run("constrainedBy on a shape violation", func(t *testing.T) {
		noHost := strings.Replace(recordTTL, "dcterms:isPartOf <http://example.org/hosts/web01> ;", "", 1)
		r := ts.do(t, "POST", "/oslc/records", noHost, "Content-Type", "text/turtle")
		require.Equal(t, 400, r.status, "%s", r.body)
		assert.Equal(t, []string{ts.URL + "/oslc/shapes/record"}, links(r, relConstrainedBy), "POST")

		got := ts.do(t, "GET", rec, "", "Accept", "text/turtle")
		noTimezone := strings.Replace(recordTTL, "+02:00", "", 1)
		r = ts.do(t, "PUT", rec, noTimezone, "Content-Type", "text/turtle", "If-Match", got.header.Get("ETag"))
		require.Equal(t, 400, r.status, "%s", r.body)
		assert.Equal(t, []string{ts.URL + "/oslc/shapes/record"}, links(r, relConstrainedBy), "PUT")

		host := ts.do(t, "POST", "/oslc/resources", `<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "h" .`, "Content-Type", "text/turtle")
		require.Equal(t, 201, host.status, "%s", host.body)
		job := jobTTL([]string{host.header.Get("Location")}, func(p map[string]string) { p["pmj:collector"] = "" })
		r = ts.do(t, "POST", "/oslc/jobs", job, "Content-Type", "text/turtle")
		require.Equal(t, 400, r.status, "%s", r.body)
		assert.Equal(t, []string{ts.URL + "/oslc/shapes/job"}, links(r, relConstrainedBy), "a job definition")

		// Other refusals are not about the shape.
		r = ts.do(t, "POST", "/oslc/records", "<> <", "Content-Type", "text/turtle")
		require.Equal(t, 400, r.status)
		assert.Empty(t, links(r, relConstrainedBy), "a syntax error")
	})
}

// TestPreferDialog: Prefer: return=representation with
// include=oslc:PreferDialog inlines a container's dialog descriptors and
// says so in Preference-Applied (Delegated Dialogs, a MUST); containers
// vary on Prefer; PreferMinimalContainer leaves the members out.
func TestPreferDialog(t *testing.T) {
	ts := newTestServer(t)
	host := ts.do(t, "POST", "/oslc/resources", `<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "h" .`, "Content-Type", "text/turtle")
	require.Equal(t, 201, host.status)
	base := mustIRI(t, ts.URL+"/oslc/resources")

	plain := ts.do(t, "GET", "/oslc/resources", "", "Accept", "text/turtle")
	require.Equal(t, 200, plain.status)
	assert.True(t, varies(plain, "Prefer"), "Vary: %v", plain.header.Values("Vary"))
	assert.True(t, varies(plain, "Accept"))
	assert.Empty(t, plain.header.Get("Preference-Applied"))
	assert.Empty(t, objects(graphOf(t, plain, ts.URL), base, vocab.OSLC+"selectionDialog"))

	for _, mt := range []string{"text/turtle", "application/rdf+xml", "application/ld+json"} {
		t.Run(mt, func(t *testing.T) {
			r := ts.do(t, "GET", "/oslc/resources", "", "Accept", mt, "Prefer", preferDialog)
			require.Equal(t, 200, r.status, "%s", r.body)
			assert.Equal(t, "return=representation", r.header.Get("Preference-Applied"))
			assert.True(t, varies(r, "Prefer"))
			g := graphOf(t, r, ts.URL)
			for action, prop := range map[string]string{"select": "selectionDialog", "create": "creationDialog"} {
				d := one(t, g, base, vocab.OSLC+prop)
				assert.Equal(t, ts.URL+"/oslc/dialogs/"+action+"/resources", d.String())
				assert.Equal(t, []rdf.Term{mustIRI(t, vocab.OSLC+"Dialog")}, objects(g, d, vocab.RDF+"type"))
				assert.Equal(t, ts.URL+"/ui/"+action+"/resources", one(t, g, d, vocab.OSLC+"dialog").String())
				assert.Regexp(t, `^\d+px$`, one(t, g, d, vocab.OSLC+"hintWidth").String())
				assert.Regexp(t, `^\d+px$`, one(t, g, d, vocab.OSLC+"hintHeight").String())
			}
			assert.Len(t, objects(g, base, vocab.RDFS+"member"), 1, "the members are there too")
		})
	}

	t.Run("minimal container", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/resources", "", "Accept", "text/turtle", "Prefer",
			`return=representation; include="http://open-services.net/ns/core#PreferDialog http://www.w3.org/ns/ldp#PreferMinimalContainer"`)
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Equal(t, "return=representation", r.header.Get("Preference-Applied"))
		g := graphOf(t, r, ts.URL)
		assert.Empty(t, objects(g, base, vocab.RDFS+"member"))
		assert.Empty(t, objects(g, base, ldpNS+"contains"))
		assert.Len(t, objects(g, base, vocab.OSLC+"creationDialog"), 1)
	})

	t.Run("no dialogs", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/reports", "", "Accept", "text/turtle", "Prefer", preferDialog)
		require.Equal(t, 200, r.status)
		assert.Empty(t, r.header.Get("Preference-Applied"), "nothing to inline")
	})
}

// newAuthServer is a provider that authenticates every request
// (roleAuth).
func newAuthServer(t *testing.T) *testServer {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(nil)
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: "http://" + hs.Listener.Addr().String(), Authenticators: auth.Chain{roleAuth{}}})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		db.Close()
	})
	return &testServer{Server: hs, db: db}
}

// noRedirect is a client that reports redirects instead of following
// them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestWellKnownCatalog: /.well-known/oslc/sp-catalog and the root services
// (also at /.well-known/oslc/rootservices.xml) lead to the service
// provider catalog, without credentials.
func TestWellKnownCatalog(t *testing.T) {
	ts := newAuthServer(t)
	admin := []string{"Authorization", "Role admin"}
	for path, want := range map[string]string{
		"/.well-known/oslc/sp-catalog":       "/oslc/catalog",
		"/.well-known/oslc/rootservices.xml": "/rootservices",
	} {
		for _, method := range []string{"GET", "HEAD"} {
			req, err := http.NewRequest(method, ts.URL+path, nil)
			require.NoError(t, err)
			resp, err := noRedirect.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusFound, resp.StatusCode, "%s %s without credentials", method, path)
			assert.Equal(t, ts.URL+want, resp.Header.Get("Location"))
		}
	}

	cat := ts.do(t, "GET", "/.well-known/oslc/sp-catalog", "", admin...)
	require.Equal(t, 200, cat.status, "%s", cat.body)
	catalog := mustIRI(t, ts.URL+"/oslc/catalog")
	g := graphOf(t, cat, ts.URL+"/oslc/catalog")
	assert.Equal(t, []rdf.Term{mustIRI(t, vocab.OSLC+"ServiceProviderCatalog")}, objects(g, catalog, vocab.RDF+"type"))

	rs := ts.do(t, "GET", "/.well-known/oslc/rootservices.xml", "")
	require.Equal(t, 200, rs.status, "the root services are public: %s", rs.body)
	g = graphOf(t, rs, ts.URL+"/rootservices")
	self := mustIRI(t, ts.URL+"/rootservices")
	for _, p := range []string{vocab.PM + "pmServiceProviders", vocab.JD + "oslcCatalogs"} {
		assert.Equal(t, catalog.String(), one(t, g, self, p).String())
	}
	assert.Equal(t, 401, ts.do(t, "GET", catalog.String(), "").status, "the catalog itself is not public")
}

// TestDefaultCapabilities: in each service, the creation factory and the
// query capability of each resource type are marked oslc:usage
// oslc:default.
func TestDefaultCapabilities(t *testing.T) {
	ts := newTestServer(t)
	p := ts.do(t, "GET", "/oslc/provider", "", "Accept", "text/turtle")
	require.Equal(t, 200, p.status)
	g := graphOf(t, p, ts.URL+"/oslc/provider")
	services := objects(g, nil, vocab.OSLC+"service")
	require.Len(t, services, 2)
	for _, svc := range services {
		for _, prop := range []string{"creationFactory", "queryCapability"} {
			defaults := map[string]int{}
			caps := objects(g, svc, vocab.OSLC+prop)
			require.NotEmpty(t, caps)
			for _, c := range caps {
				assert.Equal(t, []rdf.Term{mustIRI(t, vocab.OSLC+"default")}, objects(g, c, vocab.OSLC+"usage"), "%s %s", prop, c)
				for _, rt := range objects(g, c, vocab.OSLC+"resourceType") {
					defaults[rt.String()]++
				}
			}
			for rt, n := range defaults {
				assert.Equal(t, 1, n, "defaults for %s among the %ss of %s", rt, prop, one(t, g, svc, vocab.OSLC+"domain"))
			}
		}
	}
}

// TestPredefinedQueryPrefixes: the prefixes OSLC Core 3.0 predefines
// (Selective Properties), and ours, work without oslc.prefix in every
// query parameter.
func TestPredefinedQueryPrefixes(t *testing.T) {
	ts := newTestServer(t)
	rec := createRecord(t, ts)
	for _, p := range []string{"dcterms", "foaf", "owl", "rdf", "xsd", "rdfs", "ldp", "oslc", "trs", "pm", "ems", "crtv", "pmj", "jd", "qudt"} {
		t.Run(p, func(t *testing.T) {
			for _, c := range []struct{ target, param string }{
				{"/oslc/records", "oslc.where=" + url.QueryEscape(p+`:x="y"`)},
				{"/oslc/records", "oslc.select=" + url.QueryEscape(p+":x")},
				{"/oslc/records", "oslc.orderBy=" + url.QueryEscape("+"+p+":x")},
				{"/oslc/records", "oslc.where=" + url.QueryEscape(`dcterms:title="x"`) + "&oslc.select=" + url.QueryEscape("dcterms:isPartOf{"+p+":x}")},
				{rec, "oslc.properties=" + url.QueryEscape(p+":x")},
			} {
				r := ts.do(t, "GET", c.target+"?"+c.param, "", "Accept", "text/turtle")
				assert.Equal(t, 200, r.status, "%s: %s", c.param, r.body)
			}
		})
	}
	r := ts.do(t, "GET", "/oslc/records?oslc.where="+url.QueryEscape(`nope:x="y"`), "", "Accept", "text/turtle")
	assert.Equal(t, 400, r.status, "an undefined prefix is still an error")
}

// sortedNTriples is g as sorted N-Triples lines.
func sortedNTriples(g []rdf.Triple) []string {
	var out []string
	for _, tr := range g {
		out = append(out, tr.Serialize(rdf.NTriples))
	}
	sort.Strings(out)
	return out
}

// TestPostedQuery: a query POSTed as a form to a query base answers as the
// GET with the same parameters does (OSLC Query 3.0, SHOULD), on every
// query base, to readers too.
func TestPostedQuery(t *testing.T) {
	ts := newTestServer(t)
	loadFixture(t, ts, fixture.Config{Seed: 5, Resources: 3, Records: 30})
	params := url.Values{
		"oslc.where":    {"ems:observes{ems:metric=pm:CpuUsed}"},
		"oslc.select":   {"dcterms:date,dcterms:isPartOf"},
		"oslc.orderBy":  {"-dcterms:date"},
		"oslc.pageSize": {"7"},
	}
	get := ts.do(t, "GET", "/oslc/records?"+params.Encode(), "", "Accept", "application/n-triples")
	require.Equal(t, 200, get.status, "%s", get.body)
	post := ts.do(t, "POST", "/oslc/records", params.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Accept", "application/n-triples")
	require.Equal(t, 200, post.status, "%s", post.body)
	assert.Equal(t, ts.URL+"/oslc/records?"+params.Encode(), post.header.Get("Content-Location"))
	assert.Equal(t, sortedNTriples(graphOf(t, get, ts.URL)), sortedNTriples(graphOf(t, post, ts.URL)))
	assert.NotEmpty(t, objects(graphOf(t, post, ts.URL), nil, vocab.OSLC+"nextPage"))
	assert.Equal(t, get.header.Values("Link"), post.header.Values("Link"))

	// URL parameters count too; the body's win.
	post = ts.do(t, "POST", "/oslc/records?oslc.pageSize=3&oslc.select=dcterms:title", params.Encode(), "Content-Type", "application/x-www-form-urlencoded; charset=utf-8", "Accept", "application/n-triples")
	require.Equal(t, 200, post.status, "%s", post.body)
	assert.Equal(t, sortedNTriples(graphOf(t, get, ts.URL)), sortedNTriples(graphOf(t, post, ts.URL)))

	t.Run("every query base", func(t *testing.T) {
		for _, path := range []string{"/oslc/resources", "/oslc/jobs", "/oslc/reports", "/oslc/tracking", "/oslc/notifications", "/oslc/adhoc"} {
			r := ts.do(t, "POST", path, "oslc.select=dcterms%3Atitle", "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/turtle")
			assert.Equal(t, 200, r.status, "%s: %s", path, r.body)
		}
		r := ts.do(t, "POST", "/oslc/reports", `<> <http://purl.org/dc/terms/title> "x" .`, "Content-Type", "text/turtle", "Accept", "text/turtle")
		assert.Equal(t, 415, r.status, "reports are not created by clients: %s", r.body)
	})

	t.Run("bad queries", func(t *testing.T) {
		for body, where := range map[string]string{
			"oslc.where=%zz":                    "body",
			"oslc.where=dcterms%3Atitle%3D":     "oslc.where",
			"oslc.where=nope%3Ax%3D%221%22":     "oslc.where",
			"oslc.pageSize=0":                   "oslc.pageSize",
			"oslc.select=dcterms%3Atitle%7B%7B": "oslc.select",
		} {
			r := ts.do(t, "POST", "/oslc/records", body, "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/turtle")
			assert.Equal(t, 400, r.status, "%s: %s", body, r.body)
			assert.Contains(t, string(r.body), where, body)
		}
	})

	t.Run("readers", func(t *testing.T) {
		as := newAuthServer(t)
		reader := []string{"Authorization", "Role governance"}
		r := as.do(t, "POST", "/oslc/records", "oslc.select=dcterms%3Atitle", append(reader, "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/turtle")...)
		assert.Equal(t, 200, r.status, "a query is a read: %s", r.body)
		r = as.do(t, "POST", "/oslc/records", recordTTL, append(reader, "Content-Type", "text/turtle", "Accept", "text/turtle")...)
		assert.Equal(t, 403, r.status, "a creation is a write: %s", r.body)
	})
}

// TestQueryResultShape: each query capability's oslc:resourceShape
// describes the result container, with an oslc:isMemberProperty property
// whose oslc:valueShape is the members' shape (OSLC Query 3.0, MUST).
func TestQueryResultShape(t *testing.T) {
	ts := newTestServer(t)
	p := ts.do(t, "GET", "/oslc/provider", "", "Accept", "text/turtle")
	require.Equal(t, 200, p.status)
	g := graphOf(t, p, ts.URL+"/oslc/provider")
	qcs := objects(g, nil, vocab.OSLC+"queryCapability")
	require.NotEmpty(t, qcs)
	for _, qc := range qcs {
		shapeURL := one(t, g, qc, vocab.OSLC+"resourceShape").String()
		t.Run(shapeURL, func(t *testing.T) {
			r := ts.do(t, "GET", shapeURL, "", "Accept", "text/turtle")
			require.Equal(t, 200, r.status, "%s", r.body)
			sg := graphOf(t, r, shapeURL)
			shape := mustIRI(t, shapeURL)
			assert.Contains(t, objects(sg, shape, vocab.RDF+"type"), rdf.Term(mustIRI(t, vocab.OSLC+"ResourceShape")))
			var members []rdf.Term
			for _, prop := range objects(sg, shape, vocab.OSLC+"property") {
				for _, v := range objects(sg, prop, vocab.OSLC+"isMemberProperty") {
					if v.String() == "true" {
						members = append(members, prop)
					}
				}
			}
			require.NotEmpty(t, members, "a property with oslc:isMemberProperty true")
			var defs []string
			for _, m := range members {
				defs = append(defs, one(t, sg, m, vocab.OSLC+"propertyDefinition").String())
				member := one(t, sg, m, vocab.OSLC+"valueShape").String()
				ms := ts.do(t, "GET", member, "", "Accept", "text/turtle")
				require.Equal(t, 200, ms.status, "the member shape %s: %s", member, ms.body)
				mg := graphOf(t, ms, member)
				described := objects(mg, mustIRI(t, member), vocab.OSLC+"describes")
				require.NotEmpty(t, described)
				// The member shape describes what the capability finds.
				for _, rt := range objects(g, qc, vocab.OSLC+"resourceType") {
					assert.Contains(t, described, rt, "%s describes the capability's %s", member, rt)
				}
			}
			assert.Contains(t, defs, vocab.RDFS+"member", "rdfs:member, which query results use")
		})
	}
}

// TestOrderSurvivesSerialization: with oslc.orderBy (or search terms),
// each member has an oslc:order, increasing from page to page, so the
// order survives the formats that keep no order of triples.
func TestOrderSurvivesSerialization(t *testing.T) {
	ts := newTestServer(t)
	loadFixture(t, ts, fixture.Config{Seed: 9, Resources: 3, Records: 30})
	params := url.Values{"oslc.orderBy": {"-dcterms:date"}, "oslc.select": {"dcterms:date"}, "oslc.pageSize": {"7"}}
	base := mustIRI(t, ts.URL+"/oslc/records")
	for _, mt := range []string{"application/rdf+xml", "text/turtle", "application/ld+json", "application/n-triples"} {
		t.Run(mt, func(t *testing.T) {
			type member struct {
				order int
				id    string
				date  string
			}
			var all []member
			next := ts.URL + "/oslc/records?" + params.Encode()
			last := 0
			for pages := 0; next != ""; pages++ {
				require.Less(t, pages, 10)
				r := ts.do(t, "GET", next, "", "Accept", mt)
				require.Equal(t, 200, r.status, "%s", r.body)
				g := graphOf(t, r, ts.URL)
				var page []member
				for _, m := range objects(g, base, vocab.RDFS+"member") {
					n, err := strconv.Atoi(one(t, g, m, vocab.OSLC+"order").String())
					require.NoError(t, err)
					page = append(page, member{n, m.String(), one(t, g, m, vocab.DCTerms+"date").String()})
				}
				sort.Slice(page, func(i, j int) bool { return page[i].order < page[j].order })
				require.NotEmpty(t, page)
				assert.Equal(t, last+1, page[0].order, "oslc:order goes on from the last page")
				last = page[len(page)-1].order
				all = append(all, page...)
				next = ""
				for _, n := range objects(g, nil, vocab.OSLC+"nextPage") {
					next = n.String()
				}
			}
			require.Len(t, all, 30)
			for i := 1; i < len(all); i++ {
				assert.Equal(t, all[i-1].order+1, all[i].order)
				a, b := all[i-1], all[i]
				assert.True(t, a.date > b.date || a.date == b.date && a.id < b.id, "%v before %v: newest first, then by IRI", a, b)
			}
		})
	}
	t.Run("search terms", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/records?oslc.searchTerms="+url.QueryEscape(`"`+fixture.SearchWord+`"`), "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status, "%s", r.body)
		g := graphOf(t, r, ts.URL)
		ms := objects(g, base, vocab.RDFS+"member")
		require.NotEmpty(t, ms)
		for _, m := range ms {
			assert.Len(t, objects(g, m, vocab.OSLC+"order"), 1)
		}
	})
	t.Run("no order asked", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/records", "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status)
		assert.Empty(t, objects(graphOf(t, r, ts.URL), nil, vocab.OSLC+"order"))
	})
}

// TestUnwrittenRDFSyntax: a request for an RDF syntax the provider does not
// write is answered in one it does (OSLC Core 3.0, SHOULD), varying on
// Accept; a non-RDF type it cannot serve is still 406.
func TestUnwrittenRDFSyntax(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct{ accept, want string }{
		{"application/trig", "text/turtle"},
		{"application/n-quads", "application/n-triples"},
		{"text/n3", "text/turtle"},
		{"application/rdf+json", "application/rdf+xml"},
		{"application/trig, text/html;q=0.1", "text/turtle"},
		{"text/turtle;q=0, application/trig", "application/rdf+xml"},
		{"application/n-quads;q=0.5, application/ld+json", "application/ld+json"},
	} {
		t.Run(c.accept, func(t *testing.T) {
			r := ts.do(t, "GET", "/oslc/catalog", "", "Accept", c.accept)
			require.Equal(t, 200, r.status, "%s", r.body)
			assert.Contains(t, r.header.Get("Content-Type"), c.want)
			assert.True(t, varies(r, "Accept"))
			assert.NotEmpty(t, graphOf(t, r, ts.URL+"/oslc/catalog"))
		})
	}
	for _, accept := range []string{"image/png", "application/atom+xml", "application/trig;q=0"} {
		r := ts.do(t, "GET", "/oslc/catalog", "", "Accept", accept)
		assert.Equal(t, 406, r.status, accept)
	}
}

// TestETagPerRepresentation: each representation of a resource has its own
// ETag, so a cached Turtle answer is never validated by the RDF/XML one;
// If-None-Match is checked per representation; If-Match on PUT and DELETE
// accepts the ETag of any representation of the current state.
func TestETagPerRepresentation(t *testing.T) {
	ts := newTestServer(t)
	rec := createRecord(t, ts)
	types := []string{"application/rdf+xml", "text/turtle", "application/ld+json", "application/n-triples", "application/json", "text/html"}
	tags := map[string]string{}
	for _, mt := range types {
		r := ts.do(t, "GET", rec, "", "Accept", mt)
		require.Equal(t, 200, r.status)
		tags[mt] = r.header.Get("ETag")
		require.NotEmpty(t, tags[mt], mt)
		assert.True(t, varies(r, "Accept"), mt)
	}
	seen := map[string]string{}
	for mt, tag := range tags {
		bare := strings.TrimPrefix(tag, "W/")
		assert.Empty(t, seen[bare], "%s has the ETag of %s", mt, seen[bare])
		seen[bare] = mt
	}
	assert.True(t, strings.HasPrefix(tags["text/html"], "W/"), "pages have weak ETags")

	for _, method := range []string{"GET", "HEAD"} {
		r := ts.do(t, method, rec, "", "Accept", "text/turtle", "If-None-Match", tags["text/turtle"])
		assert.Equal(t, 304, r.status, method)
		assert.Equal(t, tags["text/turtle"], r.header.Get("ETag"), method)
		r = ts.do(t, method, rec, "", "Accept", "application/rdf+xml", "If-None-Match", tags["text/turtle"])
		assert.Equal(t, 200, r.status, "%s: a Turtle ETag does not validate RDF/XML", method)
		assert.Equal(t, tags["application/rdf+xml"], r.header.Get("ETag"))
		r = ts.do(t, method, rec, "", "Accept", "application/rdf+xml", "If-None-Match", tags["text/turtle"]+", "+tags["application/rdf+xml"])
		assert.Equal(t, 304, r.status, "%s: one of a list", method)
		assert.Equal(t, tags["application/rdf+xml"], r.header.Get("ETag"))
	}

	// PUT with the ETag of another representation than the body's.
	newTitle := strings.Replace(recordTTL, "web01 at 10:00", "web01 at ten", 1)
	r := ts.do(t, "PUT", rec, newTitle, "Content-Type", "text/turtle", "Accept", "text/turtle", "If-Match", tags["application/ld+json"])
	require.Equal(t, 200, r.status, "%s", r.body)
	put := r.header.Get("ETag")
	assert.NotEqual(t, stateTag(tags["text/turtle"]), stateTag(put))
	for _, mt := range types {
		r = ts.do(t, "PUT", rec, newTitle, "Content-Type", "text/turtle", "If-Match", tags[mt])
		assert.Equal(t, 412, r.status, "%s: the ETags of the old state are stale", mt)
	}
	r = ts.do(t, "GET", rec, "", "Accept", "text/turtle", "If-None-Match", tags["text/turtle"])
	assert.Equal(t, 200, r.status, "the old Turtle is stale")
	assert.Equal(t, put, r.header.Get("ETag"))
	nt := ts.do(t, "GET", rec, "", "Accept", "application/n-triples").header.Get("ETag")
	assert.Equal(t, 204, ts.do(t, "DELETE", rec, "", "If-Match", nt).status, "DELETE with the N-Triples ETag")
	assert.Equal(t, 404, ts.do(t, "GET", rec, "").status)

	t.Run("jobs", func(t *testing.T) {
		env := newJobEnv(t)
		job, _ := env.createJob(t, jobTTL([]string{env.createResource(t, "web01")}, nil))
		got := env.do(t, "GET", job.String(), "", "Accept", "text/turtle")
		xml := env.do(t, "GET", job.String(), "", "Accept", "application/rdf+xml").header.Get("ETag")
		edited := strings.Replace(string(got.body), "Web tier", "Web tier, renamed", 1)
		r := env.do(t, "PUT", job.String(), edited, "Content-Type", "text/turtle", "If-Match", xml)
		assert.Equal(t, 200, r.status, "%s", r.body)
	})
}

// TestOSLC2JSON: application/json is the JSON of OSLC Core 2.0, which
// Lyo-era clients read; application/ld+json stays JSON-LD, and Compact
// JSON of previews stays the UI's.
func TestOSLC2JSON(t *testing.T) {
	ts := newTestServer(t)
	rec := createRecord(t, ts)
	decode := func(t *testing.T, r response) map[string]any {
		t.Helper()
		require.Equal(t, "application/json", r.header.Get("Content-Type"))
		var m map[string]any
		require.NoError(t, json.Unmarshal(r.body, &m), "%s", r.body)
		return m
	}

	t.Run("resource", func(t *testing.T) {
		r := ts.do(t, "GET", rec, "", "Accept", "application/json")
		require.Equal(t, 200, r.status, "%s", r.body)
		m := decode(t, r)
		assert.Equal(t, rec, m["rdf:about"])
		prefixes := m["prefixes"].(map[string]any)
		assert.Equal(t, vocab.DCTerms, prefixes["dcterms"])
		assert.Equal(t, vocab.RDF, prefixes["rdf"])
		assert.Equal(t, "web01 at 10:00", m["dcterms:title"])
		assert.Equal(t, []any{map[string]any{"rdf:resource": vocab.PM + "PerformanceMonitoringRecord"}}, m["rdf:type"])
		assert.Equal(t, map[string]any{"rdf:resource": "http://example.org/hosts/web01"}, m["dcterms:isPartOf"])
		measures, ok := m["ems:observes"].([]any)
		require.True(t, ok, "%v", m["ems:observes"])
		require.Len(t, measures, 2)
		values := map[string]any{}
		for _, x := range measures {
			mm := x.(map[string]any)
			assert.True(t, strings.HasPrefix(mm["rdf:about"].(string), rec+"#"), "measures in-line, with their IRIs")
			values[mm["ems:metric"].(map[string]any)["rdf:resource"].(string)] = mm["ems:numericValue"]
		}
		assert.Equal(t, 93.5, values[vocab.PM+"CpuUsed"])
		assert.Equal(t, 2147483648.0, values[vocab.PM+"RealMemoryUsed"])
		assert.Equal(t, "kept as given", m[custom(t, prefixes, "http://example.org/custom#")+":note"])
	})

	t.Run("query results", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/records?oslc.select=dcterms:title&oslc.orderBy=-dcterms:date", "", "Accept", "application/json")
		require.Equal(t, 200, r.status, "%s", r.body)
		m := decode(t, r)
		assert.Equal(t, ts.URL+"/oslc/records", m["rdf:about"])
		results := m["oslc:results"].([]any)
		require.Len(t, results, 1)
		member := results[0].(map[string]any)
		assert.Equal(t, rec, member["rdf:about"])
		assert.Equal(t, "web01 at 10:00", member["dcterms:title"])
		assert.Equal(t, 1.0, member["oslc:order"])
		info := m["oslc:responseInfo"].(map[string]any)
		assert.Equal(t, 1.0, info["oslc:totalCount"])
		assert.Contains(t, info["rdf:about"], ts.URL+"/oslc/records?")

		// Without parameters the response info is about the query base
		// itself: apart in the JSON all the same.
		m = decode(t, ts.do(t, "GET", "/oslc/records", "", "Accept", "application/json"))
		assert.Equal(t, []any{map[string]any{"rdf:about": rec}}, m["oslc:results"])
		assert.Equal(t, []any{map[string]any{"rdf:resource": ldpNS + "BasicContainer"}}, m["rdf:type"])
		assert.NotContains(t, m, "oslc:totalCount")
		assert.NotContains(t, m, "rdfs:member")
		info = m["oslc:responseInfo"].(map[string]any)
		assert.Equal(t, ts.URL+"/oslc/records", info["rdf:about"])
		assert.Equal(t, 1.0, info["oslc:totalCount"])
		assert.Equal(t, []any{map[string]any{"rdf:resource": vocab.OSLC + "ResponseInfo"}}, info["rdf:type"])
		assert.NotContains(t, info, "rdfs:member")
	})

	t.Run("discovery and errors", func(t *testing.T) {
		m := decode(t, ts.do(t, "GET", "/oslc/catalog", "", "Accept", "application/json"))
		sp := m["oslc:serviceProvider"].(map[string]any)
		assert.Equal(t, ts.URL+"/oslc/provider", sp["rdf:about"])
		assert.NotEmpty(t, sp["dcterms:title"])
		r := ts.do(t, "GET", "/oslc/records/missing", "", "Accept", "application/json")
		assert.Equal(t, 404, r.status)
		m = decode(t, r)
		assert.Equal(t, "404", m["oslc:statusCode"])
		assert.NotEmpty(t, m["oslc:message"])
	})

	t.Run("JSON-LD and Compact stay", func(t *testing.T) {
		r := ts.do(t, "GET", rec, "", "Accept", "application/ld+json")
		assert.Equal(t, "application/ld+json", r.header.Get("Content-Type"))
		assert.NotEmpty(t, graphOf(t, r, rec))
		r = ts.do(t, "GET", rec, "", "Accept", "application/json", "Prefer", `return=representation; include="http://open-services.net/ns/core#PreferCompact"`)
		require.Equal(t, 200, r.status)
		var m map[string]any
		require.NoError(t, json.Unmarshal(r.body, &m))
		assert.Contains(t, m, "compact")
	})
}

// custom returns the prefix declared for ns in an OSLC JSON document.
func custom(t *testing.T, prefixes map[string]any, ns string) string {
	t.Helper()
	for p, v := range prefixes {
		if v == ns {
			return p
		}
	}
	t.Fatalf("no prefix for %s in %v", ns, prefixes)
	return ""
}

// TestContentLength: every buffered answer has a Content-Length, HEAD's
// too (OSLC Core 3.0, Checking Response Size), and none is chunked.
func TestContentLength(t *testing.T) {
	ts := newTestServer(t)
	rec := createRecord(t, ts)
	for _, target := range []string{rec, "/oslc/records", "/oslc/catalog", "/oslc/provider", "/oslc/records/missing", rec + "?oslc.properties=dcterms:title"} {
		if strings.HasPrefix(target, "/") {
			target = ts.URL + target
		}
		for _, mt := range []string{"application/rdf+xml", "text/turtle", "application/json", "text/html"} {
			get := do(t, "GET", target, mt)
			head := do(t, "HEAD", target, mt)
			assert.Empty(t, get.TransferEncoding, "GET %s %s is not chunked", target, mt)
			assert.Positive(t, get.ContentLength, "GET %s %s", target, mt)
			assert.Equal(t, get.ContentLength, head.ContentLength, "HEAD %s %s says the size of the GET", target, mt)
			assert.Equal(t, strconv.FormatInt(get.ContentLength, 10), head.Header.Get("Content-Length"), "HEAD %s %s", target, mt)
		}
	}
}

func do(t *testing.T, method, target, accept string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// TestPageSizeIsAHint: an oslc.pageSize above the maximum is capped, not
// refused (OSLC Core 3.0: the size is a hint), and the response info says
// so; one that is no positive integer is still an error.
func TestPageSizeIsAHint(t *testing.T) {
	ts := newTestServer(t)
	loadFixture(t, ts, fixture.Config{Seed: 2, Resources: 2, Records: 10})
	for _, size := range []string{"10001", "99999999999999999999", strings.Repeat("9", 1000)} {
		r := ts.do(t, "GET", "/oslc/records?oslc.pageSize="+size, "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status, "%s", r.body)
		g := graphOf(t, r, ts.URL)
		assert.Len(t, objects(g, nil, vocab.RDFS+"member"), 10)
		var info rdf.Term
		for _, tr := range g {
			if tr.Pred.String() == vocab.RDF+"type" && tr.Obj.String() == vocab.OSLC+"ResponseInfo" {
				info = tr.Subj
			}
		}
		require.NotNil(t, info)
		assert.Contains(t, one(t, g, info, vocab.DCTerms+"description").String(), "10000")
	}
	r := ts.do(t, "GET", "/oslc/records?oslc.pageSize=3", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	assert.Empty(t, objects(graphOf(t, r, ts.URL), nil, vocab.DCTerms+"description"), "nothing to say")
	for _, size := range []string{"0", "-1", "1.5", "1e3", "ten"} {
		assert.Equal(t, 400, ts.do(t, "GET", "/oslc/records?oslc.pageSize="+size, "").status, size)
	}
}

// TestInteropLDP feeds what this file's features add to parsers we did not
// write (rdflib, rapper), as TestInterop does: a result container shape,
// an ordered page of results and a container with its dialogs in-line,
// each the same graph in every format.
func TestInteropLDP(t *testing.T) {
	ts := newTestServer(t)
	createRecord(t, ts)
	for name, c := range map[string]struct{ path, prefer string }{
		"result shape":  {"/oslc/shapes/record-query", ""},
		"ordered page":  {"/oslc/records?oslc.orderBy=-dcterms:date&oslc.select=dcterms:title,ems:observes{ems:numericValue}", ""},
		"dialogs":       {"/oslc/resources", preferDialog},
		"minimal":       {"/oslc/resources", `return=representation; include="http://www.w3.org/ns/ldp#PreferMinimalContainer"`},
		"service (use)": {"/oslc/provider", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want string
			for _, mt := range []string{"application/rdf+xml", "text/turtle", "application/ld+json", "application/n-triples"} {
				h := []string{"Accept", mt}
				if c.prefer != "" {
					h = append(h, "Prefer", c.prefer)
				}
				r := ts.do(t, "GET", c.path, "", h...)
				require.Equal(t, 200, r.status, "%s", r.body)
				got := codectest.RDFLib(t, r.body, mt, ts.URL+c.path)
				require.NotEmpty(t, got, "rdflib parsed nothing from %s", mt)
				if want == "" {
					want = got
				} else {
					assert.Equal(t, want, got, "%s differs from RDF/XML as parsed by rdflib", mt)
				}
				if mt != "application/ld+json" {
					assert.Equal(t, want, codectest.Rapper(t, r.body, mt, ts.URL+c.path), "%s as parsed by rapper", mt)
				}
			}
		})
	}
}

// BenchmarkQueryPage reads a page of 100 members without and with
// selected properties as RDF/XML: what the containment triples and
// oslc:order cost.
func BenchmarkQueryPage(b *testing.B) {
	ts := newTestServer(b)
	cfg := fixture.Config{Seed: 1, Resources: 10, Records: 1000, BaseURL: ts.URL}
	var batch []store.Resource
	require.NoError(b, fixture.Generate(cfg, func(r store.Resource) error { batch = append(batch, r); return nil }))
	require.NoError(b, ts.db.Load(b.Context(), batch))
	for name, q := range map[string]string{
		"members":         "oslc.pageSize=100",
		"select-ordered":  "oslc.pageSize=100&oslc.select=dcterms:title,dcterms:date&oslc.orderBy=-dcterms:date",
		"select-unsorted": "oslc.pageSize=100&oslc.select=dcterms:title,dcterms:date",
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := ts.do(b, "GET", "/oslc/records?"+q, "", "Accept", "application/rdf+xml")
				if r.status != 200 {
					b.Fatalf("status %d", r.status)
				}
			}
		})
	}
}
