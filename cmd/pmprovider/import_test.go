package main

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// storeNT is everything in the store in dir, as sorted N-Triples lines.
func storeNT(t *testing.T, dir string) []string {
	t.Helper()
	out, _, err := run1(t, "export", "--data", dir)
	require.NoError(t, err)
	return sortedLines(out)
}

// storeCount is the number of resources in the store in dir.
func storeCount(t *testing.T, dir string) int64 {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "pm.db"), &store.Options{ReadOnly: true})
	require.NoError(t, err)
	defer db.Close()
	st, err := db.Stats(context.Background())
	require.NoError(t, err)
	return st.Resources
}

func TestImportExportRoundTrip(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out, _, err := run1(t, "generate", "--records", "200", "--resources", "9")
	require.NoError(t, err)
	nt := writeFile(t, tmp, "data.nt", out)
	data := filepath.Join(tmp, "store")

	_, stderr, err := run1(t, "import", "--data", data, "--batch", "50", nt)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "loaded 209 resources (200 records)")
	assert.Contains(t, stderr, "records/s")
	assert.Contains(t, stderr, "triples/s")

	want := fixtureNT(t, fixture.Config{Seed: 1, Resources: 9, Records: 200})
	assert.Equal(t, want, storeNT(t, data), "export gives back what was imported")

	// Turtle, one document per resource, says the same.
	ttl, stderr, err := run1(t, "export", "--data", data, "--format", "turtle")
	require.NoError(t, err)
	assert.Contains(t, stderr, "209 resources")
	g, err := codec.Decode(strings.NewReader(ttl), codec.Turtle, "")
	require.NoError(t, err)
	assert.Len(t, g, len(want))

	// and imports again to the same store contents.
	data2 := filepath.Join(tmp, "store2")
	_, stderr, err = run1(t, "import", "--data", data2, writeFile(t, tmp, "data.ttl", ttl))
	require.NoError(t, err, stderr)
	assert.Equal(t, want, storeNT(t, data2))

	// Importing again replaces, not doubles.
	_, stderr, err = run1(t, "import", "--data", data, nt)
	require.NoError(t, err, stderr)
	assert.Equal(t, want, storeNT(t, data))
}

// TestImportScattered feeds the triples in random order, from standard
// input, in small batches: resources come back in later batches and are
// merged.
//
// Not parallel: it sets the package's stdin, which other tests' imports
// would read.
func TestImportScattered(t *testing.T) {
	out, _, err := run1(t, "generate", "--records", "60", "--resources", "4", "--seed", "9")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	stdin = strings.NewReader("# shuffled\n\n" + strings.Join(lines, "\r\n"))
	t.Cleanup(func() { stdin = os.Stdin })

	data := t.TempDir()
	_, stderr, err := run1(t, "import", "--data", data, "--batch", "5", "-")
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "loaded 64 resources (60 records)")
	assert.Equal(t, fixtureNT(t, fixture.Config{Seed: 9, Resources: 4, Records: 60}), storeNT(t, data))
}

func TestImportBlankNodes(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	data := filepath.Join(tmp, "store")
	ttl := writeFile(t, tmp, "rec.ttl", `
@prefix pm: <http://open-services.net/ns/perfmon#> .
@prefix ems: <http://open-services.net/ns/ems#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<records/r1> a pm:PerformanceMonitoringRecord ;
  dcterms:isPartOf <http://example.org/hosts/web01> ;
  ems:observes [ a ems:Measure ; ems:metric pm:CpuUsed ; ems:numericValue 93.5 ] ,
               [ a ems:Measure ; ems:metric pm:RealMemoryUsed ; ems:numericValue 1e9 ] .
`)
	// A measure's triples before the one referring to it, a label with a
	// dot, literals that look like terms, and a hash IRI in its resource.
	nt := writeFile(t, tmp, "rec.nt", strings.Join([]string{
		`_:m.1 <http://open-services.net/ns/ems#metric> <http://open-services.net/ns/perfmon#CpuUsed> .`,
		`_:m.1 <http://purl.org/dc/terms/title> "see _:x <y> # not a comment" .`,
		`<http://example.org/r2> <http://open-services.net/ns/ems#observes> _:m.1.`,
		`<http://example.org/r2#m2> <http://open-services.net/ns/ems#metric> <http://open-services.net/ns/perfmon#CpuUsed> . # comment`,
		`<http://example.org/r2> <http://open-services.net/ns/ems#observes> <http://example.org/r2#m2> .`,
		`_:m.1 <http://open-services.net/ns/ems#x> _:deeper .`,
		`_:deeper<http://open-services.net/ns/ems#y>"z".`,
	}, "\n"))
	_, stderr, err := run1(t, "import", "--data", data, "--base-url", "http://example.org/", ttl, nt)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "loaded 2 resources (1 records)")

	db, err := store.Open(filepath.Join(data, "pm.db"), &store.Options{ReadOnly: true})
	require.NoError(t, err)
	defer db.Close()

	r1 := vocab.IRI("http://example.org/records/", "r1")
	g, _, err := db.Get(context.Background(), r1)
	require.NoError(t, err)
	ms := objectsOf(g, r1, vocab.EMS+"observes")
	require.Len(t, ms, 2)
	for _, m := range ms {
		require.IsType(t, rdf.Blank{}, m)
		assert.Len(t, objectsOf(g, m.(rdf.Blank), vocab.EMS+"metric"), 1)
	}
	assert.Len(t, g, 10)

	r2 := vocab.IRI("http://example.org/", "r2")
	g, _, err = db.Get(context.Background(), r2)
	require.NoError(t, err)
	assert.Len(t, g, 7)
	var m1 rdf.Object
	for _, m := range objectsOf(g, r2, vocab.EMS+"observes") {
		if _, ok := m.(rdf.Blank); ok {
			m1 = m
		}
	}
	require.NotNil(t, m1)
	assert.Equal(t, []rdf.Object{rdf.NewTypedLiteral("see _:x <y> # not a comment", vocab.XSDString)}, objectsOf(g, m1.(rdf.Blank), vocab.DCTerms+"title"))
	deeper := objectsOf(g, m1.(rdf.Blank), vocab.EMS+"x")
	require.Len(t, deeper, 1)
	assert.Len(t, objectsOf(g, deeper[0].(rdf.Blank), vocab.EMS+"y"), 1)
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	good := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString("<http://example.org/r" + string(rune('a'+i)) + "> <http://purl.org/dc/terms/title> \"t\" .\n")
		}
		return b.String()
	}
	tests := []struct {
		name, file, content string
		args                []string
		want                string
		kept                int64 // resources in the store after
	}{
		{"syntax error, earlier batches stay", "bad.nt", good(3) + "<http://example.org/x> <http://p> \"unterminated .\n" + good(2), []string{"--batch", "1"},
			"bad.nt:4: N-Triples syntax error", 2},
		{"syntax error in the first line", "bad.nt", "<a> <b> <c> .\n", nil, "bad.nt:1: N-Triples syntax error", 0},
		{"blank node nobody refers to", "orphan.nt", good(1) + "_:x <http://p> \"v\" .\n", nil,
			"orphan.nt:2: blank node _:x is not referred to", 0},
		{"blank node of two resources", "shared.nt", "<http://e/a> <http://p> _:x .\n<http://e/b> <http://p> _:x .\n", nil,
			"shared.nt:2: blank node _:x is referred to from two resources", 0},
		{"relative IRI in Turtle", "rel.ttl", "<a> <http://p> 1 .\n", nil, "rel.ttl:1: Turtle syntax error", 0},
		{"unknown extension", "data.json", "{}", nil, "unknown extension", -1},
		{"two triples on a line", "two.nt", "<http://e/a> <http://p> \"1\" . <http://e/a> <http://p> \"2\" .\n", nil, "two.nt:1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			data := filepath.Join(tmp, "store")
			p := writeFile(t, tmp, tt.file, tt.content)
			_, stderr, err := run1(t, append(append([]string{"import", "--data", data}, tt.args...), p)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			if tt.kept < 0 {
				_, serr := os.Stat(data)
				assert.True(t, os.IsNotExist(serr), "no store created")
				return
			}
			assert.Contains(t, stderr, "stay in the store")
			assert.Equal(t, tt.kept, storeCount(t, data))
		})
	}

	t.Run("no files", func(t *testing.T) {
		_, _, err := run1(t, "import", "--data", t.TempDir())
		assert.ErrorContains(t, err, "no FILE")
	})
	t.Run("missing file", func(t *testing.T) {
		_, _, err := run1(t, "import", "--data", t.TempDir(), filepath.Join(t.TempDir(), "nope.nt"))
		assert.ErrorContains(t, err, "nope.nt")
	})
}

func TestNTBlankLabels(t *testing.T) {
	tests := []struct{ line, subj, obj string }{
		{`_:a <http://p> _:b .`, "a", "b"},
		{`  _:a.b	<http://p> "x" .`, "a.b", ""},
		{`<http://s> <http://p> _:c.`, "", "c"},
		{`<http://s/_:no> <http://p/_:no> _:yes . # _:no`, "", "yes"},
		{`_:a<http://p>_:b.`, "a", "b"},
	}
	for _, tt := range tests {
		s, o := ntBlankLabels([]byte(tt.line))
		assert.Equal(t, tt.subj, s, "subject of %s", tt.line)
		assert.Equal(t, tt.obj, o, "object of %s", tt.line)
	}
}

func TestExportErrors(t *testing.T) {
	_, _, err := run1(t, "export", "--data", filepath.Join(t.TempDir(), "none"))
	assert.ErrorContains(t, err, "no store")
	_, _, err = run1(t, "export", "--format", "rdfxml")
	assert.ErrorContains(t, err, "--format")
}

// FuzzNTBlankLabels checks the labels taken from lines the codec accepts
// against the blank nodes it decoded.
func FuzzNTBlankLabels(f *testing.F) {
	for _, s := range []string{
		`_:a <http://p> _:b .`,
		`  _:a.b	<http://p> "x" .`,
		`<http://s> <http://p> _:c.`,
		`<http://s/_:no> <http://p/_:no> _:yes . # _:no`,
		`_:a<http://p>_:b.`,
		`_:a <http://p> "_:b"^^<http://t> .`,
		`_:a <http://p> "x"@en-GB .`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\r\n") {
			return
		}
		g, err := codec.Decode(strings.NewReader(line), codec.NTriples, "")
		if err != nil || len(g) != 1 {
			return
		}
		s, o := ntBlankLabels([]byte(line))
		_, sb := g[0].Subj.(rdf.Blank)
		_, ob := g[0].Obj.(rdf.Blank)
		if sb != (s != "") || ob != (o != "") {
			t.Fatalf("%q: labels %q, %q for %v", line, s, o, g[0])
		}
		if same := rdf.TermsEqual(g[0].Subj, g[0].Obj); sb && ob && (s == o) != same {
			t.Fatalf("%q: labels %q, %q; codec says same node: %v", line, s, o, same)
		}
	})
}
