package codec

import (
	"mime"
	"strconv"
	"strings"
)

// Format is an RDF serialization format.
type Format int

// The formats the server speaks.
const (
	RDFXML Format = iota
	Turtle
	NTriples
	JSONLD
)

// Formats lists every Format, in the order of the constants.
var Formats = []Format{RDFXML, Turtle, NTriples, JSONLD}

// MediaType returns the format's canonical media type, or "" for an unknown
// format.
func (f Format) MediaType() string {
	switch f {
	case RDFXML:
		return "application/rdf+xml"
	case Turtle:
		return "text/turtle"
	case NTriples:
		return "application/n-triples"
	case JSONLD:
		return "application/ld+json"
	}
	return ""
}

// String returns the format's name.
func (f Format) String() string {
	switch f {
	case RDFXML:
		return "RDF/XML"
	case Turtle:
		return "Turtle"
	case NTriples:
		return "N-Triples"
	case JSONLD:
		return "JSON-LD"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

func (f Format) valid() bool { return f >= RDFXML && f <= JSONLD }

// mediaTypes maps every accepted media type to its format.
var mediaTypes = map[string]Format{
	"application/rdf+xml":   RDFXML,
	"application/xml":       RDFXML,
	"text/xml":              RDFXML,
	"text/turtle":           Turtle,
	"application/x-turtle":  Turtle,
	"application/n-triples": NTriples,
	"text/plain":            NTriples,
	"application/ld+json":   JSONLD,
	"application/json":      JSONLD,
}

// FormatOf returns the format of a media type such as a Content-Type header
// value. Matching ignores case, surrounding space and parameters (";charset=").
// Besides each format's MediaType it accepts application/xml and text/xml
// (RDF/XML), application/x-turtle (Turtle), text/plain (N-Triples) and
// application/json (JSON-LD).
func FormatOf(mediaType string) (Format, bool) {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		// Tolerate malformed parameters: the type itself is what matters.
		mt, _, _ = strings.Cut(mediaType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	f, ok := mediaTypes[mt]
	return f, ok
}
