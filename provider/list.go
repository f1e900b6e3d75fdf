package provider

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// DefaultPageSize is the page size of a query base when the client asks
// for no size: results are always paged, so a large one stays cheap.
const DefaultPageSize = 100

// MaxPageSize bounds oslc.pageSize.
const MaxPageSize = 10000

// pageParam carries the paging cursor in next-page links.
const pageParam = "oslc.pageToken"

// prefixes returns the prefixes in force for a request: the provider's,
// plus those of oslc.prefix.
func prefixes(q url.Values) (map[string]string, error) {
	m := parser.DefaultPrefixes()
	if v := q.Get("oslc.prefix"); v != "" {
		ps, err := parser.ParsePrefixes(v)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			m[p.Prefix] = p.IRI
		}
	}
	return m, nil
}

// parseQuery reads the OSLC query parameters of a request.
func parseQuery(q url.Values) (*query.Query, error) {
	pm, err := prefixes(q)
	if err != nil {
		return nil, err
	}
	var qq query.Query
	if v := q.Get("oslc.where"); v != "" {
		if qq.Where, err = parser.ParseWhere(v, pm); err != nil {
			return nil, err
		}
	}
	if v := q.Get("oslc.select"); v != "" {
		if qq.Select, err = parser.ParseSelect(v, pm); err != nil {
			return nil, err
		}
	}
	if v := q.Get("oslc.orderBy"); v != "" {
		if qq.OrderBy, err = parser.ParseOrderBy(v, pm); err != nil {
			return nil, err
		}
	}
	if v := q.Get("oslc.searchTerms"); v != "" {
		if qq.SearchTerms, err = parser.ParseSearchTerms(v); err != nil {
			return nil, err
		}
	}
	return &qq, nil
}

// queryError maps the query package's errors to what the client is told.
func queryError(err error) error {
	var qe *query.Error
	if !errors.As(err, &qe) {
		return err
	}
	status := http.StatusBadRequest
	if errors.Is(err, query.ErrUnsupported) {
		status = http.StatusNotImplemented
	}
	where := "parameter " + qe.Param
	if qe.Param == "page cursor" {
		where = "parameter " + pageParam
	}
	return &Error{Status: status, Where: where, Message: qe.Error()}
}

// handleList answers GET on a query base with the OSLC query parameters:
// the members as the OSLC 2.0 result (the query base as subject with
// rdfs:member, plus the selected properties of each member) and an
// oslc:ResponseInfo with oslc:totalCount and oslc:nextPage.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request, k *kind) {
	q := r.URL.Query()
	qq, err := parseQuery(q)
	if err != nil {
		s.writeError(w, r, queryError(err))
		return
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
	// The members are exactly the resources stored under the query base.
	scope := query.Scope{Prefix: s.URL(k.path) + "/"}
	var res *query.Result
	err = s.store.View(r.Context(), func(src query.Source) error {
		var err error
		// The total is counted on the first page only: it costs a full
		// evaluation, and later pages are for members.
		after := q.Get(pageParam)
		res, err = query.Run(r.Context(), src, scope, qq, query.Page{Size: size, After: after, NoTotal: after != ""})
		return err
	})
	if err != nil {
		s.writeError(w, r, queryError(err))
		return
	}
	base := s.iri(k.path)
	page := s.requestPageIRI(r)
	var g graph
	for _, m := range res.Members {
		g.add(base, vocab.RDFSMember, m.ID)
		g = append(g, m.Triples...)
		if res.Scored {
			g = append(g, m.ScoreTriple())
		}
	}
	g.add(page, vocab.RDFType, oslc("ResponseInfo"))
	g.add(page, vocab.DCTitle, xmlLiteral(k.title))
	if res.Total >= 0 {
		g.add(page, oslc("totalCount"), rdf.NewTypedLiteral(strconv.Itoa(res.Total), vocab.XSDInteger))
	}
	if res.Next != "" {
		next := url.Values{}
		for key, vals := range q {
			next[key] = vals
		}
		next.Set(pageParam, res.Next)
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
