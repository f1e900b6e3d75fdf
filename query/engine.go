package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Scope is what a query base answers for. Its members are the IRIs that
// start with Prefix and have one of Types as rdf:type; with no Types, the
// stored resources (Source.Resources) whose IRI starts with Prefix.
type Scope struct {
	Types  []rdf.IRI
	Prefix string
}

// Query is the parsed parameters of a query. A nil part is absent: no
// Where matches every member, no Select returns no properties, no OrderBy
// orders by member IRI, and no SearchTerms does not search.
type Query struct {
	Where       *parser.Where
	Select      *parser.Selection
	OrderBy     *parser.OrderBy
	SearchTerms parser.SearchTerms
}

// Page asks for one page of the result.
type Page struct {
	Size    int    // members per page; 0 or less: all members, one page
	After   string // Result.Next of the previous page; "" for the first
	NoTotal bool   // skip counting the members (Result.Total is -1): faster
}

// Result is one page of members.
type Result struct {
	Members []Member
	Total   int    // members of the whole result; -1 with Page.NoTotal
	Next    string // cursor of the next page, for Page.After; "" on the last
	Scored  bool   // the members have scores (oslc.searchTerms)
}

// Member is a member of the result with its selected properties.
type Member struct {
	ID      rdf.IRI
	Score   float64      // oslc:score, 0 to 100, with oslc.searchTerms
	Triples []rdf.Triple // what oslc.select selects; none without it
}

// ScoreTriple is the member's oslc:score as a triple, its value an
// xsd:double, for a result with Scored set.
func (m Member) ScoreTriple() rdf.Triple {
	lex := strconv.FormatFloat(m.Score, 'E', -1, 64)
	return rdf.Triple{Subj: m.ID, Pred: oslcScore, Obj: rdf.NewTypedLiteral(lex, vocab.XSDDouble)}
}

// Run answers q for the members of scope, one page at a time. Members are
// ordered by score (with search terms), then q.OrderBy, then IRI, a total
// order; following Next visits every member exactly once, also while
// resources are created between pages. See doc.go for the semantics and
// the plans.
//
// src is read through Source alone, or, if it is an Accelerator, also
// through the Features it names (asserted once, here).
//
// Errors in q are *Error: ErrUnsupported for what the engine does not
// answer, ErrCursor for a bad page.After; errors of src are returned
// wrapped.
func Run(ctx context.Context, src Source, scope Scope, q *Query, page Page) (*Result, error) {
	if q == nil {
		q = &Query{}
	}
	e := &eval{ctx: ctx, src: src, scope: scope, types: map[string]bool{}}
	if acc, ok := src.(Accelerator); ok {
		e.acc, e.feat = acc, acc.Features()
		if e.feat.Join {
			e.pairs, e.values = map[string][]string{}, map[string]bool{}
			for _, p := range acc.Pairs() {
				k, v := p.Key.String(), p.Value.String()
				e.pairs[k] = append(e.pairs[k], v)
				e.values[v] = true
			}
		}
	}
	for _, t := range scope.Types {
		e.types[t.String()] = true
	}
	var conds []*cond
	if q.Where != nil {
		var err error
		if conds, err = compileWhere(q.Where, 0); err != nil {
			return nil, err
		}
	}
	keys, err := compileOrder(q.OrderBy)
	if err != nil {
		return nil, err
	}
	if err := checkSelection(q.Select, 0); err != nil {
		return nil, err
	}
	r := &runner{eval: e, conds: conds, q: q, page: page}
	r.order = &order{keys: keys, scored: len(q.SearchTerms) > 0}
	if r.order.scored {
		r.tokens = searchTokens(q.SearchTerms)
	}
	fp := fingerprint(scope, conds, keys, r.tokens)
	if page.After != "" {
		c, err := decodeCursor(page.After)
		if err == nil && (c.fp != fp || len(c.row.keys) != len(keys) || (r.order.scored && len(c.idf) != len(r.tokens))) {
			err = fmt.Errorf("it was made for another query")
		}
		if err != nil {
			return nil, &Error{Param: "page cursor", Msg: fmt.Sprintf("invalid cursor %.40q: %v", page.After, err), Err: ErrCursor}
		}
		r.cur = c
	}
	res, last, err := r.run()
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if last != nil {
		res.Next = (&cursor{fp: fp, row: *last, idf: r.idf}).encode()
	}
	return res, nil
}

// runner is one Run.
type runner struct {
	*eval
	conds  []*cond
	q      *Query
	page   Page
	order  *order
	tokens []string
	cur    *cursor
	idf    []float64 // search weights of this result

	rs     ResourceSet // see resourceSet
	rsDone bool
}

// run finds the page, and the last row when another page follows.
func (r *runner) run() (*Result, *row, error) {
	res := &Result{Total: -1, Scored: r.order.scored}
	var rows []*row
	var err error
	n := r.page.Size
	if n <= 0 {
		n = -1
	}
	pushed := false
	if a, ok := r.src.(Answerer); ok {
		rows, res.Total, err = r.pushedPage(a, n)
		pushed = !errors.Is(err, ErrNotPushed)
	}
	switch {
	case pushed:
	case r.order.scored:
		rows, res.Total, err = r.searchPage(n)
	default:
		rows, res.Total, err = r.wherePage(n)
	}
	if err != nil {
		return nil, nil, err
	}
	if r.page.NoTotal {
		res.Total = -1
	}
	var last *row
	if n > 0 && len(rows) > n {
		rows = rows[:n]
		last = rows[n-1]
	}
	res.Members = make([]Member, len(rows))
	if sr, ok := r.src.(SubjectReader); ok && r.q.Select != nil && len(rows) > 1 {
		ids := make([]rdf.IRI, len(rows))
		for i, rw := range rows {
			ids[i] = rw.id
		}
		src, err := r.prefetch(sr, ids, r.q.Select)
		if err != nil {
			return nil, nil, err
		}
		sel := *r.eval
		sel.src = src
		r = &runner{eval: &sel, q: r.q}
	}
	for i, row := range rows {
		ts, err := r.selectTriples(row.id, r.q.Select)
		if err != nil {
			return nil, nil, err
		}
		res.Members[i] = Member{ID: row.id, Score: row.score, Triples: ts}
	}
	return res, last, nil
}

// wherePage finds the first n+1 members after the cursor (all if n < 0),
// and the total unless NoTotal, choosing between a scan of the driver's
// candidates and a walk in sort order (doc.go, "Planner").
func (r *runner) wherePage(n int) ([]*row, int, error) {
	if n >= 0 {
		rs, ok, err := r.resourceSet()
		if err != nil {
			return nil, 0, err
		}
		if ok {
			return r.setPage(rs, n)
		}
	}
	np, err := r.plan(r.conds, nil, true)
	if err != nil {
		return nil, 0, err
	}
	if np.set != nil && len(np.set.list) == 0 {
		return nil, 0, nil
	}
	keyed := len(r.order.keys) > 0
	switch {
	case n < 0:
	case keyed && r.walkable(np, n):
		key := r.order.keys[0]
		ok, err := r.rangeOnly(key.path[len(key.path)-1])
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			break
		}
		rows, ok, err := r.walkRange(np, nil, n, 0)
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			break // too few members on the way: scan instead
		}
		total := -1
		if !r.page.NoTotal {
			total, err = r.count(np)
		}
		return rows, total, err
	}
	switch {
	case n >= 0 && !keyed && r.everything(np):
		// The page is the first members in IRI order, and the total a
		// count of the resources under the prefix.
		rows, err := r.walkIRIs(np, n)
		if err != nil || r.page.NoTotal {
			return rows, -1, err
		}
		total, err := r.count(np)
		return rows, total, err
	case n < 0 || !r.page.NoTotal:
		return r.scan(np, n, nil)
	case np.driver != nil || np.set != nil:
		rows, err := r.lazyScan(np, n)
		return rows, -1, err
	case !keyed:
		rows, err := r.walkIRIs(np, n)
		return rows, -1, err
	}
	return r.scan(np, n, nil)
}

// lazyScan finds the first n+1 members after the cursor without a total:
// it lists the driver's candidates, orders them, and checks them in that
// order until it has n+1, so that candidates after the page are never
// checked.
func (r *runner) lazyScan(np *nodePlan, n int) ([]*row, error) {
	var cands []*row
	var ferr error
	add := func(s rdf.Subject, resource bool) bool {
		id, ok := s.(rdf.IRI)
		if !ok || !strings.HasPrefix(id.String(), r.scope.Prefix) {
			return true
		}
		for _, f := range np.filters {
			if !f.has(s) {
				return true
			}
		}
		rw := &row{id: id, res: resource}
		if err := r.fillKeys(rw, r.order.keys); err != nil {
			ferr = err
			return false
		}
		if r.cur == nil || r.order.cmp(rw, &r.cur.row) > 0 {
			cands = append(cands, rw)
		}
		return true
	}
	if np.set != nil {
		for _, s := range np.set.list {
			if !add(s, np.set.resource(s)) {
				break
			}
		}
	} else {
		first := distinctFilter(np.driver)
		_, err := r.enumRes(np.driver, nil, true, func(s rdf.Subject, resource bool) bool {
			if _, ok := s.(rdf.IRI); !ok || !first(s) {
				return true
			}
			return add(s, resource)
		})
		if err != nil {
			return nil, err
		}
	}
	if ferr != nil {
		return nil, ferr
	}
	slices.SortFunc(cands, r.order.cmp)
	var out []*row
	for _, rw := range cands {
		ok, err := r.check(np, rw.id)
		if err == nil && ok {
			ok, err = r.inScope(rw.id, rw.res, false)
		}
		if err != nil {
			return nil, err
		}
		if ok {
			if out = append(out, rw); len(out) > n {
				break
			}
		}
	}
	return out, nil
}

// scan reads every member the plan finds, counts them, and keeps the n+1
// first after the cursor (all if n < 0). accept, if set, filters rows.
func (r *runner) scan(np *nodePlan, n int, accept func(*row) (bool, error)) ([]*row, int, error) {
	top := &topN{o: r.order, n: n + 1}
	if n < 0 {
		top.n = -1
	}
	total := 0
	err := r.members(np, func(id rdf.IRI) (bool, error) {
		rw := &row{id: id}
		if accept != nil {
			if ok, err := accept(rw); err != nil || !ok {
				return err == nil, err
			}
		}
		total++
		if err := r.fillKeys(rw, r.order.keys); err != nil {
			return false, err
		}
		if r.cur == nil || r.order.cmp(rw, &r.cur.row) > 0 {
			top.offer(rw)
		}
		return true, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return top.sorted(), total, nil
}

// everything reports whether the members are all the stored resources
// under the prefix: no conditions, no types.
func (r *runner) everything(np *nodePlan) bool {
	return np.driver == nil && np.set == nil && len(np.filters) == 0 && len(np.rest) == 0 && len(r.scope.Types) == 0
}

// count counts the members the plan finds.
func (r *runner) count(np *nodePlan) (int, error) {
	if r.everything(np) {
		return r.countResources()
	}
	if rs, ok, err := r.resourceSet(); ok || err != nil {
		if err != nil {
			return 0, err
		}
		_, total, err := r.acc.PageUnder(r.ctx, rs, PageOptions{Prefix: r.scope.Prefix, Count: true})
		return total, err
	}
	total := 0
	err := r.members(np, func(rdf.IRI) (bool, error) {
		total++
		return true, nil
	})
	return total, err
}

// members calls fn with each member for which the plan's conjunction
// holds, once, until fn returns false or an error.
func (r *runner) members(np *nodePlan, fn func(id rdf.IRI) (bool, error)) error {
	var ferr error
	visit := func(s rdf.Subject, resource, typed bool) bool {
		if id, ok := s.(rdf.IRI); !ok || !strings.HasPrefix(id.String(), r.scope.Prefix) {
			return true
		}
		ok, err := r.check(np, s)
		if err == nil && ok {
			ok, err = r.inScope(s, resource, typed)
		}
		if err == nil && ok {
			var more bool
			more, err = fn(s.(rdf.IRI))
			if err == nil && !more {
				return false
			}
		}
		if err != nil {
			ferr = err
			return false
		}
		return true
	}
	var err error
	switch {
	case np.set != nil:
		for _, s := range np.set.list {
			if !visit(s, np.set.resource(s), false) {
				break
			}
		}
	case np.driver != nil:
		first := distinctFilter(np.driver)
		_, err = r.enumRes(np.driver, nil, true, func(s rdf.Subject, resource bool) bool {
			if _, ok := s.(rdf.IRI); !ok || !first(s) {
				return true
			}
			return visit(s, resource, false)
		})
	case len(r.scope.Types) > 0:
		var seen *subjSet
		if len(r.scope.Types) > 1 {
			seen = newSubjSet()
		}
		for _, t := range r.scope.Types {
			stopped := false
			err = r.src.Match(r.ctx, nil, vocab.RDFType, t, func(tr rdf.Triple) bool {
				if seen != nil && !seen.add(tr.Subj) {
					return true
				}
				stopped = !visit(tr.Subj, false, true)
				return !stopped
			})
			if err != nil || stopped {
				break
			}
		}
	default:
		err = r.src.Resources(r.ctx, r.prefixIRI(), func(id rdf.IRI) bool {
			if !strings.HasPrefix(id.String(), r.scope.Prefix) {
				return false
			}
			return visit(id, true, true)
		})
	}
	if err == nil {
		err = ferr
	}
	return err
}

// countResources counts the stored resources under the prefix. When the
// source tells how many resources it holds, it counts those outside the
// prefix instead, before and after it in IRI order: usually few.
func (r *runner) countResources() (int, error) {
	walk := func(after rdf.IRI, stop func(id string) bool) (int, error) {
		n := 0
		err := r.src.Resources(r.ctx, after, func(id rdf.IRI) bool {
			if stop(id.String()) {
				return false
			}
			n++
			return true
		})
		return n, err
	}
	prefix := r.scope.Prefix
	end, endOK := prefixEnd(prefix)
	if !r.feat.Stats || !endOK {
		return walk(r.prefixIRI(), func(id string) bool { return !strings.HasPrefix(id, prefix) })
	}
	stats, err := r.acc.Stats(r.ctx)
	if err != nil {
		return 0, err
	}
	before, err := walk(rdf.IRI{}, func(id string) bool { return id >= prefix })
	if err != nil {
		return 0, err
	}
	// Resources starts after end: count end itself apart.
	after, err := walk(end, func(string) bool { return false })
	if err != nil {
		return 0, err
	}
	if ok, err := r.src.Exists(r.ctx, end); err != nil {
		return 0, err
	} else if ok {
		after++
	}
	return int(stats.Resources) - before - after, nil
}

// prefixEnd is the least IRI after every IRI that starts with prefix, if
// there is one: prefix with its last byte incremented. ok is false for an
// empty prefix, as all IRIs start with it.
func prefixEnd(prefix string) (end rdf.IRI, ok bool) {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] == 0xff {
			continue
		}
		e, err := rdf.NewIRI(prefix[:i] + string([]byte{prefix[i] + 1}))
		if err != nil {
			return rdf.IRI{}, false
		}
		return e, true
	}
	return rdf.IRI{}, false
}

// prefixIRI is where a walk of the resources under the prefix starts.
func (r *runner) prefixIRI() rdf.IRI {
	i, err := rdf.NewIRI(r.scope.Prefix)
	if err != nil {
		return rdf.IRI{}
	}
	return i
}

// walkIRIs finds the first n+1 members after the cursor in IRI order by
// walking the stored resources from there: for a result in default order
// without a total, when no condition is selective.
func (r *runner) walkIRIs(np *nodePlan, n int) ([]*row, error) {
	after := r.prefixIRI()
	if r.cur != nil && r.cur.row.id.String() > after.String() {
		after = r.cur.row.id
	}
	var rows []*row
	var ferr error
	err := r.src.Resources(r.ctx, after, func(id rdf.IRI) bool {
		if !strings.HasPrefix(id.String(), r.scope.Prefix) {
			return false
		}
		ok, err := r.check(np, id)
		if err == nil && ok && np.driver != nil {
			ok, err = r.holds(np.driver, id)
		}
		if err == nil && ok {
			ok, err = r.inScope(id, true, false)
		}
		if err != nil {
			ferr = err
			return false
		}
		if ok {
			rows = append(rows, &row{id: id})
		}
		return len(rows) <= n
	})
	if err == nil {
		err = ferr
	}
	return rows, err
}

// rangeOnly reports whether every value of p is a number or a dateTime, so
// that Range lists all of them in sort order. Match lists other values
// first (see Source), so the first value decides.
func (r *runner) rangeOnly(p rdf.IRI) (bool, error) {
	only := false
	err := r.src.Match(r.ctx, nil, p, nil, func(t rdf.Triple) bool {
		c := classify(t.Obj).cls
		only = c == clsNumber || c == clsDateTime
		return false
	})
	return only, err
}

// Bounds that include every number or every dateTime:
// literal.DateTimeValue clamps the years.
var (
	allNumbersLo = rdf.NewTypedLiteral("-INF", vocab.XSDDouble)
	allNumbersHi = rdf.NewTypedLiteral("INF", vocab.XSDDouble)
	allDatesLo   = rdf.NewTypedLiteral("-1000000-01-01T00:00:00Z", vocab.XSDDateTime)
	allDatesHi   = rdf.NewTypedLiteral("1000000-01-01T00:00:00Z", vocab.XSDDateTime)
)

// segment is one Range scan of walkRange.
type segment struct {
	lo, hi *rdf.Literal
	opt    RangeOptions
}

// segments are the Range scans that visit the values of the first sort key
// from the cursor on, in sort order: numbers before dateTimes ascending.
func (r *runner) segments() []segment {
	desc := r.order.keys[0].desc
	numbers := segment{lo: &allNumbersLo, hi: &allNumbersHi, opt: RangeOptions{LoInclusive: true, HiInclusive: true, Desc: desc}}
	dates := segment{lo: &allDatesLo, hi: &allDatesHi, opt: RangeOptions{LoInclusive: true, HiInclusive: true, Desc: desc}}
	segs := []segment{numbers, dates}
	if desc {
		segs = []segment{dates, numbers}
	}
	if r.cur == nil {
		return segs
	}
	v := r.cur.row.keys[0]
	var from *rdf.Literal
	switch v.cls {
	case clsNumber:
		if math.IsNaN(v.num) {
			return segs
		}
		l := numberLiteral(v.num)
		from = &l
	case clsDateTime:
		if l, ok := dateTimeLiteral(v.us); ok {
			from = &l
		}
	case clsMissing:
		return nil
	default:
		return segs
	}
	for i, s := range segs {
		if (v.cls == clsNumber) != (s.lo == &allNumbersLo) {
			continue
		}
		if from != nil {
			if desc {
				s.hi = from
			} else {
				s.lo = from
			}
		}
		return append([]segment{s}, segs[i+1:]...)
	}
	return segs
}

// walkFactor bounds a walk in key order: after walkFactor times
// max(probeBudget, page size) values that lead to no member, the members
// are too sparse along the key and a scan of the candidates is cheaper.
const walkFactor = 16

// walkRange finds the first n+1 members after the cursor in the order of
// the first sort key, whose last property's values Range lists, by
// walking those values in order and checking the subjects they lead back
// to along the key's path (a member's nodes, for p{+q}); members without
// a value come last, found by a scan. ok is false if it gave up (see
// walkFactor).
//
// With rs, the key is an immediate property and the members are rs's
// resources under the prefix: the walk skips other subjects by id, reading
// at most limit index entries (any number for 0), and checks nothing.
func (r *runner) walkRange(np *nodePlan, rs ResourceSet, n, limit int) (rows []*row, ok bool, err error) {
	key := r.order.keys[0]
	seen := newSubjSet()
	var out []*row
	// The members met at one value of the key are ordered by the other
	// keys and their IRIs; of them, only as many as the page still lacks
	// are kept.
	group := &topN{o: r.order}
	var groupVal val
	grouping := false
	var ferr error
	left := walkFactor * max(probeBudget, n+1)
	last := key.path[len(key.path)-1]
	flush := func() {
		out = append(out, group.sorted()...)
		grouping = false
	}
	gaveUp := false
	// hit tells whether the value visit is at led to a member sorting
	// by it: only values that lead to none count against left, so that
	// a long run of one value (a thousand measures of 0) is walked, as
	// every value of it has a member and a scan would read them all the
	// same.
	hit := false
	var member func(s rdf.Subject, v val, resource bool) bool
	visit := func(s rdf.Subject, o rdf.Literal) bool {
		hit = false
		v := classify(o)
		if len(key.path) == 1 {
			if !member(s, v, false) {
				return false
			}
		} else {
			ms, own, err := r.up(key.path[:len(key.path)-1], s)
			if err != nil {
				ferr = err
				return false
			}
			for i, m := range ms {
				if !member(m, v, own[i]) {
					return false
				}
			}
		}
		if !hit {
			if left--; left < 0 {
				gaveUp = true
				return false
			}
		}
		return true
	}
	member = func(s rdf.Subject, v val, resource bool) bool {
		id, ok := s.(rdf.IRI)
		if !ok || !strings.HasPrefix(id.String(), r.scope.Prefix) || !seen.add(s) {
			return true
		}
		if grouping && compare(v, groupVal) != 0 {
			flush()
			if len(out) > n {
				return false
			}
		}
		ok, err := rs != nil, error(nil)
		if !ok {
			ok, err = r.check(np, id)
		}
		if err == nil && ok && np.driver != nil {
			ok, err = r.holds(np.driver, id)
		}
		if err == nil && ok && rs == nil {
			ok, err = r.inScope(id, resource, false)
		}
		if err != nil {
			ferr = err
			return false
		}
		if !ok {
			return true
		}
		rw := &row{id: id}
		if r.cur == nil && len(r.order.keys) == 1 {
			// The walk began before every value: the first one it meets
			// is the one the member sorts by.
			rw.keys = []val{v}
		} else if err := r.fillKeys(rw, r.order.keys); err != nil {
			ferr = err
			return false
		}
		// Seen first at v, the member sorts by v unless the walk began
		// past its smallest (largest) value: then an earlier page had it.
		if compare(rw.keys[0], v) != 0 {
			return true
		}
		hit = true
		if !grouping {
			groupVal, grouping, group.n = v, true, n+1-len(out)
		}
		if r.cur == nil || r.order.cmp(rw, &r.cur.row) > 0 {
			group.offer(rw)
		}
		return true
	}
	walk := func(p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) (bool, error) {
		return true, r.src.Range(r.ctx, p, lo, hi, opt, fn)
	}
	if rs != nil {
		if limit <= 0 {
			limit = keysPerCheck * left
		}
		walk = r.inSet(rs, limit)
	}
	for _, sg := range r.segments() {
		complete, err := walk(last, sg.lo, sg.hi, sg.opt, visit)
		if err == nil {
			err = ferr
		}
		if err != nil || gaveUp || !complete {
			return nil, false, err
		}
		if len(out) > n {
			return out, true, nil
		}
	}
	flush()
	if len(out) > n {
		return out, true, nil
	}
	// The members without a value for the key.
	lacks := func(rw *row) (bool, error) {
		if len(key.path) > 1 {
			v, err := r.keyValue(rw.id, key)
			return v.cls == clsMissing, err
		}
		has := false
		err := r.src.Match(r.ctx, rw.id, key.path[0], nil, func(rdf.Triple) bool {
			has = true
			return false
		})
		return !has, err
	}
	if rs != nil {
		rest, err := r.setRows(rs, n-len(out), lacks)
		return append(out, rest...), err == nil, err
	}
	rest, _, err := r.scan(np, n-len(out), lacks)
	return append(out, rest...), err == nil, err
}

// up returns the subjects from which path leads to node: for path p/q,
// those of (?, p, x) for each x of (?, q, node); own tells of each whether
// the triple that leads from it is its own (Features.Quads), which makes
// it a stored resource.
func (r *runner) up(path []rdf.IRI, node rdf.Subject) (subjects []rdf.Subject, own []bool, err error) {
	nodes := []rdf.Subject{node}
	for i := len(path) - 1; i >= 0 && len(nodes) > 0; i-- {
		var next []rdf.Subject
		own = own[:0]
		for _, o := range nodes {
			obj, ok := o.(rdf.Object)
			if !ok {
				continue
			}
			if i == 0 && r.feat.Quads {
				err = r.acc.MatchQuads(r.ctx, nil, path[i], obj, func(t rdf.Triple, g rdf.IRI) bool {
					next = append(next, t.Subj)
					own = append(own, rdf.TermsEqual(t.Subj, g))
					return true
				})
			} else {
				err = r.src.Match(r.ctx, nil, path[i], obj, func(t rdf.Triple) bool {
					next = append(next, t.Subj)
					own = append(own, false)
					return true
				})
			}
			if err != nil {
				return nil, nil, err
			}
		}
		nodes = next
	}
	return nodes, own, nil
}

// walkable says whether wherePage should try a walk in the order of the
// first sort key rather than scan the candidates np lists: when they are
// not known to be few (a complete probe), and the walk is expected to
// cost less than checking them (walkCheaper) when they are. A key through
// nested nodes walks only when no condition drives, as checking a
// member the walk finds then costs no more than in a scan.
func (r *runner) walkable(np *nodePlan, n int) bool {
	if len(r.order.keys[0].path) > 1 {
		return np.driver == nil && np.set == nil && len(r.conds) == 0
	}
	if !np.small {
		return true
	}
	if np.set == nil {
		return false
	}
	ok, err := r.walkCheaper(len(np.set.list), n)
	return err == nil && ok
}

// numberLiteral writes f as an xsd:double literal.NumberValue reads back
// exactly.
func numberLiteral(f float64) rdf.Literal {
	switch {
	case math.IsInf(f, 1):
		return allNumbersHi
	case math.IsInf(f, -1):
		return allNumbersLo
	}
	return rdf.NewTypedLiteral(fmt.Sprintf("%v", f), vocab.XSDDouble)
}

// dateTimeLiteral writes unix microseconds as an xsd:dateTime, if its year
// has four digits.
func dateTimeLiteral(us int64) (rdf.Literal, bool) {
	const lo, hi = -62135596800_000000, 253402300799_999999 // 0001-01-01 to 9999-12-31
	if us < lo || us > hi {
		return rdf.Literal{}, false
	}
	t := time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.999999Z")
	return rdf.NewTypedLiteral(t, vocab.XSDDateTime), true
}

// searchPage finds the members with a search token, scores them, and keeps
// the first n+1 after the cursor (all if n < 0). Scores need every hit's
// term frequencies, so the hits are all read: through the text index, or,
// without one, from the literals of the members the conditions find when
// they are few, else from all searched literals. A search alone on a
// source with Features.Hits is answered by term id (hitPage), reading
// only the page's terms.
func (r *runner) searchPage(n int) ([]*row, int, error) {
	if len(r.tokens) == 0 {
		return nil, 0, nil
	}
	if rows, total, ok, err := r.hitPage(n); ok || err != nil {
		return rows, total, err
	}
	var h *hits
	var np *nodePlan
	var err error
	if !r.feat.Text {
		if np, err = r.plan(r.conds, nil, true); err != nil {
			return nil, 0, err
		}
		if np.set == nil {
			np = nil
		}
	}
	if np == nil {
		if h, err = r.textIndex(r.tokens); err != nil {
			return nil, 0, err
		}
		if np, err = r.plan(r.conds, h.set, true); err != nil {
			return nil, 0, err
		}
	}
	if r.page.NoTotal && n >= 0 && h != nil {
		return r.lazySearch(np, h, n)
	}
	var rows []*row
	err = r.members(np, func(id rdf.IRI) (bool, error) {
		var tf []int
		if h != nil {
			tf = h.tf[subjKey(id)]
		} else {
			var err error
			if tf, err = r.textOf(id, r.tokens); err != nil {
				return false, err
			}
		}
		if slices.ContainsFunc(tf, func(n int) bool { return n > 0 }) {
			rows = append(rows, &row{id: id, tf: tf})
		}
		return true, nil
	})
	if err != nil {
		return nil, 0, err
	}
	if h != nil {
		err = r.weigh(h.df, len(h.set.list))
	} else {
		err = r.weigh(rowDF(rows, len(r.tokens)), len(rows))
	}
	if err != nil {
		return nil, 0, err
	}
	top := &topN{o: r.order, n: n + 1}
	if n < 0 {
		top.n = -1
	}
	for _, rw := range rows {
		rw.score = score(rw.tf, r.idf)
		if err := r.fillKeys(rw, r.order.keys); err != nil {
			return nil, 0, err
		}
		if r.cur == nil || r.order.cmp(rw, &r.cur.row) > 0 {
			top.offer(rw)
		}
	}
	return top.sorted(), len(rows), nil
}

// weigh sets the idf weights of the search tokens: the cursor's, or from
// the document frequencies df of the tokens among seen subjects.
func (r *runner) weigh(df []int, seen int) error {
	if r.cur != nil {
		r.idf = r.cur.idf
		return nil
	}
	size, err := r.collectionSize(seen)
	if err != nil {
		return err
	}
	r.idf = idfs(df, size)
	return nil
}

// lazySearch is searchPage without a total: the hits' scores come from the
// text index alone, so it orders the hits first and checks them in that
// order until it has n+1 members.
func (r *runner) lazySearch(np *nodePlan, h *hits, n int) ([]*row, int, error) {
	if err := r.weigh(h.df, len(h.set.list)); err != nil {
		return nil, 0, err
	}
	var cands []*row
	for _, s := range np.set.list {
		id, ok := s.(rdf.IRI)
		tf := h.tf[subjKey(s)]
		if !ok || tf == nil || !strings.HasPrefix(id.String(), r.scope.Prefix) {
			continue
		}
		rw := &row{id: id, tf: tf, score: score(tf, r.idf)}
		if err := r.fillKeys(rw, r.order.keys); err != nil {
			return nil, 0, err
		}
		if r.cur == nil || r.order.cmp(rw, &r.cur.row) > 0 {
			cands = append(cands, rw)
		}
	}
	slices.SortFunc(cands, r.order.cmp)
	var out []*row
	for _, rw := range cands {
		ok, err := r.check(np, rw.id)
		if err == nil && ok {
			ok, err = r.inScope(rw.id, h.set.resource(rw.id) || np.set.resource(rw.id), false)
		}
		if err != nil {
			return nil, 0, err
		}
		if ok {
			if out = append(out, rw); len(out) > n {
				break
			}
		}
	}
	return out, -1, nil
}
