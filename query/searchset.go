package query

import (
	"cmp"
	"math"
	"slices"

	"github.com/knakk/rdf"
)

// A search alone is answered, on a source with Features.Hits, by term
// id: the hits of the tokens without their terms, and their resources
// counted and paged in IRI order, so that few terms are read besides the
// page's.

// scoreClass is the hits with one score, in id order.
type scoreClass struct {
	score float64
	hits  []int
}

// hitPage is searchPage for a search alone, in a scope without types, on
// a source with Features.Hits: the members are the hits that are resources under the
// prefix, ordered by score, then IRI. It groups the hits by score and
// fills the page class by class, best first, each in IRI order; the
// total counts the resources among all hits. ok is false when it does not
// apply.
func (r *runner) hitPage(n int) (rows []*row, total int, ok bool, err error) {
	if !r.feat.Hits || n < 0 || len(r.conds) > 0 || len(r.order.keys) > 0 || len(r.scope.Types) > 0 {
		return nil, 0, false, nil
	}
	// Classes group equal scores, so scores must be numbers that compare:
	// weights of a crafted cursor that could make a score NaN (or -0,
	// printed apart from 0) take the general path.
	if r.cur != nil && (math.IsNaN(r.cur.row.score) || slices.ContainsFunc(r.cur.idf, func(w float64) bool {
		return math.IsNaN(w) || math.IsInf(w, 0) || w < 0
	})) {
		return nil, 0, false, nil
	}
	h, err := r.acc.TextHits(r.ctx, r.tokens)
	if err != nil || h.Len() == 0 {
		return nil, 0, true, err
	}
	if err := r.weigh(h.DF(), h.Len()); err != nil {
		return nil, 0, true, err
	}
	var classes []scoreClass
	index := map[float64]int{}
	last := -1 // class of the previous hit: hits often score alike
	for i := range h.Len() {
		sc := score(h.TF(i), r.idf)
		if math.IsNaN(sc) {
			return nil, 0, false, nil // huge weights from a cursor
		}
		if last < 0 || classes[last].score != sc {
			j, ok := index[sc]
			if !ok {
				j = len(classes)
				index[sc] = j
				classes = append(classes, scoreClass{score: sc})
			}
			last = j
		}
		classes[last].hits = append(classes[last].hits, i)
	}
	slices.SortFunc(classes, func(a, b scoreClass) int { return cmp.Compare(b.score, a.score) })
	if r.cur != nil {
		// The classes before the cursor's were on earlier pages.
		for len(classes) > 0 && classes[0].score > r.cur.row.score {
			classes = classes[1:]
		}
	}
	total = -1
	// When the page's first class is all the hits, they are counted on
	// the way.
	one := len(classes) == 1 && len(classes[0].hits) == h.Len()
	if !one && !r.page.NoTotal {
		if _, total, err = r.acc.PageHits(r.ctx, h, nil, PageOptions{Prefix: r.scope.Prefix, Count: true}); err != nil {
			return nil, 0, true, err
		}
	}
	need := n + 1
	for _, c := range classes {
		if need <= 0 {
			break
		}
		var after rdf.IRI
		if r.cur != nil && c.score == r.cur.row.score {
			after = r.cur.row.id
		}
		var page []rdf.IRI
		if one {
			page, total, err = r.acc.PageHits(r.ctx, h, nil, PageOptions{Prefix: r.scope.Prefix, After: after, Limit: need, Count: !r.page.NoTotal})
		} else {
			page, _, err = r.acc.PageHits(r.ctx, h, c.hits, PageOptions{Prefix: r.scope.Prefix, After: after, Limit: need})
		}
		if err != nil {
			return nil, 0, true, err
		}
		for _, id := range page {
			rows = append(rows, &row{id: id, score: c.score, res: true})
		}
		need -= len(page)
	}
	return rows, total, true, nil
}
