package codec_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/codec/codectest"
	"github.com/oslc-pm/pmprovider/vocab"
)

// fuzzReader hands out the bytes of a fuzz input, then zeros.
type fuzzReader struct{ data []byte }

func (r *fuzzReader) byte() byte {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

func (r *fuzzReader) string() string {
	n := int(r.byte() % 24)
	if n > len(r.data) {
		n = len(r.data)
	}
	s := string(r.data[:n])
	r.data = r.data[n:]
	return s
}

var (
	fuzzPredicates = []rdf.IRI{
		iri(ex + "p"), iri(ex + "q"), o("service"), dc("title"), vocab.RDFType,
		iri(vocab.RDF + "_1"), iri("http://other.example/ns#x"), iri(ex + "a-b.c"),
		em("observes"), iri("urn:x:y"), iri(ex + "é"),
	}
	fuzzIRIs = []rdf.IRI{
		iri(ex + "s0"), iri(ex + "s1"), iri(catURI), vocab.RDFType, o("Service"),
		iri("urn:isbn:1"), iri(ex + "x?a=1&b=%3C2%3E&c='q'"), iri(ex + "types/1"),
	}
	fuzzDatatypes = []rdf.IRI{
		vocab.XSDString, vocab.XSDInteger, vocab.XSDDouble, vocab.XSDBoolean,
		vocab.RDFXMLLiteral, vocab.XSDDateTime, iri(ex + "dt"), iri(vocab.PM + "u(x)"),
	}
	fuzzLangs = []string{"en", "de-DE", "zh-Hant-TW"}
)

// graphFrom builds a small graph from fuzz bytes: subjects, predicates and
// datatypes from fixed pools, literal text from the input.
func graphFrom(data []byte) []rdf.Triple {
	r := &fuzzReader{data}
	n := int(r.byte()%16) + 1
	var g []rdf.Triple
	for i := 0; i < n; i++ {
		var s rdf.Subject
		if k := r.byte(); k%2 == 0 {
			s = fuzzIRIs[int(k/2)%len(fuzzIRIs)]
		} else {
			s = bn("b" + strconv.Itoa(int(k/2)%5))
		}
		p := fuzzPredicates[int(r.byte())%len(fuzzPredicates)]
		var obj rdf.Object
		switch k := r.byte(); k % 4 {
		case 0:
			obj = fuzzIRIs[int(k/4)%len(fuzzIRIs)]
		case 1:
			obj = bn("b" + strconv.Itoa(int(k/4)%5))
		case 2:
			obj = typed(r.string(), fuzzDatatypes[int(k/4)%len(fuzzDatatypes)])
		default:
			text, tag := r.string(), fuzzLangs[int(k/4)%len(fuzzLangs)]
			if l, err := rdf.NewLangLiteral(text, tag); err == nil {
				obj = l
			} else {
				obj = lang("x", tag) // multi-subtag tags: text must be N-Triples-safe
			}
		}
		g = append(g, tr(s, p, obj))
	}
	return g
}

// graphSeeds are fuzz inputs that build interesting graphs.
var graphSeeds = [][]byte{
	{3, 0, 2, 6, 'a', 'b', 'c', 1, 1, 5, 3, 1, 2, 1},
	{8, 1, 1, 1, 3, 2, 1, 3, 3, 5, 1, 0, 0, 0, 7, 4, 2, 3, 1},
	{2, 0, 3, 18, 9, '<', 'b', '>', 'x', '<', '/', 'b', '>', 0, 0, 18, 5, 'a', ' ', '&', ' ', 'b'},
	{1, 0, 0, 2, 4, '\r', '\n', ']', '>'},
	{1, 0, 0, 3, 3, 0xff, 'a', 'b'},
	{1, 0, 5, 2, 2, 0x01, 0x02},
}

// FuzzRDFXMLRoundTrip writes fuzz-built graphs as RDF/XML and reads them
// back. Graphs RDF/XML cannot express must be refused with
// ErrNotEncodable or ErrInvalidTerm, never written as invalid XML.
func FuzzRDFXMLRoundTrip(f *testing.F) {
	for _, s := range graphSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := graphFrom(data)
		var b bytes.Buffer
		err := codec.Encode(&b, codec.RDFXML, g, nil)
		if errors.Is(err, codec.ErrNotEncodable) || errors.Is(err, codec.ErrInvalidTerm) {
			return
		}
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		got, err := codec.Decode(&b, codec.RDFXML, "")
		if err != nil {
			t.Fatalf("Decode of our own output: %v\n%s", err, b.String())
		}
		if d := codectest.Diff(got, g); d != "" {
			t.Fatalf("round trip changed the graph:\n%s\n%s", d, b.String())
		}
	})
}

// fuzzDecode checks that Decode never panics, returns only documented
// errors, and that what it reads survives a round trip through every
// format that can express it.
func fuzzDecode(f *testing.F, format codec.Format) {
	for _, s := range decodeSeeds(f, format) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := codec.Decode(bytes.NewReader(data), format, "http://fuzz.example/base/doc")
		if err != nil {
			var se *codec.SyntaxError
			if !errors.As(err, &se) && !errors.Is(err, codec.ErrTooLarge) {
				t.Fatalf("Decode returned an undocumented error %T: %v", err, err)
			}
			return
		}
		for _, out := range codec.Formats {
			var b bytes.Buffer
			err := codec.Encode(&b, out, g, nil)
			if out == codec.RDFXML && errors.Is(err, codec.ErrNotEncodable) {
				continue
			}
			if err != nil {
				t.Fatalf("Encode %v of a decoded graph: %v", out, err)
			}
			back, err := codec.Decode(&b, out, "")
			if err != nil {
				t.Fatalf("Decode of our own %v: %v\n%s", out, err, b.String())
			}
			iso := codectest.Isomorphic
			if out == codec.JSONLD {
				iso = codectest.IsomorphicFold
			}
			if !iso(back, g) {
				t.Fatalf("round trip through %v changed the graph:\n%s\n%s", out, codectest.Diff(back, g), b.String())
			}
		}
	})
}

// decodeSeeds returns the test tables' documents in format f: decoding
// cases, bad documents and golden files.
func decodeSeeds(t testing.TB, f codec.Format) [][]byte {
	var seeds [][]byte
	tables := map[codec.Format][]decodeCase{codec.RDFXML: rdfxmlCases, codec.Turtle: turtleCases, codec.JSONLD: jsonldCases}
	for _, c := range tables[f] {
		seeds = append(seeds, []byte(c.in))
	}
	for _, c := range append(turtleCases, rdfxmlCases...) {
		if f == codec.NTriples {
			seeds = append(seeds, []byte(c.want))
		}
	}
	for _, c := range readErrorCases(t) {
		if c.format == f {
			seeds = append(seeds, []byte(c.in))
		}
	}
	ext := map[codec.Format]string{codec.RDFXML: "*.rdf", codec.Turtle: "*.ttl", codec.NTriples: "*.nt", codec.JSONLD: "*.jsonld"}[f]
	files, _ := filepath.Glob(filepath.Join("testdata", ext))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			seeds = append(seeds, data)
		}
	}
	return seeds
}

func FuzzDecodeRDFXML(f *testing.F)   { fuzzDecode(f, codec.RDFXML) }
func FuzzDecodeTurtle(f *testing.F)   { fuzzDecode(f, codec.Turtle) }
func FuzzDecodeNTriples(f *testing.F) { fuzzDecode(f, codec.NTriples) }
func FuzzDecodeJSONLD(f *testing.F)   { fuzzDecode(f, codec.JSONLD) }
