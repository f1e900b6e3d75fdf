package oslc

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/knakk/rdf"
)

// A Response is what an API handler answers: a graph about Root, written
// in the representation the request negotiates, with Status and Header;
// or, with NoBody, only the status and headers (204, 304).
type Response struct {
	Status int
	Root   rdf.Subject
	Graph  []rdf.Triple
	Title  string // of the HTML page
	Header http.Header
	NoBody bool
	// release, if set, is called once the response is written: what the
	// handler holds until then (a share of the query budget).
	release func()
	// cacheKey, if set, names the encoding of the answer in a
	// representation in the server's cache of encoded answers
	// (repcache.go): what is there is written instead of Graph, and what
	// is encoded is kept there.
	cacheKey func(rep representation) string
	// cached, if set, is the encoded answer, found by the handler.
	cached *cachedRep
}

// A Handler answers a request with a response or an error, which Serve
// writes: handlers never write errors themselves.
type Handler func(r *http.Request) (*Response, error)

// Serve returns the http.HandlerFunc of h: it limits the request body to
// the server's maximum, refuses a malformed query string and an
// OSLC-Core-Version below 2.0 (checkCoreVersion), and writes h's
// response in the negotiated representation, or its error as an
// oslc:Error.
func (s *Server) Serve(h Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
		}
		// url.Values drops the parameters it cannot parse: a query with
		// a stray ';' or '%' would run without its filter.
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			s.WriteError(w, r, Errorf(http.StatusBadRequest, "URL", "the query string is malformed: %v", err))
			return
		}
		if err := checkCoreVersion(r.Header); err != nil {
			s.WriteError(w, r, err)
			return
		}
		resp, err := h(r)
		if resp != nil && resp.release != nil {
			defer resp.release()
		}
		if err != nil {
			if r.Context().Err() != nil {
				return // the client is gone
			}
			s.WriteError(w, r, err)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		if resp.NoBody {
			w.WriteHeader(resp.Status)
			return
		}
		if resp.cached != nil {
			w.Header().Add("Vary", "Accept")
			writeBody(w, resp.Status, resp.cached)
			return
		}
		s.respond(w, r, resp.Status, resp.Root, resp.Graph, resp.Title, resp.cacheKey)
	}
}

// ok is a 200 response.
func ok(root rdf.Subject, g []rdf.Triple, title string) *Response {
	return &Response{Status: http.StatusOK, Root: root, Graph: g, Title: title}
}

// checkCoreVersion refuses a request whose OSLC-Core-Version is not
// MAJOR.MINOR, or names a major version below 2: OSLC Core 3.0 (Version
// Compatibility, Versioning support in clients and servers) says the
// major version MUST be at least 2 and a server SHOULD answer 400 to a
// lower one. Absent, or 2.0 and later, the
// request is served: the provider writes what complies with both 2.0 and
// 3.0, the most compatible answer to a version it does not know.
func checkCoreVersion(h http.Header) error {
	for _, v := range h.Values("OSLC-Core-Version") {
		major, minor, ok := strings.Cut(strings.Trim(v, " \t"), ".")
		if !ok || !digits(major) || !digits(minor) {
			return Errorf(http.StatusBadRequest, "header OSLC-Core-Version", "OSLC-Core-Version %q is not a version MAJOR.MINOR; this provider serves OSLC Core 2.0 and 3.0", v)
		}
		if m := strings.TrimLeft(major, "0"); m == "" || m == "1" {
			return Errorf(http.StatusBadRequest, "header OSLC-Core-Version", "OSLC-Core-Version %s is not supported: OSLC Core requires 2.0 or later, and this provider serves OSLC Core 2.0 and 3.0", v)
		}
	}
	return nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
