package oslc

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/adhoc"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Each kind's query base, which is also its creation factory, is an LDP
// basic container of the kind's members (OSLC Core 3.0 builds on LDP, and
// OSLC Query 3.0 results SHOULD be an LDPC). These are the link relations
// that say so.
const (
	relType          = "type"
	relResourceType  = "http://open-services.net/ns/core#resourceType"
	relConstrainedBy = "http://www.w3.org/ns/ldp#constrainedBy"
	relSelection     = "http://open-services.net/ns/core#selectionDialog"
	relCreation      = "http://open-services.net/ns/core#creationDialog"
)

// formMediaType is how a query is POSTed to a query base (OSLC Query 3.0).
const formMediaType = "application/x-www-form-urlencoded"

func link(target, rel string) string { return "<" + target + `>; rel="` + rel + `"` }

// ContainerHeader returns the headers of an answer about k's query base
// (LDP 4.2.1.4 and 5.2.1.4; OSLC Core 3.0 Discovery, Resource Creation
// Discovery): it is an LDP basic container; its members have k's resource
// types; k's shape constrains them; and POST takes a query as a form and,
// if k has a creation factory, a new member in any RDF syntax we read.
func (s *Server) ContainerHeader(k *Kind) http.Header {
	h := http.Header{}
	for _, t := range []string{vocab.LDPResource.String(), vocab.LDPContainer.String(), vocab.LDPBasicContainer.String()} {
		h.Add("Link", link(t, relType))
	}
	for _, t := range k.Types {
		h.Add("Link", link(t.String(), relResourceType))
	}
	h.Add("Link", link(s.shapeURL(k), relConstrainedBy))
	accept := formMediaType
	if k.Creatable() {
		accept = acceptedInput + ", " + accept
	}
	h.Set("Accept-Post", accept)
	return h
}

// DialogLinks returns the Link header values of k's delegated dialogs
// (OSLC Core 3.0 Delegated Dialogs, Discovery), for an OPTIONS answer: the
// UI adds them to the others.
func (s *Server) DialogLinks(k *Kind) []string {
	var out []string
	for _, d := range k.Dialogs {
		rel := relSelection
		if d.Action == "create" {
			rel = relCreation
		}
		out = append(out, link(s.URL(dialogPath(k, &d)), rel))
	}
	return out
}

func dialogPath(k *Kind, d *Dialog) string { return "/oslc/dialogs/" + d.Action + "/" + k.Name }

// shapeURL is the URL of the shape of k's members.
func (s *Server) shapeURL(k *Kind) string { return s.URL("/oslc/shapes/" + k.Shape.Name) }

// resultShapeURL is the URL of the shape of k's query results.
func (s *Server) resultShapeURL(k *Kind) string {
	return s.URL("/oslc/shapes/" + shapes.ResultOf(k.Shape).Name())
}

// conform wraps k's writes in what every kind shares: a write refused for
// breaking k's shape or definition names the shape (OSLC Core 3.0
// Discovery: Link rel="http://www.w3.org/ns/ldp#constrainedBy" on a POST or
// PUT that did not satisfy it), and the store compares If-Match as the
// state's tag, whichever representation's tag the client sent (etag.go).
func (s *Server) conform(k *Kind) {
	shape := s.shapeURL(k)
	if v := k.validate; v != nil {
		k.validate = func(id rdf.IRI, g []rdf.Triple) error { return constrained(v(id, g), shape) }
	}
	if c := k.create; c != nil {
		k.create = func(ctx context.Context, n *newMember) ([]rdf.Triple, string, error) {
			g, etag, err := c(ctx, n)
			return g, etag, constrained(err, shape)
		}
	}
	if rp := k.replace; rp != nil {
		k.replace = func(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch, who string) ([]rdf.Triple, string, error) {
			out, etag, err := rp(ctx, id, g, storeIfMatch(ifMatch), who)
			return out, etag, constrained(err, shape)
		}
	}
	if rm := k.remove; rm != nil {
		k.remove = func(ctx context.Context, id rdf.IRI, ifMatch, who string) error {
			return rm(ctx, id, storeIfMatch(ifMatch), who)
		}
	}
}

// constrained returns err, if it says the input breaks a shape or a
// definition, as a 400 that links shape.
func constrained(err error, shape string) error {
	if err == nil {
		return nil
	}
	var e *Error
	var de *jobs.DefinitionError
	var ae *adhoc.InvalidError
	switch {
	case errors.As(err, &e):
		if e.Status != http.StatusBadRequest {
			return err
		}
		c := *e
		c.ConstrainedBy = shape
		return &c
	case errors.As(err, &de):
		e = Errorf(http.StatusBadRequest, "body", "%s", de.Error())
	case errors.As(err, &ae):
		e = Errorf(http.StatusBadRequest, "body", "%s", ae.Error())
	default:
		return err
	}
	e.ConstrainedBy = shape
	return e
}

// isForm says whether r's body is a form (a POSTed query).
func isForm(r *http.Request) bool {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), formMediaType)
}

// IsFormQuery says whether r POSTs a query to a query base as a form
// (OSLC Query 3.0), rather than a new member to its creation factory.
func IsFormQuery(r *http.Request) bool { return r.Method == http.MethodPost && isForm(r) }
