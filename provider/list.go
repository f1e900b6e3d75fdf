package provider

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// DefaultPageSize is the page size of a query base when the client asks
// for paging without a size, or the result is large.
const DefaultPageSize = 100

// MaxPageSize bounds oslc.pageSize.
const MaxPageSize = 10000

// handleList answers GET on a query base: the members of the kind, in
// creation order, as the OSLC 2.0 result (the query base as subject with
// rdfs:member) with an oslc:ResponseInfo. Paging resumes after the last
// member of the previous page, so it is stable while records are added.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request, k *kind) {
	q := r.URL.Query()
	for _, p := range []string{"oslc.where", "oslc.select", "oslc.orderBy", "oslc.searchTerms", "oslc.properties"} {
		if q.Has(p) {
			s.writeError(w, r, errorf(http.StatusNotImplemented, "parameter "+p, "%s is not supported by this query base yet", p))
			return
		}
	}
	size := DefaultPageSize
	if v := q.Get("oslc.pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			s.writeError(w, r, errorf(http.StatusBadRequest, "parameter oslc.pageSize", "oslc.pageSize must be an integer from 1 to %d, not %q", MaxPageSize, v))
			return
		}
		size = n
	}
	prefix := s.URL(k.path) + "/"
	after := prefix
	if v := q.Get("after"); v != "" {
		after = prefix + v
	}
	startIRI, err := rdf.NewIRI(after)
	if err != nil {
		s.writeError(w, r, errorf(http.StatusBadRequest, "parameter after", "bad page token %q", q.Get("after")))
		return
	}
	var members []rdf.IRI
	more := false
	err = s.store.Resources(r.Context(), startIRI, func(id rdf.IRI) bool {
		if !strings.HasPrefix(id.String(), prefix) {
			return false
		}
		if id.String() == after || strings.Contains(id.String(), "#") {
			return true
		}
		if len(members) == size {
			more = true
			return false
		}
		members = append(members, id)
		return true
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	total := 0
	err = s.store.Resources(r.Context(), s.iri(k.path+"/"), func(id rdf.IRI) bool {
		if !strings.HasPrefix(id.String(), prefix) {
			return false
		}
		total++
		return true
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.iri(k.path)
	page := s.requestPageIRI(r)
	var g graph
	for _, m := range members {
		g.add(base, vocab.RDFSMember, m)
	}
	g.add(page, vocab.RDFType, oslc("ResponseInfo"))
	g.add(page, vocab.DCTitle, xmlLiteral(k.title))
	g.add(page, oslc("totalCount"), rdf.NewTypedLiteral(strconv.Itoa(total), vocab.XSDInteger))
	if more {
		next := url.Values{}
		for key, vals := range q {
			next[key] = vals
		}
		next.Set("after", strings.TrimPrefix(members[len(members)-1].String(), prefix))
		next.Set("oslc.paging", "true")
		next.Set("oslc.pageSize", strconv.Itoa(size))
		g.add(page, oslc("nextPage"), s.iri(k.path+"?"+next.Encode()))
	}
	s.respond(w, r, http.StatusOK, base, g, k.title)
}

// requestPageIRI is the IRI of the requested page, query included.
func (s *Server) requestPageIRI(r *http.Request) rdf.IRI {
	id := s.requestIRI(r).String()
	if r.URL.RawQuery != "" {
		id += "?" + r.URL.RawQuery
	}
	i, err := rdf.NewIRI(id)
	if err != nil {
		return s.requestIRI(r)
	}
	return i
}
