package oslc

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/oslc-pm/pmprovider/codec"
)

// A representation the server can write.
type representation struct {
	mediaType string
	format    codec.Format
	html      bool
}

// offered lists the representations in the server's order of preference;
// the first is the default (OSLC PM: RDF/XML MUST).
var offered = []representation{
	{mediaType: "application/rdf+xml", format: codec.RDFXML},
	{mediaType: "text/turtle", format: codec.Turtle},
	{mediaType: "application/ld+json", format: codec.JSONLD},
	{mediaType: "application/n-triples", format: codec.NTriples},
	{mediaType: "text/html", html: true},
}

// aliases are media types clients ask for that name one of the offered ones.
var aliases = map[string]string{
	"application/xml":       "application/rdf+xml",
	"text/xml":              "application/rdf+xml",
	"application/json":      "application/ld+json",
	"application/x-turtle":  "text/turtle",
	"text/plain":            "application/n-triples",
	"application/xhtml+xml": "text/html",
}

// formatParam maps the format query parameter's values to media types, so
// that links can offer downloads.
var formatParam = map[string]string{
	"rdfxml":   "application/rdf+xml",
	"rdf":      "application/rdf+xml",
	"xml":      "application/rdf+xml",
	"turtle":   "text/turtle",
	"ttl":      "text/turtle",
	"jsonld":   "application/ld+json",
	"json":     "application/ld+json",
	"ntriples": "application/n-triples",
	"nt":       "application/n-triples",
	"html":     "text/html",
}

func offeredList() string {
	var s []string
	for _, o := range offered {
		s = append(s, o.mediaType)
	}
	return strings.Join(s, ", ")
}

type acceptRange struct {
	typ, sub string
	q        float64
}

// negotiate picks the representation for r from its format parameter or
// Accept header, honouring q-values. ok is false when nothing offered is
// acceptable.
func negotiate(r *http.Request) (rep representation, ok bool) {
	if f := r.URL.Query().Get("format"); f != "" {
		mt, known := formatParam[strings.ToLower(f)]
		if !known {
			return representation{}, false
		}
		return lookupOffered(mt)
	}
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if strings.TrimSpace(accept) == "" {
		return offered[0], true
	}
	var ranges []acceptRange
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		if a, ok := aliases[mt]; ok {
			mt = a
		}
		typ, sub, _ := strings.Cut(mt, "/")
		ranges = append(ranges, acceptRange{typ: typ, sub: sub, q: q})
	}
	// For each offered representation, the most specific matching range
	// gives its q; the best q wins, ties go to the server's preference.
	best, bestQ := -1, 0.0
	for i, o := range offered {
		typ, sub, _ := strings.Cut(o.mediaType, "/")
		q, spec := -1.0, -1
		for _, a := range ranges {
			s := -1
			switch {
			case a.typ == typ && a.sub == sub:
				s = 2
			case a.typ == typ && a.sub == "*":
				s = 1
			case a.typ == "*" && a.sub == "*":
				s = 0
			}
			if s > spec {
				spec, q = s, a.q
			}
		}
		if q > bestQ {
			best, bestQ = i, q
		}
	}
	if best < 0 {
		return representation{}, false
	}
	return offered[best], true
}

func lookupOffered(mt string) (representation, bool) {
	for _, o := range offered {
		if o.mediaType == mt {
			return o, true
		}
	}
	return representation{}, false
}

// requestFormat returns the RDF format of the request body, from its
// Content-Type.
func requestFormat(r *http.Request) (codec.Format, string, bool) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return 0, ct, false
	}
	f, ok := codec.FormatOf(mt)
	return f, mt, ok
}
