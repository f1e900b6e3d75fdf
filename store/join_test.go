package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// TestIntersect compares Intersect and Count with the subjects Match and
// Range list, on random data where nodes are stated by several resources.
func TestIntersect(t *testing.T) {
	db, _ := openDB(t, nil)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	kind, v := ex("kind"), ex("v")
	var rs []store.Resource
	for i := range 200 {
		id := ex(fmt.Sprintf("r%03d", i))
		var g []rdf.Triple
		for range 1 + rng.IntN(3) {
			s := ex(fmt.Sprintf("n%02d", rng.IntN(60)))
			g = append(g, tr(s, kind, ex(fmt.Sprintf("k%d", rng.IntN(3)))), tr(s, v, intl(fmt.Sprint(rng.IntN(20)))))
		}
		if rng.IntN(4) == 0 {
			g = append(g, tr(blank("b"), kind, ex("k0")), tr(blank("b"), v, dbl("5.0")))
		}
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Load(ctx, rs))

	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		subjects := func(p store.Pattern) map[string]bool {
			out := map[string]bool{}
			if p.Obj != nil {
				require.NoError(t, sn.Match(ctx, nil, p.Pred, p.Obj, func(t rdf.Triple) bool {
					out[t.Subj.Serialize(rdf.NTriples)] = true
					return true
				}))
				return out
			}
			require.NoError(t, sn.Range(ctx, p.Pred, p.Lo, p.Hi, p.Opt, func(s rdf.Subject, _ rdf.Literal) bool {
				out[s.Serialize(rdf.NTriples)] = true
				return true
			}))
			return out
		}
		nonEmpty := 0
		for i := range 100 {
			lo, hi := intl(fmt.Sprint(rng.IntN(20))), dbl(fmt.Sprint(rng.IntN(20)))
			groups := [][]store.Pattern{
				{{Pred: kind, Obj: ex(fmt.Sprintf("k%d", rng.IntN(4)))}, {Pred: kind, Obj: ex(fmt.Sprintf("k%d", rng.IntN(4)))}},
				{{Pred: v, Lo: &lo, Hi: &hi, Opt: store.RangeOptions{LoInclusive: i%2 == 0, HiInclusive: i%3 == 0}}},
			}
			if i%4 == 0 {
				groups = append(groups, []store.Pattern{{Pred: rdfType, Obj: ex("none")}})
			}
			var want []string
			in := func(s string) bool {
				for _, g := range groups {
					found := false
					for _, p := range g {
						found = found || subjects(p)[s]
					}
					if !found {
						return false
					}
				}
				return true
			}
			all := map[string]bool{}
			require.NoError(t, sn.Match(ctx, nil, kind, nil, func(t rdf.Triple) bool {
				all[t.Subj.Serialize(rdf.NTriples)] = true
				return true
			}))
			for s := range all {
				if in(s) {
					want = append(want, s)
				}
			}
			var got []string
			require.NoError(t, sn.Intersect(ctx, groups, func(s rdf.Subject) bool {
				got = append(got, s.Serialize(rdf.NTriples))
				return true
			}))
			slices.Sort(want)
			slices.Sort(got)
			assert.Equal(t, want, got, "%d", i)
			nonEmpty += min(1, len(want))

			n, err := sn.Count(ctx, groups[0], 1000)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, n, len(subjects(groups[0][0])))
			n, err = sn.Count(ctx, groups[0], 3)
			require.NoError(t, err)
			assert.LessOrEqual(t, n, 4)
		}
		assert.Greater(t, nonEmpty, 20)
		return nil
	}))
}
