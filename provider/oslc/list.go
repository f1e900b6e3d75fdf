package oslc

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

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

// PageParam carries the paging cursor in next-page links.
const PageParam = "oslc.pageToken"

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

// ParseQuery reads the OSLC query parameters of a request.
func ParseQuery(q url.Values) (*query.Query, error) {
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

// QueryError maps the query package's errors to what the client is told.
func QueryError(err error) error {
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
		where = "parameter " + PageParam
	}
	return &Error{Status: status, Where: where, Message: qe.Error()}
}

// List answers GET on a query base with the OSLC query parameters:
// the members as the OSLC 2.0 result (the query base as subject with
// rdfs:member, plus the selected properties of each member) and an
// oslc:ResponseInfo with oslc:totalCount and oslc:nextPage.
func (s *Server) List(k *Kind) Handler {
	return func(r *http.Request) (*Response, error) { return s.list(r, k) }
}

func (s *Server) list(r *http.Request, k *Kind) (*Response, error) {
	q := r.URL.Query()
	qq, err := ParseQuery(q)
	if err != nil {
		return nil, QueryError(err)
	}
	size := DefaultPageSize
	if v := q.Get("oslc.pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return nil, Errorf(http.StatusBadRequest, "parameter oslc.pageSize", "oslc.pageSize must be an integer from 1 to %d, not %q", MaxPageSize, v)
		}
		size = n
	}
	release, err := s.admit(r.Context(), size)
	if err != nil {
		return nil, err
	}
	resp, err := s.page(r, k, q, qq, size)
	if err != nil {
		release()
		return nil, err
	}
	resp.release = release
	return resp, nil
}

// admit waits, for at most QueryWait, until a page of size members fits
// in the query budget, and returns the function that gives its share
// back. Pages cost memory in proportion to their members (a page of
// 10,000 with oslc.select=* is about 128 MB until written): the budget
// bounds what concurrent queries hold, and a query that does not fit in
// time is told to come back (503, Retry-After).
func (s *Server) admit(ctx context.Context, size int) (release func(), err error) {
	w := int64(size)
	ctx, cancel := context.WithTimeout(ctx, s.queryWait)
	defer cancel()
	if err := s.budget.Acquire(ctx, w); err != nil {
		if ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			return nil, err // the client is gone
		}
		e := Errorf(http.StatusServiceUnavailable, "parameter oslc.pageSize", "too many large queries at once: retry in a second, or ask for a smaller oslc.pageSize")
		e.Header = http.Header{"Retry-After": []string{"1"}}
		return nil, e
	}
	return func() { s.budget.Release(w) }, nil
}

// QueryWait is how long a query waits for its share of the budget.
const QueryWait = 2 * time.Second

func (s *Server) page(r *http.Request, k *Kind, q url.Values, qq *query.Query, size int) (*Response, error) {
	// The total is counted on the first page only: it costs a full
	// evaluation, and later pages are for members.
	after := q.Get(PageParam)
	res, err := s.run(r.Context(), k, qq, query.Page{Size: size, After: after, NoTotal: after != ""})
	if err != nil {
		return nil, QueryError(err)
	}
	base := s.iri(k.Path())
	page := s.RequestPageIRI(r)
	var g Graph
	for _, m := range res.Members {
		g.Add(base, vocab.RDFSMember, m.ID)
		g = append(g, m.Triples...)
		if res.Scored {
			g = append(g, m.ScoreTriple())
		}
	}
	g.Add(page, vocab.RDFType, vocab.OSLCTerm("ResponseInfo"))
	g.Add(page, vocab.DCTitle, vocab.XMLLiteral(k.Title))
	if res.Total >= 0 {
		g.Add(page, vocab.OSLCTerm("totalCount"), rdf.NewTypedLiteral(strconv.Itoa(res.Total), vocab.XSDInteger))
	}
	if res.Next != "" {
		next := url.Values{}
		for key, vals := range q {
			next[key] = vals
		}
		next.Set(PageParam, res.Next)
		next.Set("oslc.paging", "true")
		next.Set("oslc.pageSize", strconv.Itoa(size))
		g.Add(page, vocab.OSLCTerm("nextPage"), s.iri(k.Path()+"?"+next.Encode()))
	}
	return ok(base, g, k.Title), nil
}

// Query runs q on k's members, for a page of size members, uncounted:
// what k's query base answers, for callers that build queries as values.
func (s *Server) Query(ctx context.Context, k *Kind, q *query.Query, size int) (*query.Result, error) {
	return s.run(ctx, k, q, query.Page{Size: size, NoTotal: true})
}

// run answers q on k's members: exactly the resources stored under its
// query base.
func (s *Server) run(ctx context.Context, k *Kind, q *query.Query, page query.Page) (*query.Result, error) {
	var res *query.Result
	err := s.store.View(ctx, func(src query.Source) error {
		var err error
		res, err = query.Run(ctx, src, query.Scope{Prefix: s.URL(k.Path()) + "/"}, q, page)
		return err
	})
	return res, err
}
