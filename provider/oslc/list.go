package oslc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// DefaultPageSize is the page size of a query base when the client asks
// for no size: results are always paged, so a large one stays cheap.
const DefaultPageSize = 100

// MaxPageSize caps oslc.pageSize, which is a hint.
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

// List answers GET on a query base with the OSLC query parameters: an
// LDP basic container whose members, as rdfs:member (OSLC 2.0) and
// ldp:contains, are a page of the result, with the selected properties of
// each, and an oslc:ResponseInfo with oslc:totalCount and oslc:nextPage.
// With an order (oslc.orderBy or oslc.searchTerms), each member has its
// oslc:order: RDF keeps no order of triples, and Turtle and RDF/XML
// writers sort them. Prefer include values are honoured: PreferDialog
// adds the kind's dialog descriptors, PreferMinimalContainer leaves the
// members out.
func (s *Server) List(k *Kind) Handler {
	return func(r *http.Request) (*Response, error) { return s.list(r, k, r.URL.Query()) }
}

// FormQuery answers POST on a query base of a form holding query
// parameters (OSLC Query 3.0, Using a Query Capability): the same answer
// as a GET with them, about the GET's URL, which Content-Location gives.
// Parameters of the body override those of the URL.
func (s *Server) FormQuery(k *Kind) Handler {
	return func(r *http.Request) (*Response, error) {
		if !isForm(r) {
			return nil, Errorf(http.StatusUnsupportedMediaType, "header Content-Type", "%s takes only queries, as %s; media type %q is not accepted", s.iri(k.Path()), formMediaType, r.Header.Get("Content-Type"))
		}
		if err := r.ParseForm(); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, err
			}
			return nil, Errorf(http.StatusBadRequest, "body", "the form is malformed: %v", err)
		}
		q := r.URL.Query()
		for key, v := range r.PostForm {
			q[key] = v
		}
		get := r.Clone(r.Context())
		get.URL.RawQuery = q.Encode()
		resp, err := s.list(get, k, q)
		if err == nil {
			resp.Header.Set("Content-Location", s.RequestPageIRI(get).String())
		}
		return resp, err
	}
}

func (s *Server) list(r *http.Request, k *Kind, q url.Values) (*Response, error) {
	prefs := preferred(r)
	if prefs[PreferMinimalContainer] {
		var g Graph
		g.Add(s.iri(k.Path()), vocab.RDFType, vocab.LDPBasicContainer)
		g.Add(s.iri(k.Path()), vocab.DCTitle, vocab.XMLLiteral(k.Title))
		return s.container(ok(s.iri(k.Path()), g, k.Title), k, prefs), nil
	}
	// The page may have been written before in the same state of the
	// store (repcache.go); a POSTed query is not kept.
	var cacheKey func(representation) string
	if s.version != nil && s.reps != nil && r.Method == http.MethodGet {
		version, prefer, uri := s.version(), r.Header.Values("Prefer"), r.URL.RequestURI()
		cacheKey = func(rep representation) string { return pageKey(version, rep, prefer, uri) }
		if rep, ok := negotiate(r); ok {
			if c := s.reps.get(cacheKey(rep)); c != nil {
				return s.container(&Response{Status: http.StatusOK, cached: c}, k, prefs), nil
			}
		}
	}
	qq, err := ParseQuery(q)
	if err != nil {
		return nil, QueryError(err)
	}
	size, capped, err := pageSize(q.Get("oslc.pageSize"))
	if err != nil {
		return nil, err
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
	if capped {
		resp.Graph = append(resp.Graph, rdf.Triple{Subj: s.RequestPageIRI(r), Pred: vocab.DCDescription,
			Obj: vocab.Str(fmt.Sprintf("oslc.pageSize is above the maximum, %d: pages hold at most %d members.", MaxPageSize, MaxPageSize))})
	}
	resp.release = release
	resp.cacheKey = cacheKey
	return s.container(resp, k, prefs), nil
}

// pageSize reads oslc.pageSize, a hint (OSLC Core 3.0, Resource Paging):
// a positive integer, of which one above MaxPageSize is capped, and
// capped says so.
func pageSize(v string) (size int, capped bool, err error) {
	if v == "" {
		return DefaultPageSize, false, nil
	}
	digits := strings.Trim(v, "0123456789") == ""
	n, perr := strconv.Atoi(v)
	switch {
	case digits && (perr != nil || n > MaxPageSize):
		return MaxPageSize, true, nil
	case perr == nil && n >= 1:
		return n, false, nil
	}
	return 0, false, Errorf(http.StatusBadRequest, "parameter oslc.pageSize", "oslc.pageSize must be a positive integer (pages hold at most %d members), not %q", MaxPageSize, v)
}

// container adds to resp, an answer about k's query base, what says it
// is an LDP container (ContainerHeader) and what prefs ask of it.
func (s *Server) container(resp *Response, k *Kind, prefs map[string]bool) *Response {
	resp.Header = s.ContainerHeader(k)
	// Prefer selects what the answer holds (Delegated Dialogs: SHOULD
	// vary on it where there are dialogs; LDP: minimal containers).
	resp.Header.Add("Vary", "Prefer")
	applied := prefs[PreferMinimalContainer]
	if prefs[PreferDialog] && len(k.Dialogs) > 0 {
		g := Graph(resp.Graph)
		base := s.iri(k.Path())
		for i := range k.Dialogs {
			d := &k.Dialogs[i]
			prop := "selectionDialog"
			if d.Action == "create" {
				prop = "creationDialog"
			}
			id := s.iri(dialogPath(k, d))
			g.Add(base, vocab.OSLCTerm(prop), id)
			s.describeDialog(&g, id, k, d)
		}
		resp.Graph = g
		applied = true
	}
	if applied {
		resp.Header.Set("Preference-Applied", "return=representation")
	}
	return resp
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
	after, offset, err := pageToken(q.Get(PageParam))
	if err != nil {
		return nil, err
	}
	// The total is counted on the first page only: it costs a full
	// evaluation, and later pages are for members.
	res, err := s.run(r.Context(), k, qq, query.Page{Size: size, After: after, NoTotal: after != ""})
	if err != nil {
		return nil, QueryError(err)
	}
	base := s.iri(k.Path())
	page := s.RequestPageIRI(r)
	ordered := qq.OrderBy != nil || len(qq.SearchTerms) > 0
	var g Graph
	g.Add(base, vocab.RDFType, vocab.LDPBasicContainer)
	for i, m := range res.Members {
		g.Add(base, vocab.RDFSMember, m.ID)
		g.Add(base, vocab.LDPContains, m.ID)
		g = append(g, m.Triples...)
		if res.Scored {
			g = append(g, m.ScoreTriple())
		}
		if ordered {
			// OSLC Query 3.0, oslc.orderBy: positive, and increasing
			// from page to page.
			g.Add(m.ID, oslcOrder, rdf.NewTypedLiteral(strconv.Itoa(offset+i+1), vocab.XSDInteger))
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
		next.Set(PageParam, strconv.Itoa(offset+len(res.Members))+"."+res.Next)
		next.Set("oslc.paging", "true")
		next.Set("oslc.pageSize", strconv.Itoa(size))
		g.Add(page, vocab.OSLCTerm("nextPage"), s.iri(k.Path()+"?"+next.Encode()))
	}
	return ok(base, g, k.Title), nil
}

var oslcOrder = vocab.OSLCTerm("order")

// pageToken reads a page token: the members on the pages before it, a
// dot, and the query's cursor. A bare cursor has none before it.
func pageToken(v string) (cursor string, offset int, err error) {
	n, cursor, found := strings.Cut(v, ".")
	if !found {
		return v, 0, nil
	}
	if offset, err = strconv.Atoi(n); err != nil || offset < 0 || cursor == "" {
		return "", 0, Errorf(http.StatusBadRequest, "parameter "+PageParam, "the page token is malformed: follow an oslc:nextPage link as it is")
	}
	return cursor, offset, nil
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
