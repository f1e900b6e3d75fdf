package provider_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBodiesMayNotDescribeOtherResources: a write may state triples only
// about the resource it writes and the nodes nested in it. Triples about a
// resource it merely links to would be indexed under that resource, so
// queries and search would report planted values about a victim.
func TestBodiesMayNotDescribeOtherResources(t *testing.T) {
	env := newJobEnv(t)
	victim := env.createResource(t, "victim")
	other := env.createResource(t, "other")
	job, _ := env.createJob(t, jobTTL([]string{victim}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PushCollector"
		p["pmj:granularity"] = `"PT1M"^^xsd:duration`
		p["pmj:performanceIndicator"] = "pm:CpuUsed"
	}))
	env.advance(t, time.Date(2026, 11, 24, 10, 1, 40, 0, time.UTC))
	r := env.do(t, "GET", other, "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	otherETag := r.header.Get("ETag")

	planted := `<` + victim + `> <http://open-services.net/ns/crtv#fqdn> "planted.example.org" ;
  dcterms:title "planted" .
`
	record := strings.Replace(recordTTL, "http://example.org/hosts/web01", victim, 1) + planted
	host := jobPrefixes + `@prefix crtv: <http://open-services.net/ns/crtv#> .
<> a crtv:ComputerSystem ; dcterms:title "linker" ; dcterms:isPartOf <` + victim + `> .
` + planted
	pushed := pushTTL("<#rec%d>", victim, "pm:CpuUsed", []time.Time{time.Date(2026, 11, 24, 10, 1, 10, 0, time.UTC)}, []int{10}) + planted
	tests := []struct {
		name, method, url, body string
		header                  []string
	}{
		{"POST record", "POST", "/oslc/records", record, nil},
		{"POST resource", "POST", "/oslc/resources", host, nil},
		{"PUT resource", "PUT", other, host, []string{"If-Match", otherETag}},
		{"push", "POST", job.String() + "/push", pushed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := append([]string{"Content-Type", "text/turtle", "Accept", "text/turtle"}, tt.header...)
			r := env.do(t, tt.method, tt.url, tt.body, h...)
			require.Equal(t, 400, r.status, "%s", r.body)
			msg := oslcError(t, r)
			assert.Contains(t, msg, victim, "names the foreign subject")

			ids, _, _ := env.find(t, "/oslc/resources", "oslc.where", `crtv:fqdn="planted.example.org"`)
			assert.Empty(t, ids, "no planted value found by query")
			ids, _, _ = env.find(t, "/oslc/resources", "oslc.searchTerms", `"planted"`)
			assert.Empty(t, ids, "no planted value found by search")
			ids, _, _ = env.find(t, "/oslc/resources", "oslc.where", `crtv:fqdn="victim.example.org"`)
			assert.Equal(t, []string{victim}, ids, "the victim's own value unchanged")
		})
	}
	r = env.do(t, "GET", other, "", "Accept", "text/turtle")
	assert.Equal(t, otherETag, r.header.Get("ETag"), "refused PUT changed nothing")

	// Nested nodes, blank or named within the resource, are its own.
	own := strings.Replace(recordTTL, "ems:observes [", "ems:observes <#cpu> , [", 1) +
		`<#cpu> a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue 1.5 .
`
	r = env.do(t, "POST", "/oslc/records", own, "Content-Type", "text/turtle")
	assert.Equal(t, 201, r.status, "%s", r.body)
}
