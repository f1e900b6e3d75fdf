package provider_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// TestAvailabilityStatusFromTheVocabulary (issue 14, defect 4): the PM
// vocabulary says that if a resource has any pm:availabilityStatus, at
// least one MUST be pm:Running, pm:NotRunning or pm:Unknown. A record or
// monitored resource whose only status is another value is refused on
// POST, PUT and push; product-specific values next to one of those are
// fine.
func TestAvailabilityStatusFromTheVocabulary(t *testing.T) {
	env := newJobEnv(t)
	host := env.createResource(t, "web01")
	job, _ := env.createJob(t, jobTTL([]string{host}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PushCollector"
		p["pmj:granularity"] = `"PT1M"^^xsd:duration`
		p["pmj:performanceIndicator"] = "pm:CpuUsed"
	}))
	env.advance(t, time.Date(2026, 11, 24, 10, 1, 40, 0, time.UTC))

	const want = "availabilityStatus must have at least one value among pm:Running, pm:NotRunning, pm:Unknown; found <http://example.org/status#Degraded>"
	degraded := "<http://example.org/status#Degraded>"
	record := func(status string) string {
		return strings.Replace(recordTTL, "pm:availabilityStatus pm:Running", "pm:availabilityStatus "+status, 1)
	}
	resource := func(status string) string {
		return `@prefix pm: <http://open-services.net/ns/perfmon#> .
<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "db01" ; pm:availabilityStatus ` + status + ` .`
	}
	pushed := func(status string) string {
		body := pushTTL("<#rec%d>", host, "pm:CpuUsed", []time.Time{time.Date(2026, 11, 24, 10, 1, 10, 0, time.UTC)}, []int{10})
		return strings.Replace(body, `dcterms:title "pushed 0" ;`, `dcterms:title "pushed 0" ; pm:availabilityStatus `+status+` ;`, 1)
	}

	r := env.do(t, "POST", "/oslc/records", record("pm:Running"), "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	rec, recTag := r.header.Get("Location"), r.header.Get("ETag")
	r = env.do(t, "POST", "/oslc/resources", resource("pm:Running"), "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	res, resTag := r.header.Get("Location"), r.header.Get("ETag")
	_, _, records := env.find(t, "/oslc/records")
	_, _, resources := env.find(t, "/oslc/resources")

	for _, tt := range []struct {
		name, method, url, body string
		header                  []string
	}{
		{"POST record", "POST", "/oslc/records", record(degraded), nil},
		{"POST resource", "POST", "/oslc/resources", resource(degraded), nil},
		// Validation comes before the read-only check of the status.
		{"PUT record", "PUT", rec, record(degraded), []string{"If-Match", recTag}},
		{"PUT resource", "PUT", res, resource(degraded), []string{"If-Match", resTag}},
		{"push", "POST", job.String() + "/push", pushed(degraded), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := env.do(t, tt.method, tt.url, tt.body, append([]string{"Content-Type", "text/turtle", "Accept", "text/turtle"}, tt.header...)...)
			require.Equal(t, 400, r.status, "%s", r.body)
			assert.Contains(t, oslcError(t, r), want)
		})
	}
	_, _, after := env.find(t, "/oslc/records")
	assert.Equal(t, records, after, "no record stored")
	_, _, after = env.find(t, "/oslc/resources")
	assert.Equal(t, resources, after, "no resource stored")
	assert.Equal(t, recTag, env.do(t, "GET", rec, "").header.Get("ETag"))
	assert.Equal(t, resTag, env.do(t, "GET", res, "").header.Get("ETag"))

	// A product's own status next to one of the vocabulary's.
	both := "pm:NotRunning, " + degraded
	r = env.do(t, "POST", "/oslc/records", record(both), "Content-Type", "text/turtle")
	assert.Equal(t, 201, r.status, "%s", r.body)
	r = env.do(t, "PUT", res, resource(both), "Content-Type", "text/turtle", "If-Match", resTag)
	assert.Equal(t, 200, r.status, "%s", r.body)
	r = env.do(t, "POST", job.String()+"/push", pushed(both), "Content-Type", "text/turtle")
	assert.Equal(t, 201, r.status, "%s", r.body)
}

// TestXMLLiteralMustBeWellFormed (issue 14, defect 5): an rdf:XMLLiteral
// must be XML content: balanced elements, '<' and '&' escaped, prefixes
// declared. An ill-formed one is refused, naming the property; a
// well-formed one is stored as given.
func TestXMLLiteralMustBeWellFormed(t *testing.T) {
	ts := newTestServer(t)
	titled := func(title string) string {
		return strings.Replace(recordTTL, `dcterms:title "web01 at 10:00"`, `dcterms:title "`+title+`"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral>`, 1)
	}
	r := ts.do(t, "POST", "/oslc/records", titled("<b>web01</b> at 10:00"), "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	loc, etag := r.header.Get("Location"), r.header.Get("ETag")
	got := ts.do(t, "GET", loc, "", "Accept", "application/n-triples")
	assert.Contains(t, string(got.body), `<`+vocab.DCTerms+`title> "<b>web01</b> at 10:00"^^<`+vocab.RDF+`XMLLiteral>`)

	for _, tt := range []struct{ name, title string }{
		{"unclosed element", "<b>web01 at 10:00"},
		{"stray end tag", "web01</b> at 10:00"},
		{"unescaped <", "load < 10"},
		{"unescaped &", "web01 & web02"},
		{"undeclared prefix", "<x:b>web01</x:b>"},
		{"XML declaration", "<?xml version='1.0'?><b>web01</b>"},
	} {
		for _, method := range []string{"POST", "PUT"} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				url := "/oslc/records"
				if method == "PUT" {
					url = loc
				}
				r := ts.do(t, method, url, titled(tt.title), "Content-Type", "text/turtle", "If-Match", etag, "Accept", "text/turtle")
				require.Equal(t, 400, r.status, "%s", r.body)
				msg := oslcError(t, r)
				assert.Contains(t, msg, "<"+vocab.DCTerms+"title>")
				assert.Contains(t, msg, "is not a well-formed rdf:XMLLiteral")
			})
		}
	}
	// In a measure too, and in N-Triples.
	measure := strings.Replace(recordTTL, "ems:metric pm:CpuUsed ;", `ems:metric pm:CpuUsed ; dcterms:title "<i>cpu"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral> ;`, 1)
	r = ts.do(t, "POST", "/oslc/records", measure, "Content-Type", "text/turtle")
	require.Equal(t, 400, r.status, "%s", r.body)
	assert.Contains(t, oslcError(t, r), "is not a well-formed rdf:XMLLiteral")
	nt := `<http://client.example/r1> <` + vocab.DCTerms + `isPartOf> <http://example.org/hosts/web01> .
<http://client.example/r1> <` + vocab.DCTerms + `date> "2026-11-01T10:00:00Z"^^<` + vocab.XSD + `dateTime> .
<http://client.example/r1> <` + vocab.DCTerms + `description> "a <b> b"^^<` + vocab.RDF + `XMLLiteral> .
`
	r = ts.do(t, "POST", "/oslc/records", nt, "Content-Type", "application/n-triples")
	require.Equal(t, 400, r.status, "%s", r.body)
	assert.Contains(t, oslcError(t, r), "<"+vocab.DCTerms+"description>")
	assert.Equal(t, etag, ts.do(t, "GET", loc, "").header.Get("ETag"), "unchanged")
}
