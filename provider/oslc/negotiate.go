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
	json      bool   // OSLC 2.0 JSON (oslcjson.go)
	tag       string // suffix of its ETags (etag.go)
}

// offered lists the representations in the server's order of preference;
// the first is the default (OSLC PM: RDF/XML MUST).
var offered = []representation{
	{mediaType: "application/rdf+xml", format: codec.RDFXML, tag: "rdf"},
	{mediaType: "text/turtle", format: codec.Turtle, tag: "ttl"},
	{mediaType: "application/ld+json", format: codec.JSONLD, tag: "jsonld"},
	{mediaType: "application/n-triples", format: codec.NTriples, tag: "nt"},
	// OSLC 2.0 clients (Lyo's among them) ask for application/json and
	// read the JSON of OSLC Core 2.0, not JSON-LD.
	{mediaType: "application/json", json: true, tag: "json"},
	{mediaType: "text/html", html: true, tag: "html"},
}

// aliases are media types clients ask for that name one of the offered ones.
var aliases = map[string]string{
	"application/xml":       "application/rdf+xml",
	"text/xml":              "application/rdf+xml",
	"application/x-turtle":  "text/turtle",
	"text/plain":            "application/n-triples",
	"application/xhtml+xml": "text/html",
}

// unwritten are RDF syntaxes the server does not write, each with the
// offered one it answers in instead (OSLC Core 3.0, Resource
// Representations: an unsupported RDF serialization SHOULD be answered in
// one the server supports). TriG and N3 readers read Turtle, and N-Quads
// readers N-Triples; the others get the default.
var unwritten = map[string]string{
	"application/trig":         "text/turtle",
	"application/x-trig":       "text/turtle",
	"text/n3":                  "text/turtle",
	"text/rdf+n3":              "text/turtle",
	"application/n-quads":      "application/n-triples",
	"text/x-nquads":            "application/n-triples",
	"application/rdf+json":     "application/rdf+xml",
	"application/trix":         "application/rdf+xml",
	"application/rdf+thrift":   "application/rdf+xml",
	"application/x-binary-rdf": "application/rdf+xml",
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
	// gives its q; the best q wins, ties go to the server's preference. A
	// syntax we do not write counts for the one we answer it with, below
	// the representation's own media type.
	qs := make([]float64, len(offered))
	best, bestQ := -1, 0.0
	for i, o := range offered {
		typ, sub, _ := strings.Cut(o.mediaType, "/")
		q, spec := -1.0, -1
		for _, a := range ranges {
			s := -1
			switch {
			case a.typ == typ && a.sub == sub:
				s = 3
			case unwritten[a.typ+"/"+a.sub] == o.mediaType:
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
		qs[i] = q
		if q > bestQ {
			best, bestQ = i, q
		}
	}
	if best >= 0 {
		return offered[best], true
	}
	// An RDF syntax we do not write, acceptable although its stand-in is
	// refused: any RDF syntax we write and the client did not refuse.
	for _, a := range ranges {
		if _, rdf := unwritten[a.typ+"/"+a.sub]; !rdf || a.q <= 0 {
			continue
		}
		for i, o := range offered {
			if !o.html && !o.json && qs[i] != 0 {
				return o, true
			}
		}
	}
	return representation{}, false
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

// Prefer include values (LDP, OSLC Core 3.0 Delegated Dialogs).
const (
	PreferDialog           = "http://open-services.net/ns/core#PreferDialog"
	PreferMinimalContainer = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
)

// preferred returns the URIs a request's Prefer headers include with
// return=representation (RFC 7240; the include parameter of LDP 7.2).
func preferred(r *http.Request) map[string]bool {
	var out map[string]bool
	for _, h := range r.Header.Values("Prefer") {
		for _, pref := range splitUnquoted(h, ',') {
			params := splitUnquoted(pref, ';')
			if k, v, _ := strings.Cut(params[0], "="); !strings.EqualFold(strings.TrimSpace(k), "return") || strings.Trim(strings.TrimSpace(v), `"`) != "representation" {
				continue
			}
			for _, p := range params[1:] {
				k, v, ok := strings.Cut(p, "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "include") {
					continue
				}
				for _, u := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
					if out == nil {
						out = make(map[string]bool)
					}
					out[u] = true
				}
			}
		}
	}
	return out
}

// splitUnquoted splits s at each sep outside double quotes.
func splitUnquoted(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
