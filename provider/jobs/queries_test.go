package jobs

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// TestQueriesAsValues checks that the queries the engine builds as values
// say what the texts it once formatted and parsed said: with prefixed
// names they print as those texts.
func TestQueriesAsValues(t *testing.T) {
	prefixes := parser.DefaultPrefixes()
	job, err := rdf.NewIRI(base + "/oslc/jobs/j1")
	require.NoError(t, err)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	start := time.Date(2026, 11, 1, 10, 0, 0, 123456789, berlin)
	end := start.Add(10 * time.Second)

	assert.Equal(t, fmt.Sprintf(`pmj:pushedTo=<%s> and dcterms:date>="%s"^^xsd:dateTime and dcterms:date<"%s"^^xsd:dateTime`,
		job, start.UTC().Format("2006-01-02T15:04:05.999999999Z"), end.UTC().Format("2006-01-02T15:04:05.999999999Z")),
		pushedIn(job, start, end).Compact(prefixes).String())
	assert.Equal(t, fmt.Sprintf(`pmj:producedBy=<%s> and pmj:periodStart>="%s"^^xsd:dateTime`, job, start.UTC().Format(time.RFC3339Nano)),
		producedSince(job, start).Compact(prefixes).String())
	assert.Equal(t, fmt.Sprintf(`pmj:producedBy=<%s> and pmj:periodEnd<="%s"^^xsd:dateTime`, job, end.UTC().Format(time.RFC3339Nano)),
		producedUntil(job, end).Compact(prefixes).String())

	class := vocab.IRI(vocab.CRTV, "ComputerSystem")
	filter, err := parser.ParseWhere(`dcterms:title="web" and ems:observes{ems:numericValue>90}`, prefixes)
	require.NoError(t, err)
	for _, f := range []*parser.Where{nil, filter} {
		text := "rdf:type=<" + class.String() + ">"
		if f != nil {
			text += " and " + f.String()
		}
		was, err := parser.ParseWhere(text, prefixes)
		require.NoError(t, err)
		assert.Equal(t, was.Compact(prefixes).String(), instancesOf(class, f).Compact(prefixes).String())
	}

	e := &Engine{base: base, prefixes: prefixes}
	link := e.trackingQuery(job)
	path, raw, ok := strings.Cut(link, "?")
	require.True(t, ok, link)
	assert.Equal(t, "/oslc/tracking", path)
	q, err := url.ParseQuery(raw)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"oslc.where": {"pmj:producedBy=<" + job.String() + ">"}}, q)
}
