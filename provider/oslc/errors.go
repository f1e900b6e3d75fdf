package oslc

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider/adhoc"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Error is an error the client is told about: an HTTP status, a message
// saying what is wrong and where in the request it is.
type Error struct {
	Status  int
	Message string
	Where   string // the part of the request at fault: "body", "header If-Match", ...
	// Header holds headers the answer carries, e.g. Retry-After.
	Header http.Header
	// ConstrainedBy is the URL of the shape the request broke, if any: the
	// answer links it (rel="http://www.w3.org/ns/ldp#constrainedBy").
	ConstrainedBy string
}

func (e *Error) Error() string {
	if e.Where == "" {
		return e.Message
	}
	return e.Message + " (in " + e.Where + ")"
}

// Errorf returns an Error with status, where and a formatted message.
func Errorf(status int, where, format string, args ...any) *Error {
	return &Error{Status: status, Where: where, Message: fmt.Sprintf(format, args...)}
}

// toError maps any error to the one the client sees. Errors we do not know
// are internal: they are logged in full and shown as a generic message.
func (s *Server) toError(r *http.Request, err error) *Error {
	var e *Error
	var mb *http.MaxBytesError
	var se *codec.SyntaxError
	var de *jobs.DefinitionError
	var pe *jobs.PushError
	var ae *adhoc.InvalidError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &de):
		return Errorf(http.StatusBadRequest, "body", "%s", de.Error())
	case errors.As(err, &ae):
		return Errorf(http.StatusBadRequest, "body", "%s", ae.Error())
	case errors.As(err, &pe):
		return Errorf(http.StatusBadRequest, "body", "%s", pe.Error())
	case errors.Is(err, schedule.ErrNotAllowed):
		return Errorf(http.StatusConflict, "URL", "%v", err)
	case errors.Is(err, jobs.ErrNoJob):
		return Errorf(http.StatusNotFound, "URL", "no measurement job at %s", s.RequestIRI(r))
	case errors.As(err, &mb):
		return Errorf(http.StatusRequestEntityTooLarge, "body", "the request body is larger than the limit of %d bytes", mb.Limit)
	case errors.As(err, &se):
		return Errorf(http.StatusBadRequest, "body", "malformed %s: %s", se.Format.MediaType(), se.Error())
	case errors.Is(err, codec.ErrTooLarge):
		return Errorf(http.StatusRequestEntityTooLarge, "body", "the request body is too large: %v", err)
	case errors.Is(err, store.ErrNotFound):
		return Errorf(http.StatusNotFound, "URL", "no resource at %s", s.RequestIRI(r))
	case errors.Is(err, store.ErrPreconditionFailed):
		return Errorf(http.StatusPreconditionFailed, "header If-Match", "the resource has changed since the ETag %s was read; GET it again and retry", r.Header.Get("If-Match"))
	case errors.Is(err, store.ErrUnavailable):
		s.log.Error("store unavailable", "method", r.Method, "url", r.URL.String(), "err", err)
		e := Errorf(http.StatusServiceUnavailable, "", "the provider's database is unavailable; retry in a few seconds")
		e.Header = http.Header{"Retry-After": []string{"5"}}
		return e
	case errors.Is(err, store.ErrExists):
		return Errorf(http.StatusConflict, "URL", "a resource already exists at %s", s.RequestIRI(r))
	}
	s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "url", r.URL.String(), "err", err)
	return &Error{Status: http.StatusInternalServerError, Message: "internal server error; the provider's log has the details"}
}

// WriteError writes err as an oslc:Error in the negotiated format (RDF/XML
// when the client accepts nothing we offer).
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := s.toError(r, err)
	w.Header().Del("ETag") // an error is no representation of the resource
	for k, v := range e.Header {
		w.Header()[k] = v
	}
	if e.ConstrainedBy != "" {
		w.Header().Add("Link", "<"+e.ConstrainedBy+`>; rel="`+relConstrainedBy+`"`)
	}
	rep, ok := negotiate(r)
	if !ok {
		rep = offered[0]
	}
	node, _ := rdf.NewBlank("error")
	msg := clientText(e.Error())
	g := []rdf.Triple{
		{Subj: node, Pred: vocab.RDFType, Obj: vocab.OSLCError},
		{Subj: node, Pred: vocab.OSLCStatusCode, Obj: rdf.NewTypedLiteral(strconv.Itoa(e.Status), vocab.XSDString)},
		{Subj: node, Pred: vocab.OSLCMessage, Obj: rdf.NewTypedLiteral(msg, vocab.XSDString)},
	}
	if e.Where != "" {
		ext, _ := rdf.NewBlank("where")
		g = append(g,
			rdf.Triple{Subj: node, Pred: vocab.OSLCExtendedError, Obj: ext},
			rdf.Triple{Subj: ext, Pred: vocab.RDFType, Obj: vocab.OSLCExtendedErrorClass},
			rdf.Triple{Subj: ext, Pred: vocab.OSLCMoreInfo, Obj: s.RequestIRI(r)},
			rdf.Triple{Subj: ext, Pred: vocab.DCDescription, Obj: rdf.NewTypedLiteral("in "+e.Where, vocab.XSDString)},
		)
	}
	s.writeGraph(w, r, rep, e.Status, node, g, "Error "+strconv.Itoa(e.Status), nil)
}

// maxMessage bounds an error message: messages quote parts of the
// request, which may be huge.
const maxMessage = 4 << 10

// clientText makes a message quoting the request fit an oslc:Error in
// every format: invalid UTF-8 and the characters XML 1.0 cannot hold are
// written as escapes (\xff, \u0001), and it is cut at maxMessage bytes.
func clientText(s string) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= maxMessage {
			fmt.Fprintf(&b, "... (%d bytes in all)", len(s))
			break
		}
		switch _, w := utf8.DecodeRuneInString(s[i:]); {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000:
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
