// Package codec reads and writes RDF graphs in the formats the server
// speaks: RDF/XML, Turtle, N-Triples and JSON-LD. A graph is a
// []rdf.Triple of knakk/rdf terms.
//
//	err := codec.Encode(w, codec.RDFXML, g, &codec.Options{Root: resource})
//	g, err := codec.Decode(r.Body, codec.Turtle, requestURL)
//
// FormatOf maps a Content-Type to a Format; Format.MediaType goes back.
//
// # Writing
//
// Output is deterministic: duplicate triples are dropped, subjects are
// written root first and then in term order (IRIs, then blank nodes),
// properties with rdf:type first and then by predicate and object. Equal
// graphs with equal blank node labels give identical bytes. Unsafe blank
// node labels (anything but [A-Za-z_][A-Za-z0-9_-]*) are renamed b0, b1,
// ... in label order. Encode validates the graph first and writes nothing
// if it fails.
//
// RDF/XML is written by this package in the abbreviated, striped form that
// Jazz tools and XPath-based OSLC clients expect:
//
//   - one node element per subject, named after its first rdf:type that
//     is a QName (other types become rdf:type properties), else
//     rdf:Description; rdf:about for IRIs, rdf:nodeID for blank nodes that
//     are referenced but not nested;
//   - a blank node that is the object of exactly one triple, is not the
//     root and is not on a cycle of such nodes is written inline, as the
//     node element inside that property element, to any depth
//     (oslc:service › oslc:Service › oslc:queryCapability › ...);
//   - rdf:resource for IRI objects, rdf:datatype for typed literals other
//     than xsd:string, xml:lang for language-tagged ones;
//   - rdf:XMLLiteral values (OSLC tools read dcterms:title as one) are
//     written with rdf:parseType="Literal" when the lexical form is
//     well-formed, self-contained XML content already in exclusive
//     canonical form, so that it reads back unchanged; otherwise as
//     escaped text with rdf:datatype. A title should therefore escape its
//     markup characters ("A &amp; B").
//   - namespaces come from Options.Prefixes (default vocab.Prefixes),
//     declared on rdf:RDF only when used; other namespaces get ns1, ns2,
//     ... in namespace order. A predicate IRI is split after the longest
//     known namespace, else at the last '#' or '/', else before its longest
//     NCName suffix; one that cannot be split is an ErrNotEncodable error,
//     as are the reserved RDF names (rdf:li, rdf:Description, ...).
//   - XML 1.0 cannot hold most control characters or U+FFFE/U+FFFF in any
//     form, so a graph holding them is refused with ErrNotEncodable rather
//     than written as XML no parser accepts; the other formats carry them.
//
// Turtle and N-Triples are written with knakk/rdf's TripleEncoder and
// Triple.Serialize, around the encoder's bugs (see turtle_encode.go): a
// triple it would write wrongly (rdf:type as subject or object, local
// names needing escapes, numbers whose lexical form is not Turtle's
// canonical number syntax, unescaped quotes in typed literals, control
// characters) is written by this package instead, in the statement about
// the same subject, and prefix declarations are gathered at the top.
//
// JSON-LD is written by this package as compacted JSON-LD: an @context of
// the prefixes in use, the same nesting of blank nodes as RDF/XML, bare
// strings, native JSON for canonical xsd:integer and xsd:boolean values.
//
// # Reading
//
// Decode resolves relative IRIs against base with RFC 3986 (xml:base,
// @base and @context @base included) and refuses a relative IRI when there
// is no base. It checks IRIs (only the characters RFC 3987 allows: no
// spaces, controls, non-characters, or private-use characters outside
// the query; valid percent-encodings) and language tags, labels blank
// nodes b0, b1, ... in document order, and returns errors a client can
// act on: a *SyntaxError with the line and column. It reads at most
// MaxDocumentSize bytes, returns at most MaxTriples triples, stops at
// MaxDepth levels of nesting and never panics.
//
// RDF/XML, Turtle and N-Triples are read by this package's own parsers.
// knakk/rdf's decoders (v0.0.0-20190304171630) were tried first and cannot
// be used:
//
//   - RDF/XML: they fail on typed node elements nested in property
//     elements ("TODO not rdf name space") — the form this package writes
//     and OSLC tools send — and on rdf:Description nested with rdf:about
//     (the IRI is lost); they read any attribute value with a colon, such
//     as rdf:resource="urn:isbn:1", as a QName and fail; a typed node
//     element with rdf:nodeID becomes a fresh blank node; XML literals keep
//     "&lt;" unescaped; xml:lang leaks to the next property.
//   - Turtle: relative IRIs are resolved by string concatenation
//     (<foo> against http://ex/a/b gives http://ex/a/bfoo); labels of
//     anonymous blank nodes ([]) collide with document labels _:b1, which
//     merges distinct nodes.
//   - All of them run the lexer in a goroutine that blocks forever when
//     parsing stops at an error: every bad request would leak a goroutine.
//   - Their recover re-panics runtime errors.
//
// The RDF/XML parser follows the grammar of the RDF 1.1 XML Syntax
// recommendation: typed and nested node elements, property attributes,
// rdf:parseType Resource, Literal (exclusive canonical XML, as Raptor
// produces) and Collection, rdf:li, rdf:ID with reification, rdf:nodeID,
// xml:base, xml:lang, internal DOCTYPE entities of plain text (their
// expansion bounded to a few times the document's size; parameter and
// external entities are refused, and no file or URL is ever read), and
// ISO-8859-1 besides UTF-8. The Turtle parser implements Turtle 1.1;
// N-Triples is read by it in a strict mode.
//
// JSON-LD is read with piprate/json-gold (JSON-LD 1.1), which expands the
// document and builds the node map; this package turns the node map into
// triples. json-gold's own ToRDF silently drops triples with relative IRIs
// or with http IRIs its URL pattern rejects, and turns integers beyond
// int64 into garbage; here the first two are errors and integers are
// exact. Remote contexts are never fetched (an error says to inline them).
// Where encoding/json would guess, Decode refuses: invalid UTF-8 and \u
// escapes of half a surrogate pair (read as U+FFFD), and a key twice in
// an object (the last value kept; other parsers keep the first).
// json-gold lowercases language tags, as JSON-LD allows. deiu/rdf2go was
// not used: its JSON-LD support (linkeddata/gojsonld) is JSON-LD 1.0, and
// its writer emits one node per triple with no @context, drops triples
// whose object is a blank node, and orders output by map iteration.
//
// # Testing
//
// Package codectest checks documents against rdflib and rapper; the tests
// here feed every format to both, read rdflib's RDF/XML, N-Triples and
// JSON-LD back, compare RDF/XML output with golden files (go test -update
// rewrites them), and fuzz every decoder and the RDF/XML round trip.
package codec
