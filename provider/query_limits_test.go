package provider_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// TestHostileQueries sends query parameters that are malformed or past the
// limits of a query's size: each is the client's error, a 400 with an
// oslc:Error saying what and where, never a 501 or a long computation.
func TestHostileQueries(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	loc := r.header.Get("Location")

	repeat := func(n int, item func(i int) string, sep string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = item(i)
		}
		return strings.Join(parts, sep)
	}
	deep := func(n int) string {
		return strings.Repeat("dcterms:isPartOf{", n) + `dcterms:title="x"` + strings.Repeat("}", n)
	}
	tests := []struct {
		name, path string
		params     url.Values
		msg        string
	}{
		{"malformed typed literal", "/oslc/records", url.Values{"oslc.where": {`dcterms:created>"x"^^xsd:dateTime`}},
			`oslc.where: at 17: "x" is not a valid xsd:dateTime`},
		{"malformed typed literal with =", "/oslc/records", url.Values{"oslc.where": {`dcterms:date="tomorrow"^^xsd:dateTime`}},
			`"tomorrow" is not a valid xsd:dateTime`},
		{"scopes 1001 deep", "/oslc/records", url.Values{"oslc.where": {deep(1001)}}, "scopes nested deeper than 32"},
		{"scopes 33 deep", "/oslc/records", url.Values{"oslc.where": {deep(33)}}, "scopes nested deeper than 32"},
		{"5000 terms", "/oslc/records", url.Values{"oslc.where": {repeat(5000, func(i int) string { return fmt.Sprintf(`dcterms:title="w%d"`, i) }, " and ")}},
			"more than 256 comparisons"},
		{"in list", "/oslc/records", url.Values{"oslc.where": {"dcterms:isPartOf in [" + repeat(300, func(i int) string { return fmt.Sprintf("<http://example.org/h%d>", i) }, ",") + "]"}},
			"more than 256 comparisons"},
		{"search terms", "/oslc/records", url.Values{"oslc.searchTerms": {repeat(33, func(i int) string { return fmt.Sprintf(`"w%d"`, i) }, ",")}},
			"more than 32 search terms"},
		{"search words", "/oslc/records", url.Values{"oslc.searchTerms": {`"` + repeat(1000, func(i int) string { return fmt.Sprintf("w%d", i) }, " ") + `"`}},
			"more than 32 distinct words"},
		{"select size", "/oslc/records", url.Values{"oslc.select": {repeat(300, func(i int) string { return fmt.Sprintf("dcterms:p%d", i) }, ",")}},
			"oslc.select: at 3219: more than 256 properties"},
		{"select depth", "/oslc/records", url.Values{"oslc.select": {strings.Repeat("ems:observes{", 40) + "ems:metric" + strings.Repeat("}", 40)}},
			"oslc.select: at 429: scopes nested deeper than 32"},
		{"order keys", "/oslc/records", url.Values{"oslc.orderBy": {repeat(17, func(i int) string { return fmt.Sprintf("+dcterms:p%d", i) }, ",")}},
			"more than 16 sort keys"},
		{"properties size", loc, url.Values{"oslc.properties": {repeat(300, func(i int) string { return fmt.Sprintf("dcterms:p%d", i) }, ",")}},
			"oslc.properties: at 3219: more than 256 properties"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(t, "GET", tt.path+"?"+tt.params.Encode(), "", "Accept", "text/turtle")
			require.Equal(t, 400, r.status, "%s", r.body)
			g := graphOf(t, r, ts.URL)
			var node rdf.Term
			for _, tr := range g {
				if tr.Obj.String() == vocab.OSLC+"Error" {
					node = tr.Subj
				}
			}
			require.NotNil(t, node, "an oslc:Error in %s", r.body)
			assert.Equal(t, "400", one(t, g, node, vocab.OSLC+"statusCode").String())
			assert.Contains(t, one(t, g, node, vocab.OSLC+"message").String(), tt.msg)
		})
	}
}
