package oslc

import (
	"context"
	"net/http"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// The other faces of the provider (TM Forum TMF628, MEF Legato) write the
// same resources as the OSLC API: these methods give them the creation
// factory's and PUT's own steps, so that a job made through any face is
// the same resource, with the same server-managed properties and checks.

// CreateMember creates a member of k from g, which describes root (any
// subject; it is renamed to the new member's IRI, and its nested nodes
// inside it, as a POST's body is), on behalf of who.
func (s *Server) CreateMember(ctx context.Context, k *Kind, root rdf.Subject, g []rdf.Triple, who string) (rdf.IRI, []rdf.Triple, string, error) {
	if !k.Creatable() {
		return rdf.IRI{}, nil, "", Errorf(http.StatusMethodNotAllowed, "URL", "%s has no creation factory", k.Path())
	}
	ident := s.newID()
	id := s.iri(k.Path() + "/" + ident)
	g = relabel(g, root, id, k.fragments, map[string]bool{})
	if err := checkSubjects(g, id); err != nil {
		return id, nil, "", err
	}
	kept := make([]rdf.Triple, 0, len(g)+8)
	hasType := false
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) {
			if isServerManaged(k, t.Pred.String()) || t.Pred == vocab.DCCreator {
				continue
			}
			hasType = hasType || t.Pred == vocab.RDFType
		}
		kept = append(kept, t)
	}
	if !hasType && k.Implied != (rdf.IRI{}) {
		kept = append(kept, rdf.Triple{Subj: id, Pred: vocab.RDFType, Obj: k.Implied})
	}
	now := s.now()
	kept = append(kept, s.serverProps(id, k.Shape.Name, now, now, ident)...)
	kept = append(kept, rdf.Triple{Subj: id, Pred: vocab.DCCreator, Obj: vocab.Str(who)})
	out, etag, err := k.create(ctx, &newMember{id: id, ident: ident, g: kept, now: now, who: who})
	return id, out, etag, err
}

// ReplaceMember replaces member id of k with g, if its ETag is ifMatch,
// as a PUT does: read-only properties left out are kept, and one changed
// is a conflict.
func (s *Server) ReplaceMember(ctx context.Context, k *Kind, id rdf.IRI, g []rdf.Triple, ifMatch, who string) ([]rdf.Triple, string, error) {
	if !k.Replaceable() {
		return nil, "", Errorf(http.StatusMethodNotAllowed, "URL", "members of %s cannot be replaced", k.Path())
	}
	old, etag, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if ifMatch != "" && !etagMatch(ifMatch, etag) {
		return nil, "", Errorf(http.StatusPreconditionFailed, "header If-Match", "the resource has changed: its ETag is %s, not %s", etag, ifMatch)
	}
	if err := checkSubjects(g, id); err != nil {
		return nil, "", err
	}
	g, conflict := mergeReadOnly(k, id, old, g, s.now())
	g = dedupe(g)
	if k.validate != nil {
		if err := k.validate(id, g); err != nil {
			return nil, "", err
		}
	}
	if conflict != nil {
		return nil, "", conflict
	}
	return k.replace(ctx, id, g, etag, who)
}

// Member returns the stored graph of id and its ETag.
func (s *Server) Member(ctx context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	return s.store.Get(ctx, id)
}

// ErrorOf maps err to the status and message the client of r is told,
// as WriteError does; unknown errors are logged and shown as a generic
// message.
func (s *Server) ErrorOf(r *http.Request, err error) *Error { return s.toError(r, err) }

// Who names the client of r for audit trails: its principal.
func Who(r *http.Request) string { return who(r) }
