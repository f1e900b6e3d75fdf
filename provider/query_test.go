package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const sparqlPrefixes = `PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX pm: <http://open-services.net/ns/perfmon#>
PREFIX ems: <http://open-services.net/ns/ems#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX crtv: <http://open-services.net/ns/crtv#>
`

// loadFixture fills the test server's store with generated records.
func loadFixture(t *testing.T, ts *testServer, cfg fixture.Config) fixture.Config {
	t.Helper()
	cfg.BaseURL = ts.URL
	var batch []store.Resource
	require.NoError(t, fixture.Generate(cfg, func(r store.Resource) error {
		batch = append(batch, r)
		if len(batch) == 500 {
			err := ts.st.Load(context.Background(), batch)
			batch = batch[:0]
			return err
		}
		return nil
	}))
	require.NoError(t, ts.st.Load(context.Background(), batch))
	return cfg
}

// members follows a query's pages and returns every member, in order.
func (ts *testServer) members(t *testing.T, params url.Values) []string {
	t.Helper()
	next := ts.URL + "/oslc/records?" + params.Encode()
	var out []string
	for pages := 0; next != ""; pages++ {
		require.Less(t, pages, 1000, "too many pages")
		r := ts.do(t, "GET", next, "", "Accept", "application/n-triples")
		require.Equal(t, 200, r.status, "%s\n%s", next, r.body)
		g := graphOf(t, r, ts.URL)
		base, _ := rdf.NewIRI(ts.URL + "/oslc/records")
		// rdfs:member order is not kept by RDF; the page's order is
		// checked elsewhere, here we want the set and no repeats.
		for _, m := range objects(g, base, vocab.RDFS+"member") {
			out = append(out, m.String())
		}
		next = ""
		for _, n := range objects(g, nil, vocab.OSLC+"nextPage") {
			next = n.String()
		}
	}
	return out
}

// TestQueryAgreesWithRDFLib runs each OSLC query over HTTP and the same
// query written as SPARQL in rdflib over the same data: the member sets
// must be identical.
func TestQueryAgreesWithRDFLib(t *testing.T) {
	ts := newTestServer(t)
	cfg := loadFixture(t, ts, fixture.Config{Seed: 7, Resources: 8, Records: 480})
	r0, r1 := cfg.ResourceIRI(0).String(), cfg.ResourceIRI(1).String()
	from, to := cfg.Window(3)
	w0, w1 := from.Format(time.RFC3339), to.Format(time.RFC3339)
	scope := `?m a pm:PerformanceMonitoringRecord . FILTER(STRSTARTS(STR(?m), "` + ts.URL + `/oslc/records/"))` + "\n"
	tests := []struct {
		name, where, sparql string
	}{
		{"one resource", "dcterms:isPartOf=<" + r0 + ">", `?m dcterms:isPartOf <` + r0 + `> .`},
		{"one hour of one resource", `dcterms:isPartOf=<` + r0 + `> and dcterms:date>="` + w0 + `"^^xsd:dateTime and dcterms:date<"` + w1 + `"^^xsd:dateTime`,
			`?m dcterms:isPartOf <` + r0 + `> ; dcterms:date ?d . FILTER(?d >= "` + w0 + `"^^xsd:dateTime && ?d < "` + w1 + `"^^xsd:dateTime)`},
		{"plain string date", `dcterms:date>="` + w0 + `"`, `?m dcterms:date ?d . FILTER(?d >= "` + w0 + `"^^xsd:dateTime)`},
		{"cpu above 50", "ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>50}",
			`?m ems:observes ?o . ?o ems:metric pm:CpuUsed ; ems:numericValue ?v . FILTER(?v > 50)`},
		{"memory category", "ems:observes{ems:metric{rdfs:subClassOf=pm:MemoryMetrics}}",
			`?m ems:observes ?o . ?o ems:metric ?x . ?x rdfs:subClassOf pm:MemoryMetrics .`},
		{"in", "dcterms:isPartOf in [<" + r0 + ">,<" + r1 + ">]", `?m dcterms:isPartOf ?r . FILTER(?r IN (<` + r0 + `>, <` + r1 + `>))`},
		{"not running", "pm:availabilityStatus!=pm:Running", `FILTER NOT EXISTS { ?m pm:availabilityStatus pm:Running }`},
		{"value band", "ems:observes{ems:numericValue>=40 and ems:numericValue<45}",
			`?m ems:observes ?o . ?o ems:numericValue ?v . FILTER(?v >= 40 && ?v < 45)`},
		{"wildcard", "ems:observes{*=pm:CpuUsed}", `?m ems:observes ?o . ?o ?p pm:CpuUsed .`},
		{"type", "rdf:type=pm:PerformanceMonitoringRecord", ``},
	}
	var queries []string
	for _, tt := range tests {
		queries = append(queries, sparqlPrefixes+"SELECT DISTINCT ?m WHERE {\n"+scope+tt.sparql+"\n}")
	}
	want := rdflibAnswers(t, ts, queries)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ts.members(t, url.Values{"oslc.where": {tt.where}, "oslc.pageSize": {"37"}})
			assert.Len(t, got, len(uniq(got)), "a member repeated across pages")
			assert.Equal(t, want[i], uniq(got))
			if tt.name != "type" && tt.name != "not running" {
				assert.NotEmpty(t, want[i], "a test that cannot fail: the fixture has no match")
			}
		})
	}
}

func uniq(s []string) []string {
	m := map[string]bool{}
	out := []string{}
	for _, x := range s {
		if !m[x] {
			m[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// rdflibAnswers dumps the store as N-Triples and runs the SPARQL queries
// in rdflib.
func rdflibAnswers(t *testing.T, ts *testServer, queries []string) [][]string {
	t.Helper()
	var all []rdf.Triple
	require.NoError(t, ts.match(func(tr rdf.Triple) bool {
		all = append(all, tr)
		return true
	}))
	var nt bytes.Buffer
	require.NoError(t, codec.Encode(&nt, codec.NTriples, all, nil))
	data := filepath.Join(t.TempDir(), "data.nt")
	require.NoError(t, os.WriteFile(data, nt.Bytes(), 0o644))
	in, err := json.Marshal(queries)
	require.NoError(t, err)
	cmd := exec.Command("/usr/bin/python3", filepath.Join(moduleRoot(t), "testdata", "interop", "sparql.py"), data)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "rdflib (python3-rdflib; make deps installs it): %s", stderr.String())
	var ans [][]string
	require.NoError(t, json.Unmarshal(out, &ans))
	return ans
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above %s", dir)
		dir = parent
	}
}

func TestQueryParameters(t *testing.T) {
	ts := newTestServer(t)
	cfg := loadFixture(t, ts, fixture.Config{Seed: 3, Resources: 4, Records: 200})
	r0 := cfg.ResourceIRI(0).String()

	t.Run("order newest first", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/records?"+url.Values{
			"oslc.where": {"dcterms:isPartOf=<" + r0 + ">"}, "oslc.orderBy": {"-dcterms:date"},
			"oslc.select": {"dcterms:date"}, "oslc.pageSize": {"10"}, "oslc.paging": {"true"},
		}.Encode(), "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status, "%s", r.body)
		g := graphOf(t, r, ts.URL)
		dates := objects(g, nil, vocab.DCTerms+"date")
		require.Len(t, dates, 10)
		var ds []time.Time
		for _, d := range dates {
			tm, err := time.Parse(time.RFC3339, d.String())
			require.NoError(t, err)
			ds = append(ds, tm)
		}
		_, last := cfg.Span()
		latest := ds[0]
		for _, d := range ds {
			if d.After(latest) {
				latest = d
			}
		}
		assert.WithinDuration(t, last, latest, 2*time.Hour, "the newest record is on the first page")
		assert.NotEmpty(t, objects(g, nil, vocab.OSLC+"nextPage"))
		total := one(t, g, nil, vocab.OSLC+"totalCount").String()
		assert.Equal(t, "50", total)
		assert.Empty(t, objects(g, nil, vocab.EMS+"observes"), "only selected properties")
	})

	t.Run("next page keeps parameters", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/records?"+url.Values{
			"oslc.where": {"dcterms:isPartOf=<" + r0 + ">"}, "oslc.select": {"dcterms:title"}, "oslc.pageSize": {"5"},
		}.Encode(), "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status)
		next := one(t, graphOf(t, r, ts.URL), nil, vocab.OSLC+"nextPage").String()
		u, err := url.Parse(next)
		require.NoError(t, err)
		assert.Equal(t, "dcterms:isPartOf=<"+r0+">", u.Query().Get("oslc.where"))
		assert.Equal(t, "dcterms:title", u.Query().Get("oslc.select"))
		assert.Equal(t, "5", u.Query().Get("oslc.pageSize"))
	})

	t.Run("search terms are scored", func(t *testing.T) {
		r := ts.do(t, "GET", "/oslc/records?"+url.Values{"oslc.searchTerms": {`"` + fixture.SearchWord + `"`}}.Encode(), "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status, "%s", r.body)
		g := graphOf(t, r, ts.URL)
		members := objects(g, nil, vocab.RDFS+"member")
		require.NotEmpty(t, members)
		for _, m := range members {
			assert.Len(t, objects(g, m, vocab.OSLC+"score"), 1)
		}
	})

	t.Run("stable paging while records are added", func(t *testing.T) {
		params := url.Values{"oslc.where": {"dcterms:isPartOf=<" + r0 + ">"}, "oslc.pageSize": {"7"}}
		before := uniq(ts.members(t, params))
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := strings.Replace(recordTTL, "http://example.org/hosts/web01", r0, 1)
			for i := 0; i < 20; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ts.do(t, "POST", "/oslc/records", body, "Content-Type", "text/turtle")
			}
		}()
		during := ts.members(t, params)
		close(stop)
		wg.Wait()
		assert.Len(t, during, len(uniq(during)), "no member twice")
		for _, m := range before {
			assert.Contains(t, during, m, "every member that existed is seen")
		}
	})

	errs := []struct {
		name   string
		params url.Values
		status int
		msg    string
	}{
		{"syntax", url.Values{"oslc.where": {"dcterms:isPartOf="}}, 400, "oslc.where: at 18"},
		{"unknown prefix", url.Values{"oslc.where": {"foo:bar=1"}}, 400, "foo"},
		{"bad select", url.Values{"oslc.select": {"dcterms:title{"}}, 400, "oslc.select"},
		{"bad order", url.Values{"oslc.orderBy": {"+"}}, 400, "oslc.orderBy"},
		{"bad prefix", url.Values{"oslc.prefix": {"x=http://nope"}}, 400, "oslc.prefix"},
		{"bad cursor", url.Values{"oslc.pageToken": {"garbage"}}, 400, "oslc.pageToken"},
		{"bad page size", url.Values{"oslc.pageSize": {"0"}}, 400, "oslc.pageSize"},
		{"oslc.prefix adds", url.Values{"oslc.prefix": {"h=<" + strings.TrimSuffix(r0, cfg.ResourceIRI(0).String()[len(ts.URL)+len("/oslc/resources/"):]) + ">"}, "oslc.where": {"dcterms:isPartOf=h:" + cfg.ResourceIRI(0).String()[len(ts.URL)+len("/oslc/resources/"):]}}, 200, ""},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(t, "GET", "/oslc/records?"+tt.params.Encode(), "", "Accept", "text/turtle")
			require.Equal(t, tt.status, r.status, "%s", r.body)
			if tt.msg != "" {
				assert.Contains(t, string(r.body), tt.msg)
				assert.Contains(t, string(r.body), "oslc:Error")
			}
		})
	}
}

func TestPropertiesOnResource(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status)
	loc := r.header.Get("Location")
	id, _ := rdf.NewIRI(loc)
	tests := []struct {
		props      string
		want       []string // predicates present
		absent     []string
		measureVal bool
	}{
		{"dcterms:date", []string{vocab.DCTerms + "date"}, []string{vocab.DCTerms + "title", vocab.EMS + "observes"}, false},
		{"dcterms:title,ems:observes", []string{vocab.DCTerms + "title", vocab.EMS + "observes"}, []string{vocab.DCTerms + "date"}, false},
		{"ems:observes{ems:numericValue}", []string{vocab.EMS + "observes"}, []string{vocab.DCTerms + "title"}, true},
		{"*", []string{vocab.DCTerms + "title", vocab.DCTerms + "date", vocab.EMS + "observes"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.props, func(t *testing.T) {
			r := ts.do(t, "GET", loc+"?"+url.Values{"oslc.properties": {tt.props}}.Encode(), "", "Accept", "text/turtle")
			require.Equal(t, 200, r.status, "%s", r.body)
			g := graphOf(t, r, loc)
			for _, p := range tt.want {
				assert.NotEmpty(t, objects(g, id, p), p)
			}
			for _, p := range tt.absent {
				assert.Empty(t, objects(g, id, p), p)
			}
			assert.Equal(t, tt.measureVal, len(objects(g, nil, vocab.EMS+"numericValue")) == 2)
		})
	}
	bad := ts.do(t, "GET", loc+"?oslc.properties=nope:x", "", "Accept", "text/turtle")
	assert.Equal(t, 400, bad.status)
}
