package oslc

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/vocab"
)

// inlinePredicates are the predicates whose IRI-named objects RDF/XML
// nests as node elements, the way Jazz tools and XPath-based clients read
// rootservices and catalogs.
var inlinePredicates = []rdf.IRI{
	vocab.IRI(vocab.JD, "oslcCatalogs"),
	vocab.OSLCServiceProvider,
}

// writeGraph writes g, about root, as rep with the given status. The body
// is encoded before any header is written, so an encoding failure is still
// a clean 500, and its length is known: every answer has a Content-Length,
// HEAD's too (OSLC Core 3.0, Checking Response Size). An ETag the handler
// set names the state: it becomes the tag of rep (etag.go), and a GET whose
// If-None-Match names that tag is answered 304.
//
// With a cacheKey, the encoding is looked up in the server's cache of
// encoded answers first, and kept there after (repcache.go).
func (s *Server) writeGraph(w http.ResponseWriter, r *http.Request, rep representation, status int, root rdf.Subject, g []rdf.Triple, title string, cacheKey func(representation) string) {
	h := w.Header()
	h.Add("Vary", "Accept")
	if et := h.Get("ETag"); et != "" {
		et = representationTag(et, rep)
		h.Set("ETag", et)
		if status == http.StatusOK && (r.Method == http.MethodGet || r.Method == http.MethodHead) && noneMatch(r.Header.Get("If-None-Match"), et) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	key := ""
	if cacheKey != nil && status == http.StatusOK {
		key = cacheKey(rep)
		if c := s.reps.get(key); c != nil {
			writeBody(w, status, c)
			return
		}
	}
	// An answer not kept is encoded in a buffer used again once written.
	buf := new(bytes.Buffer)
	if key == "" {
		buf = answerBuffers.Get().(*bytes.Buffer)
		defer putAnswerBuffer(buf)
	}
	ct := rep.mediaType
	var err error
	switch {
	case rep.html:
		err = s.renderHTML(buf, r, root, g, title)
		ct += "; charset=utf-8"
	case rep.json:
		err = encodeOSLCJSON(buf, root, g)
	default:
		err = codec.Encode(buf, rep.format, g, &codec.Options{Prefixes: vocab.Prefixes, Root: root, Inline: inlinePredicates})
		if rep.format != codec.JSONLD {
			ct += "; charset=utf-8"
		}
	}
	if err != nil {
		s.log.Error("encode", "url", r.URL.String(), "format", rep.mediaType, "err", err)
		h.Del("ETag")
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	c := &cachedRep{body: buf.Bytes(), contentType: ct}
	s.reps.put(key, c)
	writeBody(w, status, c)
}

// answerBuffers are the buffers of answers writeGraph does not keep.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putAnswerBuffer returns b to answerBuffers, unless it grew large.
func putAnswerBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	answerBuffers.Put(b)
}

// writeBody writes an encoded answer.
func writeBody(w http.ResponseWriter, status int, c *cachedRep) {
	h := w.Header()
	h.Set("Content-Type", c.contentType)
	h.Set("Content-Length", strconv.Itoa(len(c.body)))
	w.WriteHeader(status)
	w.Write(c.body)
}

// Respond negotiates the representation and writes g, or a 406 listing what
// is offered.
func (s *Server) Respond(w http.ResponseWriter, r *http.Request, status int, root rdf.Subject, g []rdf.Triple, title string) {
	s.respond(w, r, status, root, g, title, nil)
}

// respond is Respond, with the cacheKey of writeGraph.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, status int, root rdf.Subject, g []rdf.Triple, title string, cacheKey func(representation) string) {
	rep, ok := negotiate(r)
	if !ok {
		if f := r.URL.Query().Get("format"); f != "" {
			s.WriteError(w, r, Errorf(http.StatusNotAcceptable, "parameter format", "format %q is not offered; offered are: rdfxml, turtle, jsonld, ntriples, html", f))
			return
		}
		s.WriteError(w, r, Errorf(http.StatusNotAcceptable, "header Accept", "none of the requested media types %q is offered; offered are: %s", r.Header.Get("Accept"), offeredList()))
		return
	}
	s.writeGraph(w, r, rep, status, root, g, title, cacheKey)
}

// renderHTML writes g as a page, through the HTML renderer (SetHTML).
func (s *Server) renderHTML(w *bytes.Buffer, r *http.Request, root rdf.Subject, g []rdf.Triple, title string) error {
	if s.html == nil {
		return errors.New("oslc: no HTML renderer is set")
	}
	return s.html.RenderHTML(w, r, root, g, title)
}

// WriteRDFXML writes g, about root, as RDF/XML with the given status.
func (s *Server) WriteRDFXML(w http.ResponseWriter, r *http.Request, status int, root rdf.Subject, g []rdf.Triple) {
	s.writeGraph(w, r, offered[0], status, root, g, "", nil)
}
