package provider_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// TestSubscriptionResource finds the subscriptions' creation factory and
// query capability by discovery, makes one there, and reads it back as
// RDF, in the query results and as HTML pages: its shape is served, and
// no answer but the creation's holds its secret.
func TestSubscriptionResource(t *testing.T) {
	ts := newHubServer(t)
	rcv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer rcv.Close()

	factory, queryBase := discover(t, ts, pmj("Subscription"))
	require.Equal(t, ts.URL+"/oslc/subscriptions", factory)
	require.Equal(t, ts.URL+"/oslc/subscriptions", queryBase)

	r := ts.do(t, "GET", "/oslc/provider", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	g := graphOf(t, r, ts.URL+"/oslc/provider")
	var shape string
	for _, cf := range objects(g, nil, vocab.OSLC+"creationFactory") {
		if strs(objects(g, cf, vocab.OSLC+"resourceType"))[0] == pmj("Subscription") {
			shape = one(t, g, cf, vocab.OSLC+"resourceShape").String()
		}
	}
	require.Equal(t, ts.URL+"/oslc/shapes/subscription", shape)
	r = ts.do(t, "GET", shape, "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status, "%s", r.body)
	sg := graphOf(t, r, shape)
	assert.Equal(t, []string{pmj("Subscription")}, strs(objects(sg, mustIRI(t, shape), vocab.OSLC+"describes")))
	var defs []string
	for _, p := range objects(sg, mustIRI(t, shape), vocab.OSLC+"property") {
		defs = append(defs, strs(objects(sg, p, vocab.OSLC+"propertyDefinition"))...)
	}
	for _, p := range []string{"callback", "eventType", "where", "deliveryStatus", "deliveredUpTo", "lastError", "deadLetter"} {
		assert.Contains(t, defs, pmj(p))
	}
	r = ts.do(t, "OPTIONS", "/oslc/subscriptions", "")
	assert.Contains(t, r.header.Get("Accept-Post"), "text/turtle")

	body := `@prefix pmj: <https://oslc-pm.github.io/ns/pmjob#> .
<> pmj:callback <` + rcv.URL + `/hook> ; pmj:eventType pmj:ThresholdCrossed ; pmj:where "pmj:perceivedSeverity=pmj:Critical" .`
	r = ts.do(t, "POST", factory, body, "Content-Type", "text/turtle", "Accept", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	sub := r.header.Get("Location")
	created := graphOf(t, r, sub)
	secret := one(t, created, mustIRI(t, sub), pmj("secret")).String()
	require.Len(t, secret, 64)

	for _, tc := range []struct{ name, url, accept string }{
		{"member RDF", sub, "text/turtle"},
		{"member page", sub, "text/html"},
		{"query RDF", queryBase + "?oslc.select=*", "text/turtle"},
		{"query page", queryBase, "text/html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do(t, "GET", tc.url, "", "Accept", tc.accept)
			require.Equal(t, 200, r.status, "%s", r.body)
			assert.NotContains(t, string(r.body), secret)
			assert.NotContains(t, string(r.body), "pmjob#secret")
			assert.Contains(t, string(r.body), rcv.URL+"/hook")
			if tc.accept == "text/html" {
				assert.Contains(t, r.header.Get("Content-Type"), "text/html")
			}
		})
	}
	r = ts.do(t, "GET", queryBase, "", "Accept", "text/turtle")
	g = graphOf(t, r, queryBase)
	assert.Equal(t, []string{sub}, strs(objects(g, mustIRI(t, queryBase), vocab.RDFS+"member")))
	r = ts.do(t, "GET", queryBase, "", "Accept", "text/html")
	page := string(r.body)
	assert.Contains(t, page, `<table class="members"`, "the query page lists the members")
	assert.Contains(t, page, "Threshold crossed")
	r = ts.do(t, "GET", sub, "", "Accept", "text/html")
	assert.True(t, strings.Contains(string(r.body), "Delivering"), "the member page shows the delivery status")

	// The query base filters, as its page's form asks: by oslc.where over
	// the subscription and its delivery status, and by search words.
	r = ts.do(t, "POST", factory, `{"callback": "`+rcv.URL+`/other", "query": "eventType=JobCreated"}`, "Content-Type", "application/json")
	require.Equal(t, 201, r.status, "%s", r.body)
	other := r.header.Get("Location")
	for _, tc := range []struct{ query, want string }{
		{"oslc.where=" + url.QueryEscape("pmj:eventType=pmj:ThresholdCrossed"), sub},
		{"oslc.where=" + url.QueryEscape("pmj:eventType=pmj:JobCreated and pmj:deliveryStatus=pmj:Delivering"), other},
		{"oslc.searchTerms=" + url.QueryEscape(`"other"`), other},
	} {
		r = ts.do(t, "GET", queryBase+"?"+tc.query, "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status, "%s: %s", tc.query, r.body)
		g = graphOf(t, r, queryBase)
		assert.Equal(t, []string{tc.want}, strs(objects(g, mustIRI(t, queryBase), vocab.RDFS+"member")), tc.query)
		assert.Equal(t, "1", one(t, g, mustIRI(t, queryBase), vocab.OSLC+"totalCount").String())
	}
	r = ts.do(t, "GET", queryBase+"?oslc.where="+url.QueryEscape("pmj:eventType="), "", "Accept", "text/html")
	assert.Equal(t, 400, r.status)
	assert.Contains(t, string(r.body), `id="where-error"`, "the page says what is wrong next to the filter")
}
