package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
)

// TestMain starts one Virtuoso for the tests over the SPARQL store, when
// virtuoso-t is installed, and removes the binary the lease tests built.
func TestMain(m *testing.M) {
	code := sparqltest.Main(m)
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// TestImportExportSPARQL imports generated records into a SPARQL store in
// batches and exports them back, the same triples.
func TestImportExportSPARQL(t *testing.T) {
	s := sparqltest.Current(t)
	tmp := t.TempDir()
	out, _, err := run1(t, "generate", "--records", "200", "--resources", "9")
	require.NoError(t, err)
	nt := writeFile(t, tmp, "data.nt", out)
	flags := []string{"--store", "sparql", "--sparql-query", s.Endpoint.Query, "--sparql-graph-prefix", fmt.Sprintf("urn:x-pmtest:import:%d:", os.Getpid())}

	_, stderr, err := run1(t, append(append([]string{"import", "--batch", "50"}, flags...), nt)...)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "loaded 209 resources (200 records)")

	got, stderr, err := run1(t, append([]string{"export"}, flags...)...)
	require.NoError(t, err, stderr)
	want := fixtureNT(t, fixture.Config{Seed: 1, Resources: 9, Records: 200})
	assert.Equal(t, want, sortedLines(got), "export gives back what was imported")

	// Importing again replaces, not doubles.
	_, stderr, err = run1(t, append(append([]string{"import"}, flags...), nt)...)
	require.NoError(t, err, stderr)
	got, _, err = run1(t, append([]string{"export"}, flags...)...)
	require.NoError(t, err)
	assert.Equal(t, want, sortedLines(got))
}

// TestBenchSPARQL runs the bench over bbolt and SPARQL side by side on a
// small data set: every shape answers 200 on both, each is pushed down,
// and each one's SPARQL is timed alone.
func TestBenchSPARQL(t *testing.T) {
	s := sparqltest.Current(t)
	out, stderr, err := run1(t, "bench", "--records", "300", "--resources", "5", "--queries", "2", "--warmup", "1",
		"--store", "sparql", "--sparql-query", s.Endpoint.Query, "--sparql-graph-prefix", fmt.Sprintf("urn:x-pmtest:bench:%d:", os.Getpid()))
	require.NoError(t, err, stderr)
	assert.Contains(t, out, "SPARQL store "+s.Endpoint.Query)
	assert.Equal(t, 2, strings.Count(out, "7 answered 200 throughout"), out)
	assert.Contains(t, out, "left 0 to the query engine", out)
	assert.Contains(t, out, "in the store alone", out)
}
