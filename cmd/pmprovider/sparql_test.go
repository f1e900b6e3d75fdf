package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
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

// TestImportBulkSPARQL: import --sparql-bulk writes a TriG file that
// Virtuoso's bulk loader loads into the same store import would have
// written, change log included.
func TestImportBulkSPARQL(t *testing.T) {
	s := sparqltest.Current(t)
	tmp := t.TempDir()
	out, _, err := run1(t, "generate", "--records", "200", "--resources", "9")
	require.NoError(t, err)
	nt := writeFile(t, tmp, "data.nt", out)
	flags := []string{"--store", "sparql", "--sparql-query", s.Endpoint.Query, "--sparql-graph-prefix", fmt.Sprintf("urn:x-pmtest:bulk:%d:", os.Getpid())}
	trig := filepath.Join(s.Dir(), fmt.Sprintf("import-%d.trig", os.Getpid()))
	defer os.Remove(trig)

	_, stderr, err := run1(t, "import", "--store", "sparql", "--sparql-bulk", trig, flags[4], flags[5], nt)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "loaded 209 resources (200 records)")
	require.NoError(t, sparql.VirtuosoLoader{Addr: fmt.Sprintf("127.0.0.1:%d", s.SQLPort)}.Load(t.Context(), trig))

	got, stderr, err := run1(t, append([]string{"export"}, flags...)...)
	require.NoError(t, err, stderr)
	want := fixtureNT(t, fixture.Config{Seed: 1, Resources: 9, Records: 200})
	assert.Equal(t, want, sortedLines(got), "export gives back what was bulk loaded")

	// Writes after it go on from the loaded events' orders.
	opt := sparql.Options{Endpoint: s.Endpoint, GraphPrefix: flags[5]}
	db, err := sparql.Open(t.Context(), opt)
	require.NoError(t, err)
	id, _ := rdf.NewIRI("http://example.org/after-bulk")
	_, err = db.Create(t.Context(), id, []rdf.Triple{{Subj: id, Pred: id, Obj: id}})
	require.NoError(t, err)
	require.NoError(t, db.ViewChanges(t.Context(), func(cv store.ChangeView) error {
		lo, hi := cv.ChangeSpan()
		assert.Equal(t, [2]uint64{1, 210}, [2]uint64{lo, hi})
		return nil
	}))

	// A half-written file is removed, not left to load.
	bad := writeFile(t, tmp, "bad.nt", out+"<x> <y> oops .\n")
	trig2 := filepath.Join(tmp, "bad.trig")
	_, _, err = run1(t, "import", "--store", "sparql", "--sparql-bulk", trig2, bad)
	require.Error(t, err)
	assert.NoFileExists(t, trig2)
}

// TestBenchSPARQL runs the bench over bbolt and SPARQL side by side on a
// small data set, the SPARQL store loaded in bulk from several files:
// every shape answers 200 on both with the same members and totals, each
// is pushed down, and each one's SPARQL is timed alone.
func TestBenchSPARQL(t *testing.T) {
	s := sparqltest.Current(t)
	out, stderr, err := run1(t, "bench", "--records", "300", "--resources", "5", "--queries", "2", "--warmup", "1",
		"--store", "sparql", "--sparql-query", s.Endpoint.Query, "--sparql-graph-prefix", fmt.Sprintf("urn:x-pmtest:bench:%d:", os.Getpid()),
		"--sparql-bulk-dir", s.Dir(), "--virtuoso-isql", fmt.Sprintf("127.0.0.1:%d", s.SQLPort), "--sparql-bulk-file", "70")
	require.NoError(t, err, stderr)
	// Each shape's members and total, bbolt's table first: the two must
	// agree.
	found := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if n := len(f); n > 8 && (f[n-1] == "yes" || f[n-1] == "no") {
			name := strings.Join(f[:n-8], " ")
			found[name] = append(found[name], f[n-3]+" members, total "+f[n-2])
		}
	}
	require.Len(t, found, 7, out)
	for name, got := range found {
		require.Len(t, got, 2, "%s: %s", name, out)
		assert.Equal(t, got[0], got[1], "%s: bbolt, then SPARQL", name)
	}
	matches, err := filepath.Glob(filepath.Join(s.Dir(), "pmprovider-bench-*.trig"))
	require.NoError(t, err)
	assert.Empty(t, matches, "the bench's TriG files are removed")
	assert.Contains(t, out, "SPARQL store "+s.Endpoint.Query)
	assert.Contains(t, out, "loading in bulk")
	assert.Equal(t, 2, strings.Count(out, "7 answered 200 throughout"), out)
	assert.Contains(t, out, "left 0 to the query engine", out)
	assert.Contains(t, out, "in the store alone", out)
}
