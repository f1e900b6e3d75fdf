package provider_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// measuresOf returns the measures of record id in g, each as its IRI and
// what it says ("metric unit value"), sorted by IRI.
func measuresOf(t *testing.T, g []rdf.Triple, id rdf.IRI) (iris, says []string) {
	t.Helper()
	for _, m := range objects(g, id, vocab.EMS+"observes") {
		iris = append(iris, m.String())
	}
	sort.Strings(iris)
	for _, m := range iris {
		node, err := rdf.NewIRI(m)
		require.NoError(t, err)
		says = append(says, strings.Join([]string{
			one(t, g, node, vocab.EMS+"metric").String(),
			one(t, g, node, vocab.EMS+"unitOfMeasure").String(),
			one(t, g, node, vocab.EMS+"numericValue").String(),
			one(t, g, node, vocab.RDF+"type").String(),
		}, " "))
	}
	return iris, says
}

// TestPutKeepsReadOnlyMeasuresAndType (issue 14, defect 1): a PUT that
// leaves out ems:observes, which the record shape marks read-only, keeps
// the record's measures, nested nodes and all, and a PUT that states no
// rdf:type keeps the type. The same measures stated again (as blank nodes
// or under their names) are accepted and keep their names; other measures
// replace them (they are part of the record); a PUT that leaves the
// measures out but changes one of them is a 409.
func TestPutKeepsReadOnlyMeasuresAndType(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	loc, etag := r.header.Get("Location"), r.header.Get("ETag")
	id, _ := rdf.NewIRI(loc)
	get := func() ([]rdf.Triple, string) {
		r := ts.do(t, "GET", loc, "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status)
		return graphOf(t, r, loc), r.header.Get("ETag")
	}
	g, _ := get()
	iris, says := measuresOf(t, g, id)
	require.Len(t, iris, 2)
	assert.Equal(t, []string{
		vocab.PM + "CpuUsed http://dbpedia.org/resource/Percentage 93.5 " + vocab.EMS + "Measure",
		vocab.PM + "RealMemoryUsed http://dbpedia.org/resource/Byte 2147483648 " + vocab.EMS + "Measure",
	}, says)

	const prefixes = `@prefix pm: <http://open-services.net/ns/perfmon#> .
@prefix ems: <http://open-services.net/ns/ems#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
`
	// Neither measures nor type nor any other read-only property.
	r = ts.do(t, "PUT", loc, prefixes+`<> dcterms:title "renamed" .`, "Content-Type", "text/turtle", "If-Match", etag, "Accept", "text/turtle")
	require.Equal(t, 200, r.status, "%s", r.body)
	etag = r.header.Get("ETag")
	g, _ = get()
	assert.Equal(t, "renamed", one(t, g, id, vocab.DCTerms+"title").String())
	assert.Equal(t, []rdf.Term{vocab.PMRecord}, objects(g, id, vocab.RDF+"type"), "type kept")
	gotIRIs, gotSays := measuresOf(t, g, id)
	assert.Equal(t, iris, gotIRIs, "the same measure nodes")
	assert.Equal(t, says, gotSays, "with the same values")
	assert.Equal(t, "http://example.org/hosts/web01", one(t, g, id, vocab.DCTerms+"isPartOf").String())
	assert.Equal(t, vocab.PM+"Running", one(t, g, id, vocab.PM+"availabilityStatus").String())
	assert.Empty(t, objects(g, id, "http://example.org/custom#note"), "what is not read-only is replaced")

	// The same measures again, as blank nodes: accepted, under their names.
	same := strings.Replace(recordTTL, "web01 at 10:00", "web01 again", 1)
	r = ts.do(t, "PUT", loc, same, "Content-Type", "text/turtle", "If-Match", etag)
	require.Equal(t, 200, r.status, "%s", r.body)
	etag = r.header.Get("ETag")
	g, _ = get()
	gotIRIs, gotSays = measuresOf(t, g, id)
	assert.Equal(t, iris, gotIRIs)
	assert.Equal(t, says, gotSays)

	// The record as GET gives it, measures under their names.
	turtle := ts.do(t, "GET", loc, "", "Accept", "text/turtle")
	r = ts.do(t, "PUT", loc, strings.Replace(string(turtle.body), "web01 again", "web01 round trip", 1), "Content-Type", "text/turtle", "If-Match", etag)
	require.Equal(t, 200, r.status, "%s", r.body)
	g, etag = get()
	assert.Equal(t, "web01 round trip", one(t, g, id, vocab.DCTerms+"title").String())
	gotIRIs, gotSays = measuresOf(t, g, id)
	assert.Equal(t, iris, gotIRIs)
	assert.Equal(t, says, gotSays)

	// Measures left out, one of them changed all the same: 409, and
	// nothing changes.
	for name, body := range map[string]string{
		"changed node": prefixes + `<> dcterms:title "x" . <#m1> ems:numericValue 1.0 .`,
	} {
		t.Run(name, func(t *testing.T) {
			require.NotEqual(t, recordTTL, body)
			r := ts.do(t, "PUT", loc, body, "Content-Type", "text/turtle", "If-Match", etag)
			require.Equal(t, 409, r.status, "%s", r.body)
			assert.Contains(t, oslcError(t, r), "observes is read-only")
			_, after := get()
			assert.Equal(t, etag, after, "unchanged")
		})
	}

	// Measures left out, one of them restated as it is.
	r = ts.do(t, "PUT", loc, prefixes+`<> dcterms:title "restated" . <#m1> ems:metric pm:CpuUsed .`, "Content-Type", "text/turtle", "If-Match", etag)
	require.Equal(t, 200, r.status, "%s", r.body)
	g, etag = get()
	gotIRIs, gotSays = measuresOf(t, g, id)
	assert.Equal(t, iris, gotIRIs)
	assert.Equal(t, says, gotSays)
	require.Equal(t, loc+"#m1", iris[0])

	// A new type replaces the type.
	r = ts.do(t, "PUT", loc, prefixes+`<> a pm:PerformanceMonitoringRecord, <http://example.org/custom#Checked> .`, "Content-Type", "text/turtle", "If-Match", etag)
	require.Equal(t, 200, r.status, "%s", r.body)
	g, _ = get()
	assert.ElementsMatch(t, []string{vocab.PM + "PerformanceMonitoringRecord", "http://example.org/custom#Checked"}, strs(objects(g, id, vocab.RDF+"type")))
	gotIRIs, _ = measuresOf(t, g, id)
	assert.Equal(t, iris, gotIRIs)

	// A monitored resource keeps its type too (its shape requires one).
	host := ts.do(t, "POST", "/oslc/resources", `<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "web01" .`, "Content-Type", "text/turtle")
	require.Equal(t, 201, host.status, "%s", host.body)
	r = ts.do(t, "PUT", host.header.Get("Location"), `<> <http://purl.org/dc/terms/title> "web01, renamed" .`, "Content-Type", "text/turtle", "If-Match", host.header.Get("ETag"), "Accept", "text/turtle")
	require.Equal(t, 200, r.status, "%s", r.body)
	hostID, _ := rdf.NewIRI(host.header.Get("Location"))
	assert.Equal(t, []string{vocab.CRTV + "ComputerSystem"}, strs(objects(graphOf(t, r, hostID.String()), hostID, vocab.RDF+"type")))
}

// TestPutMustDescribeTheResource (issue 14, defect 3): a PUT whose body
// describes another resource is refused, naming the one expected; it used
// to be stored as the resource.
func TestPutMustDescribeTheResource(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	loc, etag := r.header.Get("Location"), r.header.Get("ETag")

	for _, other := range []string{"<http://other.example/records/r1>", "<" + loc + "#m1>", "<" + loc + "x>"} {
		t.Run(other, func(t *testing.T) {
			body := strings.Replace(strings.Replace(recordTTL, "web01 at 10:00", "moved", 1), "<> a pm:", other+" a pm:", 1)
			r := ts.do(t, "PUT", loc, body, "Content-Type", "text/turtle", "If-Match", etag)
			require.Equal(t, 400, r.status, "%s", r.body)
			msg := oslcError(t, r)
			assert.Contains(t, msg, "a PUT must describe the resource it replaces, <"+loc+">")
			assert.Contains(t, msg, other)
		})
	}
	got := ts.do(t, "GET", loc, "", "Accept", "application/rdf+xml") // the representation the POST answered in
	assert.Equal(t, etag, got.header.Get("ETag"), "unchanged")

	// Unnamed (a blank node) or named as itself, it is the resource.
	for _, self := range []string{"_:r", "<" + loc + ">"} {
		body := strings.Replace(recordTTL, "<> a pm:", self+" a pm:", 1)
		r := ts.do(t, "PUT", loc, body, "Content-Type", "text/turtle", "If-Match", etag)
		require.Equal(t, 200, r.status, "%s: %s", self, r.body)
		etag = r.header.Get("ETag")
	}
}

// TestPutReplacesStatedMeasures (issue 14, defect 1): measures are part of
// the record, so a PUT that states other measures replaces them.
func TestPutReplacesStatedMeasures(t *testing.T) {
	ts := newTestServer(t)
	for name, tc := range map[string]struct {
		body string
		want []string // metric and value of each measure after the PUT
	}{
		"changed value": {strings.Replace(recordTTL, "93.5", "50.0", 1), []string{"CpuUsed 50.0", "RealMemoryUsed 2147483648"}},
		"one more": {strings.Replace(recordTTL, "ems:observes [", `ems:observes [ a ems:Measure ; ems:metric pm:DiskUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Byte> ; ems:numericValue 1 ] ,
  [`, 1), []string{"CpuUsed 93.5", "DiskUsed 1", "RealMemoryUsed 2147483648"}},
		"one less": {strings.Replace(recordTTL, `,
               [ a ems:Measure ; ems:metric pm:RealMemoryUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Byte> ; ems:numericValue "2147483648"^^xsd:integer ]`, "", 1), []string{"CpuUsed 93.5"}},
	} {
		t.Run(name, func(t *testing.T) {
			require.NotEqual(t, recordTTL, tc.body)
			r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
			require.Equal(t, 201, r.status, "%s", r.body)
			loc := r.header.Get("Location")
			r = ts.do(t, "PUT", loc, tc.body, "Content-Type", "text/turtle", "If-Match", r.header.Get("ETag"))
			require.Equal(t, 200, r.status, "%s", r.body)
			g := graphOf(t, ts.do(t, "GET", loc, "", "Accept", "text/turtle"), loc)
			id, _ := rdf.NewIRI(loc)
			var got []string
			for _, m := range objects(g, id, vocab.EMS+"observes") {
				got = append(got, strings.TrimPrefix(one(t, g, m, vocab.EMS+"metric").String(), vocab.PM)+" "+one(t, g, m, vocab.EMS+"numericValue").String())
			}
			assert.ElementsMatch(t, tc.want, got)
			assert.Equal(t, []rdf.Term{vocab.PMRecord}, objects(g, id, vocab.RDF+"type"))
		})
	}
}
