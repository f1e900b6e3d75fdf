package query

import (
	"context"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
)

// resourceSetter is what the store's Snapshot offers to answer a query
// whose conditions are all index reads by term id: the resources they
// list as a set of ids, counted and paged in IRI order without reading
// most of their terms.
type resourceSetter interface {
	ResourceSet(ctx context.Context, groups [][]store.Pattern, via rdf.IRI) (*store.ResourceSet, error)
	PageUnder(ctx context.Context, rs *store.ResourceSet, prefix string, after rdf.IRI, n int, count bool) ([]rdf.IRI, int, error)
}

var _ resourceSetter = (*store.Snapshot)(nil)

// idGroups returns the index reads that list the subjects for which conds
// hold, when they are all a joiner's (see joinable), or when conds is one
// scoped term on a named property whose nested conditions all are: then
// via is that property, and the subjects are those pointing by it to the
// nodes the reads list. ok is false otherwise.
func (e *eval) idGroups(conds []*cond) (groups [][]store.Pattern, via rdf.IRI, ok bool) {
	if len(conds) == 0 {
		return nil, rdf.IRI{}, false
	}
	if len(conds) == 1 && conds[0].kind == condScoped {
		c := conds[0]
		if c.wildcard || len(c.inner) == 0 {
			return nil, rdf.IRI{}, false
		}
		for _, in := range c.inner {
			if !joinable(in) {
				return nil, rdf.IRI{}, false
			}
		}
		return e.joinGroups(c.inner), c.prop, true
	}
	for _, c := range conds {
		if !joinable(c) {
			return nil, rdf.IRI{}, false
		}
	}
	return e.joinGroups(conds), rdf.IRI{}, true
}

// resourceSet returns the set of stored resources for which the members'
// conditions hold, when the source can make it (see idGroups); ok is
// false otherwise. It applies to scopes without types only: their members
// are just the resources under the prefix.
func (r *runner) resourceSet() (rs *store.ResourceSet, ok bool, err error) {
	src, ok := r.src.(resourceSetter)
	if !ok || len(r.scope.Types) > 0 {
		return nil, false, nil
	}
	groups, via, ok := r.idGroups(r.conds)
	if !ok {
		return nil, false, nil
	}
	rs, err = src.ResourceSet(r.ctx, groups, via)
	return rs, err == nil, err
}

// idPage finds the first n+1 members after the cursor, in IRI order, and
// the total unless NoTotal, from the resource set; ok is false when there
// is none (see resourceSet).
func (r *runner) idPage(n int) (rows []*row, total int, ok bool, err error) {
	rs, ok, err := r.resourceSet()
	if !ok || err != nil {
		return nil, 0, ok, err
	}
	var after rdf.IRI
	if r.cur != nil {
		after = r.cur.row.id
	}
	page, total, err := r.src.(resourceSetter).PageUnder(r.ctx, rs, r.scope.Prefix, after, n+1, !r.page.NoTotal)
	if err != nil {
		return nil, 0, true, err
	}
	for _, id := range page {
		rows = append(rows, &row{id: id, res: true})
	}
	return rows, total, true, nil
}
