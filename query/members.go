package query

import (
	"slices"
	"strings"

	"github.com/knakk/rdf"
)

// A query whose conditions are all index reads is answered, on a source
// with Features.Sets, by term id: the resources the reads list as a set,
// counted, paged in IRI order and walked in the order of a property's
// values without reading most of their terms.

// idGroups returns the index reads that list the subjects for which conds
// hold, when they are all joinable, or when conds is one
// scoped term on a named property whose nested conditions all are: then
// via is that property, and the subjects are those pointing by it to the
// nodes the reads list. ok is false otherwise, and when the reads differ
// so much in size that the planner would check some per candidate rather
// than read them (see largeJoin).
func (e *eval) idGroups(conds []*cond) (groups [][]Pattern, via rdf.IRI, ok bool, err error) {
	if len(conds) == 1 && conds[0].kind == condScoped {
		c := conds[0]
		if c.wildcard || slices.ContainsFunc(c.inner, func(c *cond) bool { return c.kind == condScoped }) {
			return nil, rdf.IRI{}, false, nil
		}
		groups, _, ok, err := e.idGroups(c.inner)
		return groups, c.prop, ok, err
	}
	if len(conds) == 0 || slices.ContainsFunc(conds, func(c *cond) bool { return !joinable(c) }) {
		return nil, rdf.IRI{}, false, nil
	}
	if fused := e.fusePairs(conds); len(fused) > 1 {
		joins, err := e.largeJoin(fused, nil)
		if err != nil || len(joins) != len(fused) {
			return nil, rdf.IRI{}, false, err
		}
	}
	return e.joinGroups(conds), rdf.IRI{}, true, nil
}

// resourceSet returns the set of stored resources for which the members'
// conditions hold, when the source can make it (see idGroups); ok is
// false otherwise. It applies to scopes without types only: their members
// are just the resources under the prefix. The set is made once per Run.
func (r *runner) resourceSet() (rs ResourceSet, ok bool, err error) {
	if r.rsDone {
		return r.rs, r.rs != nil, nil
	}
	r.rsDone = true
	if !r.feat.Sets || len(r.scope.Types) > 0 {
		return nil, false, nil
	}
	groups, via, ok, err := r.idGroups(r.conds)
	if !ok || err != nil {
		return nil, false, err
	}
	if r.rs, err = r.acc.ResourceSet(r.ctx, Join{Groups: groups, Via: via}); err != nil {
		return nil, false, err
	}
	return r.rs, true, nil
}

// setPage finds the first n+1 members after the cursor, and the total
// unless NoTotal, from the resource set: in IRI order straight from it;
// in the order of a sort key by walking the key's values (see walkRange),
// testing each subject's id, when the set is large; else by reading the
// set's members and sorting them.
func (r *runner) setPage(rs ResourceSet, n int) (rows []*row, total int, err error) {
	if len(r.order.keys) == 0 {
		var after rdf.IRI
		if r.cur != nil {
			after = r.cur.row.id
		}
		page, total, err := r.acc.PageUnder(r.ctx, rs, PageOptions{Prefix: r.scope.Prefix, After: after, Limit: n + 1, Count: !r.page.NoTotal})
		if err != nil {
			return nil, 0, err
		}
		for _, id := range page {
			rows = append(rows, &row{id: id, res: true})
		}
		return rows, total, nil
	}
	count := func() (int, error) {
		if r.page.NoTotal {
			return -1, nil
		}
		_, total, err := r.acc.PageUnder(r.ctx, rs, PageOptions{Prefix: r.scope.Prefix, Count: true})
		return total, err
	}
	if key := r.order.keys[0]; len(key.path) == 1 {
		ok, err := r.walkCheaper(rs.Len(), n)
		if err == nil && ok {
			ok, err = r.rangeOnly(key.path[0])
		}
		if err != nil {
			return nil, 0, err
		}
		if ok {
			rows, ok, err := r.walkRange(&nodePlan{}, rs, n, keysPerCheck*rs.Len())
			if err != nil {
				return nil, 0, err
			}
			if ok {
				total, err := count()
				return rows, total, err
			}
		}
	}
	if rows, err = r.setRows(rs, n, nil); err != nil {
		return nil, 0, err
	}
	total, err = count()
	return rows, total, err
}

// keysPerCheck is what a walk in key order reads of the key's index for
// the cost of checking one candidate and reading its sort key: skipping a
// key costs a few percent of that.
const keysPerCheck = 32

// walkCheaper says whether a walk in the order of the first sort key,
// an immediate property, is expected to find the first n+1 of cands
// candidates for less than checking them all: if the candidates are spread
// evenly along the key, among its values (about one per resource, from
// Stats), the walk reads (n+1) times values/cands index entries. Without
// Stats, it says so when the candidates are more than probeBudget.
func (r *runner) walkCheaper(cands, n int) (bool, error) {
	if cands <= n+1 {
		return false, nil // every candidate is on the page
	}
	if !r.feat.Stats {
		return cands > probeBudget, nil
	}
	st, err := r.acc.Stats(r.ctx)
	if err != nil {
		return false, err
	}
	values := max(st.Resources, int64(cands))
	walk := int64(n+1) * values / int64(cands)
	return walk < keysPerCheck*int64(cands), nil
}

// setRows reads the members of rs, with their sort keys, and returns the
// first n+1 after the cursor (all if n < 0) that accept, if set, takes.
func (r *runner) setRows(rs ResourceSet, n int, accept func(*row) (bool, error)) ([]*row, error) {
	ids, _, err := r.acc.PageUnder(r.ctx, rs, PageOptions{Prefix: r.scope.Prefix, Limit: -1})
	if err != nil {
		return nil, err
	}
	top := &topN{o: r.order, n: n + 1}
	if n < 0 {
		top.n = -1
	}
	for _, id := range ids {
		rw := &row{id: id, res: true}
		if accept != nil {
			if ok, err := accept(rw); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
		}
		if err := r.fillKeys(rw, r.order.keys); err != nil {
			return nil, err
		}
		if r.cur == nil || r.order.cmp(rw, &r.cur.row) > 0 {
			top.offer(rw)
		}
	}
	return top.sorted(), nil
}

// inSet is walkRange's reader of the key's values when the members are a
// resource set: RangeIn, limited to the keys the walk may read.
func (r *runner) inSet(rs ResourceSet, limit int) func(p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) (bool, error) {
	return func(p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) (bool, error) {
		return r.acc.RangeIn(r.ctx, p, lo, hi, RangeInOptions{RangeOptions: opt, Set: rs, Limit: limit}, func(s rdf.Subject, o rdf.Literal) bool {
			if id, ok := s.(rdf.IRI); ok && !strings.HasPrefix(id.String(), r.scope.Prefix) {
				return true
			}
			return fn(s, o)
		})
	}
}
