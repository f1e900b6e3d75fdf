package codec_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/codec/codectest"
	"github.com/oslc-pm/pmprovider/vocab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestFormatOf(t *testing.T) {
	tests := []struct {
		mediaType string
		want      codec.Format
		ok        bool
	}{
		{"application/rdf+xml", codec.RDFXML, true},
		{"application/xml", codec.RDFXML, true},
		{"text/xml; charset=utf-8", codec.RDFXML, true},
		{"text/turtle", codec.Turtle, true},
		{"Text/Turtle;charset=UTF-8", codec.Turtle, true},
		{"application/x-turtle", codec.Turtle, true},
		{"application/n-triples", codec.NTriples, true},
		{"text/plain;charset=utf-8", codec.NTriples, true},
		{"application/ld+json", codec.JSONLD, true},
		{`application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"`, codec.JSONLD, true},
		{"application/json", codec.JSONLD, true},
		{" application/json ;;", codec.JSONLD, true},
		{"text/html", 0, false},
		{"", 0, false},
		{"*/*", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.mediaType, func(t *testing.T) {
			got, ok := codec.FormatOf(tt.mediaType)
			assert.Equal(t, tt.ok, ok, "ok")
			if tt.ok {
				assert.Equal(t, tt.want, got, "got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestMediaTypeRoundTrip(t *testing.T) {
	for _, f := range codec.Formats {
		t.Run(f.String(), func(t *testing.T) {
			got, ok := codec.FormatOf(f.MediaType())
			require.True(t, ok)
			assert.Equal(t, f, got, "got %v; want %v", got, f)
		})
	}
	assert.Equal(t, "", codec.Format(99).MediaType())
}

// TestRoundTrip encodes every fixture in every format and decodes it
// again.
func TestRoundTrip(t *testing.T) {
	for _, fx := range fixtures() {
		for _, f := range codec.Formats {
			t.Run(fx.name+"/"+f.String(), func(t *testing.T) {
				var b bytes.Buffer
				err := codec.Encode(&b, f, fx.g, &codec.Options{Root: fx.root})
				if f == codec.RDFXML && !fx.xml {
					require.ErrorIs(t, err, codec.ErrNotEncodable)
					assert.Zero(t, b.Len(), "Encode wrote output before failing")
					return
				}
				require.NoError(t, err)
				got, err := codec.Decode(&b, f, "http://base.example/doc")
				require.NoError(t, err, "decoding:\n%s", b.String())
				iso := codectest.Isomorphic
				if f == codec.JSONLD {
					iso = codectest.IsomorphicFold // json-gold lowercases language tags
				}
				if !iso(got, fx.g) {
					t.Errorf("graph changed in a round trip through %v:\n%s\n%s", f, codectest.Diff(got, fx.g), b.String())
				}
			})
		}
	}
}

// TestDeterministic checks that equal graphs give identical bytes, whatever
// the order and duplication of the input triples.
func TestDeterministic(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	for _, fx := range fixtures() {
		for _, f := range codec.Formats {
			if f == codec.RDFXML && !fx.xml {
				continue
			}
			t.Run(fx.name+"/"+f.String(), func(t *testing.T) {
				var want bytes.Buffer
				require.NoError(t, codec.Encode(&want, f, fx.g, &codec.Options{Root: fx.root}))
				for i := 0; i < 5; i++ {
					g := append(append([]rdf.Triple(nil), fx.g...), fx.g[:len(fx.g)/2]...)
					rnd.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
					var got bytes.Buffer
					require.NoError(t, codec.Encode(&got, f, g, &codec.Options{Root: fx.root}))
					require.Equal(t, want.String(), got.String(), "output depends on triple order")
				}
			})
		}
	}
}

func TestRootFirst(t *testing.T) {
	g := recordGraph()
	root := iri(hostURI)
	g = append(g, tr(root, dc("title"), str("web01")), tr(iri(ex+"aaa"), dc("title"), str("sorts first")))
	for _, f := range codec.Formats {
		t.Run(f.String(), func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, codec.Encode(&b, f, g, &codec.Options{Root: root}))
			out := b.String()
			first := strings.Index(out, hostURI)
			for _, other := range []string{recURI, ex + "aaa"} {
				i := strings.Index(out, other)
				require.True(t, i >= 0 && first >= 0, "missing subject in\n%s", out)
				assert.Less(t, first, i, "root %s is not written before %s:\n%s", hostURI, other, out)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	s, p := iri(ex+"s"), iri(ex+"p")
	rel, err := rdf.NewIRI("relative/path")
	require.NoError(t, err)
	tests := []struct {
		name    string
		formats []codec.Format // nil: all
		g       []rdf.Triple
		want    error
	}{
		{"nil term", nil, []rdf.Triple{{Subj: s, Pred: p}}, codec.ErrInvalidTerm},
		{"relative IRI", nil, []rdf.Triple{tr(s, p, rel)}, codec.ErrInvalidTerm},
		{"zero IRI", nil, []rdf.Triple{tr(s, p, rdf.IRI{})}, codec.ErrInvalidTerm},
		{"zero blank", nil, []rdf.Triple{tr(s, p, rdf.Blank{})}, codec.ErrInvalidTerm},
		{"zero literal", nil, []rdf.Triple{tr(s, p, rdf.Literal{})}, codec.ErrInvalidTerm},
		{"langString without language", nil, []rdf.Triple{tr(s, p, typed("x", vocab.RDFLangString))}, codec.ErrInvalidTerm},
		{"invalid UTF-8", nil, []rdf.Triple{tr(s, p, str("bad \xff byte"))}, codec.ErrInvalidTerm},
		{"predicate without QName", []codec.Format{codec.RDFXML}, []rdf.Triple{tr(s, iri(ex+"1"), str("x"))}, codec.ErrNotEncodable},
		{"predicate ending in slash", []codec.Format{codec.RDFXML}, []rdf.Triple{tr(s, iri(ex+"ns/"), str("x"))}, codec.ErrNotEncodable},
		{"rdf:li predicate", []codec.Format{codec.RDFXML}, []rdf.Triple{tr(s, iri(vocab.RDF+"li"), str("x"))}, codec.ErrNotEncodable},
		{"control character", []codec.Format{codec.RDFXML}, []rdf.Triple{tr(s, p, str("a\x01b"))}, codec.ErrNotEncodable},
		{"noncharacter", []codec.Format{codec.RDFXML}, []rdf.Triple{tr(s, p, str("\uffff"))}, codec.ErrNotEncodable},
		{"blank-looking IRI", nil, []rdf.Triple{tr(s, p, iri("_:x"))}, codec.ErrInvalidTerm},
		{"unknown format", []codec.Format{codec.Format(7)}, []rdf.Triple{tr(s, p, str("x"))}, codec.ErrUnsupportedFormat},
	}
	for _, tt := range tests {
		formats := tt.formats
		if formats == nil {
			formats = codec.Formats
		}
		for _, f := range formats {
			t.Run(tt.name+"/"+f.String(), func(t *testing.T) {
				var b bytes.Buffer
				err := codec.Encode(&b, f, tt.g, nil)
				require.Error(t, err, "output:\n%s", b.String())
				assert.True(t, errors.Is(err, tt.want), "got %v; want %v", err, tt.want)
				assert.Zero(t, b.Len(), "Encode wrote output before failing")
			})
		}
	}
}

// TestGolden compares output with the files in testdata; go test -update
// rewrites them. RDF/XML layout is part of the contract (Jazz tools and
// XPath clients read it); the other formats are checked so that changes
// are seen in review.
func TestGolden(t *testing.T) {
	ext := map[codec.Format]string{codec.RDFXML: ".rdf", codec.Turtle: ".ttl", codec.NTriples: ".nt", codec.JSONLD: ".jsonld"}
	golden := map[string][]codec.Format{
		"catalog": codec.Formats,
		"record":  codec.Formats,
		"tricky":  {codec.RDFXML, codec.Turtle},
		"nonxml":  {codec.Turtle},
	}
	for _, fx := range fixtures() {
		for _, f := range golden[fx.name] {
			t.Run(fx.name+"/"+f.String(), func(t *testing.T) {
				var b bytes.Buffer
				require.NoError(t, codec.Encode(&b, f, fx.g, &codec.Options{Root: fx.root}))
				path := filepath.Join("testdata", fx.name+ext[f])
				if *update {
					require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "run go test -update to create it")
				assert.Equal(t, string(want), b.String(), "output differs from %s (go test -update rewrites it)", path)
				g, err := codec.Decode(bytes.NewReader(want), f, "")
				require.NoError(t, err)
				iso := codectest.Isomorphic
				if f == codec.JSONLD {
					iso = codectest.IsomorphicFold
				}
				assert.True(t, iso(g, fx.g), "%s does not hold the fixture graph:\n%s", path, codectest.Diff(g, fx.g))
			})
		}
	}
}

func TestEmptyGraph(t *testing.T) {
	for _, f := range codec.Formats {
		t.Run(f.String(), func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, codec.Encode(&b, f, nil, nil))
			g, err := codec.Decode(&b, f, "")
			require.NoError(t, err, "output:\n%s", b.String())
			assert.Empty(t, g)
		})
	}
}

// TestPrefixes checks that Options.Prefixes are used, invalid ones are
// ignored, and a prefix named like the scheme of an IRI in the graph does
// not make JSON-LD misread that IRI.
func TestPrefixes(t *testing.T) {
	g := []rdf.Triple{
		tr(iri(ex+"s"), iri(ex+"p"), iri("urn:isbn:1")),
		tr(iri(ex+"s"), iri("urn:example:q"), str("x")),
		tr(iri(ex+"s"), a, iri(ex+"T")),
	}
	opt := &codec.Options{Prefixes: []vocab.Prefix{
		{Prefix: "ex", NS: ex},
		{Prefix: "urn", NS: "urn:example:"},
		{Prefix: "1bad", NS: "http://bad.example/"},
		{Prefix: "xmlfoo", NS: "http://bad.example/xml"},
		{Prefix: "ex", NS: "http://duplicate.example/"},
	}}
	want := map[codec.Format][]string{
		codec.RDFXML: {`xmlns:ex="http://example.org/"`, `<ex:T rdf:about="http://example.org/s">`, `<ex:p rdf:resource="urn:isbn:1"/>`, `<urn:q>x</urn:q>`},
		codec.Turtle: {"@prefix ex: <http://example.org/> .", "ex:s", "ex:p\t<urn:isbn:1>", "<urn:example:q>\t\"x\""},
		codec.JSONLD: {`"ex": "http://example.org/"`, `"@type": "ex:T"`, `"urn:example:q": "x"`},
	}
	for f, parts := range want {
		t.Run(f.String(), func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, codec.Encode(&b, f, g, opt))
			out := b.String()
			for _, p := range parts {
				assert.Contains(t, out, p)
			}
			assert.NotContains(t, out, "bad.example")
			assert.NotContains(t, out, "duplicate.example")
			back, err := codec.Decode(&b, f, "")
			require.NoError(t, err)
			assert.True(t, codectest.Isomorphic(back, g), "%s\n%s", codectest.Diff(back, g), out)
		})
	}
}

// CheckRDFXML refuses exactly what the RDF/XML encoder refuses.
func TestCheckRDFXMLAgreesWithEncode(t *testing.T) {
	iri := func(s string) rdf.IRI { i, _ := rdf.NewIRI(s); return i }
	s, p := iri("http://example.org/s"), iri("http://example.org/p")
	graphs := map[string][]rdf.Triple{
		"fine":                {{Subj: s, Pred: p, Obj: rdf.NewTypedLiteral("x", iri("http://www.w3.org/2001/XMLSchema#string"))}},
		"no QName":            {{Subj: s, Pred: iri("http://example.org/123"), Obj: s}},
		"rdf syntax name":     {{Subj: s, Pred: iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#li"), Obj: s}},
		"NUL in a literal":    {{Subj: s, Pred: p, Obj: rdf.NewTypedLiteral("a\x00b", iri("http://www.w3.org/2001/XMLSchema#string"))}},
		"U+FFFE in a literal": {{Subj: s, Pred: p, Obj: rdf.NewTypedLiteral("a\uFFFEb", iri("http://www.w3.org/2001/XMLSchema#string"))}},
		"control in an IRI":   {{Subj: iri("http://example.org/\x01"), Pred: p, Obj: s}},
	}
	for name, g := range graphs {
		t.Run(name, func(t *testing.T) {
			opt := &codec.Options{Prefixes: vocab.Prefixes}
			encErr := codec.Encode(io.Discard, codec.RDFXML, g, opt)
			checkErr := codec.CheckRDFXML(g, opt)
			assert.Equal(t, encErr == nil, checkErr == nil, "encode: %v; check: %v", encErr, checkErr)
			if name != "fine" {
				assert.Error(t, checkErr)
			}
		})
	}
}
