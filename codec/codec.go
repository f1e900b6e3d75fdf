package codec

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Limits on the work Decode does for one document.
const (
	// MaxDocumentSize is the largest document Decode reads, in bytes.
	MaxDocumentSize = 32 << 20
	// MaxTriples is the most triples Decode returns.
	MaxTriples = 1 << 20
	// MaxDepth bounds nesting: XML elements, Turtle blank node property
	// lists and collections, JSON arrays and objects.
	MaxDepth = 256
)

// Options control Encode. The zero value and nil are both fine.
type Options struct {
	// Prefixes are the namespace prefixes to declare and use; nil means
	// vocab.Prefixes. Writers declare only those they use.
	Prefixes []vocab.Prefix
	// Root, if set, is the primary subject: it is written first, and in
	// RDF/XML and JSON-LD it is never nested inside another node.
	Root rdf.Subject
	// Inline lists predicates whose IRI-named objects RDF/XML writes as
	// node elements inside the property element (with rdf:about), the way
	// Jazz tools and XPath-based clients read catalogs: under the first
	// such triple that refers to them. Whatever else refers to them gets
	// rdf:resource. Nodes named by a fragment of Root's IRI (a record's
	// measures, <record#m1>) that are referred to once are nested too.
	Inline []rdf.IRI
}

func (o *Options) prefixes() []vocab.Prefix {
	if o == nil || o.Prefixes == nil {
		return vocab.Prefixes
	}
	return o.Prefixes
}

func (o *Options) inline() map[string]bool {
	if o == nil {
		return nil
	}
	m := make(map[string]bool, len(o.Inline))
	for _, p := range o.Inline {
		m[p.String()] = true
	}
	return m
}

func (o *Options) root() rdf.Subject {
	if o == nil {
		return nil
	}
	return o.Root
}

// buffers are the buffers writers build a document in, before they write
// it whole (so that they write nothing if they fail).
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

// putBuffer returns b to the pool, unless it grew large: a large document
// is rare, and its buffer would be kept for small ones.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	buffers.Put(b)
}

// Encode writes graph g to w in format f. Duplicate triples are written
// once. Output is deterministic: equal graphs with equal blank node labels
// give identical bytes. Encode writes nothing if it returns an error (of
// ErrInvalidTerm, ErrNotEncodable or ErrUnsupportedFormat, or from w).
func Encode(w io.Writer, f Format, g []rdf.Triple, opt *Options) error {
	switch f {
	case RDFXML:
		return encodeRDFXML(w, g, opt)
	case Turtle:
		return encodeTurtle(w, g, opt)
	case NTriples:
		return encodeNTriples(w, g, opt)
	case JSONLD:
		return encodeJSONLD(w, g, opt)
	}
	return fmt.Errorf("%w: %v", ErrUnsupportedFormat, f)
}

// Decode reads a document in format f from r and returns its triples.
// Relative IRIs (including "<>" and rdf:about="") are resolved against
// base, which must be an absolute IRI or "" (then a relative IRI is an
// error). Blank nodes are labelled b0, b1, ...
//
// Errors are *SyntaxError (ErrSyntax) for malformed input, ErrTooLarge
// when a limit is passed, ErrUnsupportedFormat, or read errors from r.
// Decode never panics.
func Decode(r io.Reader, f Format, base string) (g []rdf.Triple, err error) {
	if !f.valid() {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedFormat, f)
	}
	if base != "" && !hasScheme(base) {
		return nil, &SyntaxError{Format: f, Msg: fmt.Sprintf("base IRI %q is not absolute", base)}
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f, err)
	}
	return DecodeBytes(data, f, base)
}

// DecodeBytes is Decode of a document already read: data, which it does
// not keep.
func DecodeBytes(data []byte, f Format, base string) (g []rdf.Triple, err error) {
	if !f.valid() {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedFormat, f)
	}
	if base != "" && !hasScheme(base) {
		return nil, &SyntaxError{Format: f, Msg: fmt.Sprintf("base IRI %q is not absolute", base)}
	}
	if len(data) > MaxDocumentSize {
		return nil, tooLarge(f, "more than %d bytes", MaxDocumentSize)
	}
	defer func() {
		if r := recover(); r != nil {
			g, err = nil, &SyntaxError{Format: f, Msg: fmt.Sprintf("internal parser error: %v", r)}
		}
	}()
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	switch f {
	case RDFXML:
		return decodeRDFXML(data, base)
	case Turtle:
		return decodeTurtle(data, base, false)
	case NTriples:
		return decodeTurtle(data, base, true)
	default:
		return decodeJSONLD(data, base)
	}
}
