package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec/codectest"
)

// TestInterop feeds every representation the server writes to parsers we
// did not write (rdflib, rapper) and checks that all formats of one
// resource are the same graph.
func TestInterop(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	record := r.header.Get("Location")

	urls := map[string]string{
		"rootservices": "/rootservices",
		"catalog":      "/oslc/catalog",
		"provider":     "/oslc/provider",
		"record shape": "/oslc/shapes/record",
		"vocabulary":   "/ns/perfmon",
		"ems terms":    "/ns/ems",
		"record":       record,
		"query base":   "/oslc/records",
		"error":        "/oslc/records/missing",
		"trs":          "/oslc/trs",
		"trs base":     "/oslc/trs/base",
	}
	formats := []string{"application/rdf+xml", "text/turtle", "application/ld+json", "application/n-triples"}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want string
			for _, mt := range formats {
				resp := ts.do(t, "GET", u, "", "Accept", mt)
				require.Contains(t, resp.header.Get("Content-Type"), mt)
				base := ts.URL + u
				if u == record {
					base = u
				}
				got := codectest.RDFLib(t, resp.body, mt, base)
				require.NotEmpty(t, got, "rdflib parsed nothing from %s", mt)
				if want == "" {
					want = got
				} else {
					assert.Equal(t, want, got, "%s differs from %s as parsed by rdflib", mt, formats[0])
				}
				if mt != "application/ld+json" {
					assert.Equal(t, want, codectest.Rapper(t, resp.body, mt, base), "%s as parsed by rapper", mt)
				}
			}
		})
	}
}
