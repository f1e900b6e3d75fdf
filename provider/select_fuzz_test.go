package provider_test

import (
	"context"
	"math/rand"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store"
)

// selectTargets populates ts (generated records and resources, and a
// record POSTed with nested measures) and returns the URLs oslc.select
// (query bases) and oslc.properties (members) are tried on.
func selectTargets(t testing.TB, ts *testServer) (bases, members []string) {
	t.Helper()
	cfg := fixture.Config{Seed: 11, Resources: 3, Records: 30, BaseURL: ts.URL}
	var rs []store.Resource
	require.NoError(t, fixture.Generate(cfg, func(r store.Resource) error {
		rs = append(rs, r)
		return nil
	}))
	require.NoError(t, ts.db.Load(context.Background(), rs))
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	host := `<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "web01" ;
  <http://open-services.net/ns/crtv#runsOn> <http://example.org/hosts/web00> .`
	h := ts.do(t, "POST", "/oslc/resources", host, "Content-Type", "text/turtle")
	require.Equal(t, 201, h.status, "%s", h.body)
	return []string{"/oslc/records", "/oslc/resources"}, []string{r.header.Get("Location"), h.header.Get("Location")}
}

// selGen writes oslc.select / oslc.properties expressions from the grammar
//
//	properties  ::= property ("," property)*
//	property    ::= identifier | wildcard | nested_prop
//	nested_prop ::= (identifier | wildcard) "{" properties "}"
//
// with known and unknown prefixes, IRIs, rdf:nil, deep nesting and, now
// and then, a stray token.
type selGen struct {
	r *rand.Rand
	// hPrefix says that the request defines h: with oslc.prefix.
	hPrefix bool
}

// names are identifiers and whether they resolve with the predefined
// prefixes ("h:" needs oslc.prefix).
var selNames = []struct {
	text  string
	known bool
}{
	{"dcterms:title", true}, {"dcterms:date", true}, {"dcterms:isPartOf", true},
	{"dcterms:identifier", true}, {"dcterms:nothing", true}, {"ems:observes", true},
	{"ems:metric", true}, {"ems:numericValue", true}, {"ems:unitOfMeasure", true},
	{"pm:availabilityStatus", true}, {"pm:CpuUsed", true}, {"rdf:type", true},
	{"rdf:nil", true}, {"rdfs:member", true}, {"oslc:serviceProvider", true},
	{"oslc:instanceShape", true}, {"crtv:runsOn", true}, {"crtv:fqdn", true},
	{"<http://purl.org/dc/terms/title>", true}, {"<http://open-services.net/ns/ems#observes>", true},
	{"h:note", false}, {"nope:title", false}, {"zz:observes", false},
}

// props returns an expression, and whether it is valid: every prefix
// known and nesting within the parser's limit.
func (g *selGen) props(depth int) (string, bool) {
	if depth == 0 && g.r.Intn(20) == 0 {
		// A chain of wildcards, within the limit of 32 or past it.
		n := 1 + g.r.Intn(29)
		if g.r.Intn(2) == 0 {
			n = 34 + g.r.Intn(10)
		}
		return strings.Repeat("*{", n) + "*" + strings.Repeat("}", n), n <= 30
	}
	valid := true
	var parts []string
	for i, n := 0, 1+g.r.Intn(3); i < n; i++ {
		var p string
		if g.r.Intn(3) == 0 {
			p = "*"
		} else {
			nm := selNames[g.r.Intn(len(selNames))]
			p = nm.text
			valid = valid && (nm.known || nm.text == "h:note" && g.hPrefix)
		}
		if depth < 4 && g.r.Intn(3) == 0 {
			inner, ok := g.props(depth + 1)
			p += "{" + inner + "}"
			valid = valid && ok
		}
		parts = append(parts, p)
	}
	sep := ","
	if g.r.Intn(4) == 0 {
		sep = " , "
	}
	return strings.Join(parts, sep), valid
}

// expr returns an expression, its query's oslc.prefix ("" for none), and
// whether it must succeed (false: it may fail, but with a 4xx).
func (g *selGen) expr() (sel, prefix string, valid bool) {
	g.hPrefix = g.r.Intn(2) == 0
	if g.hPrefix {
		prefix = "h=<http://example.org/custom#>"
	}
	sel, valid = g.props(0)
	if g.r.Intn(10) == 0 {
		// A stray token: the expression may or may not parse.
		const stray = ",{}*:<> \"h"
		i := g.r.Intn(len(sel) + 1)
		if g.r.Intn(2) == 0 && i < len(sel) {
			sel = sel[:i] + sel[i+1:]
		} else {
			c := stray[g.r.Intn(len(stray))]
			sel = sel[:i] + string(c) + sel[i:]
		}
		valid = false
	}
	return sel, prefix, valid
}

// TestSelectAndPropertiesNever5xx: no oslc.select or oslc.properties,
// valid or not, gives a 5xx (oslc.select=*{*} used to: "store: invalid
// input: empty IRI"); valid ones give 200. The expressions come from the
// grammar with a fixed seed.
func TestSelectAndPropertiesNever5xx(t *testing.T) {
	ts := newTestServer(t)
	bases, members := selectTargets(t, ts)
	g := &selGen{r: rand.New(rand.NewSource(14))}
	exprs := []struct {
		sel, prefix string
		valid       bool
	}{{"*{*}", "", true}, {"*{*{*}}", "", true}, {"ems:observes{*{*}}", "", true}, {"*{*},rdf:nil", "", true}}
	n := 2000
	if testing.Short() {
		n = 200
	}
	for len(exprs) < n {
		sel, prefix, valid := g.expr()
		exprs = append(exprs, struct {
			sel, prefix string
			valid       bool
		}{sel, prefix, valid})
	}
	failures := 0
	for i, e := range exprs {
		for _, c := range []struct{ url, param string }{
			{bases[i%len(bases)], "oslc.select"},
			{members[i%len(members)], "oslc.properties"},
		} {
			q := url.Values{c.param: {e.sel}}
			if e.prefix != "" {
				q.Set("oslc.prefix", e.prefix)
			}
			r := ts.do(t, "GET", c.url+"?"+q.Encode(), "", "Accept", "text/turtle")
			bad := r.status >= 500 || e.valid && r.status != 200 || !e.valid && r.status >= 300 && r.status < 400
			if bad {
				failures++
				t.Errorf("%s %s=%s (oslc.prefix %q): status %d; want %s\n%s", c.url, c.param, e.sel, e.prefix, r.status, map[bool]string{true: "200", false: "< 500"}[e.valid], r.body)
				if failures > 10 {
					t.FailNow()
				}
			}
		}
	}
}

// FuzzSelectAndProperties: any oslc.select or oslc.properties answers
// below 500.
func FuzzSelectAndProperties(f *testing.F) {
	ts := newTestServer(f)
	bases, members := selectTargets(f, ts)
	g := &selGen{r: rand.New(rand.NewSource(14))}
	f.Add("*{*}", "")
	for i := 0; i < 50; i++ {
		sel, prefix, _ := g.expr()
		f.Add(sel, prefix)
	}
	f.Fuzz(func(t *testing.T, sel, prefix string) {
		for _, c := range []struct{ url, param string }{{bases[0], "oslc.select"}, {members[0], "oslc.properties"}} {
			q := url.Values{c.param: {sel}}
			if prefix != "" {
				q.Set("oslc.prefix", prefix)
			}
			r := ts.do(t, "GET", c.url+"?"+q.Encode(), "", "Accept", "text/turtle")
			if r.status >= 500 {
				t.Errorf("%s %s=%q (oslc.prefix %q): status %d\n%s", c.url, c.param, sel, prefix, r.status, r.body)
			}
		}
	})
}
