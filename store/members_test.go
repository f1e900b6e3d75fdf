package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// TestPageUnder compares ResourceSet and PageUnder with the answer read
// resource by resource: resources under two prefixes, subjects described
// by other resources, staged resources, and both ways of counting (walking
// the resources outside the prefix, or reading the set's IRIs) and of
// paging (walking the resources, or sorting the set's IRIs).
func TestPageUnder(t *testing.T) {
	db, _ := openDB(t, nil)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	kind, obs := ex("ns/kind"), ex("ns/obs")
	k := func(i int) rdf.IRI { return ex(fmt.Sprintf("ns/k%d", i)) }
	var rs []store.Resource
	want := map[string][]string{} // kind → resources with it
	for i := range 300 {
		dir := "a/"
		if i%4 == 0 {
			dir = "b/"
		}
		id := ex(fmt.Sprintf("%s%03d", dir, rng.IntN(1000)*1000+i))
		c := rng.IntN(3)
		g := []rdf.Triple{{Subj: id, Pred: kind, Obj: k(c)}, {Subj: id, Pred: obs, Obj: iri(id.String() + "#m")}}
		want[k(c).String()] = append(want[k(c).String()], id.String())
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	// Resources that only others describe, some staged, some not
	// resources at all.
	for i := range 10 {
		id := ex(fmt.Sprintf("a/s%02d", i))
		rs[i].Triples = append(rs[i].Triples, rdf.Triple{Subj: id, Pred: kind, Obj: k(0)})
		if i%2 == 0 {
			require.NoError(t, db.Stage(ctx, []store.Resource{{ID: id, Triples: []rdf.Triple{{Subj: id, Pred: obs, Obj: str("x")}}}}))
			want[k(0).String()] = append(want[k(0).String()], id.String())
		}
	}
	require.NoError(t, db.Load(ctx, rs))

	for _, limit := range []int{0, 4096} {
		restore := store.SetOutsideLimit(limit)
		for c := range 3 {
			for _, prefix := range []string{ex("a/").String(), ex("b/").String(), ex("a/1").String(), ex("").String(), ex("c/").String()} {
				var all []string
				for _, id := range want[k(c).String()] {
					if strings.HasPrefix(id, prefix) {
						all = append(all, id)
					}
				}
				slices.Sort(all)
				require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
					set, err := s.ResourceSet(ctx, [][]store.Pattern{{{Pred: kind, Obj: k(c)}}}, rdf.IRI{})
					if err != nil {
						return err
					}
					what := fmt.Sprintf("k%d under %s, limit %d", c, prefix, limit)
					for _, n := range []int{-1, 0, 1, 7, 1000} {
						var got []string
						after := rdf.IRI{}
						for {
							page, total, err := s.PageUnder(ctx, set, prefix, after, n, after == rdf.IRI{})
							require.NoError(t, err)
							if after == (rdf.IRI{}) {
								require.Equal(t, len(all), total, what)
							} else {
								require.Equal(t, -1, total, what)
							}
							if n == 0 {
								require.Empty(t, page)
								break
							}
							for _, id := range page {
								got = append(got, id.String())
							}
							if n < 0 || len(page) < n {
								break
							}
							after = page[len(page)-1]
						}
						if n != 0 {
							require.Equal(t, all, got, "%s, pages of %d", what, n)
						}
					}
					return nil
				}))
			}
		}
		restore()
	}

	// Via: the resources pointing by obs to a node of kind 0.
	require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
		set, err := s.ResourceSet(ctx, [][]store.Pattern{{{Pred: kind, Obj: k(0)}}}, obs)
		if err != nil {
			return err
		}
		page, total, err := s.PageUnder(ctx, set, ex("").String(), rdf.IRI{}, -1, true)
		require.NoError(t, err)
		require.Equal(t, 0, total, "no node of kind 0 is observed")
		require.Empty(t, page)
		return nil
	}))
}
