package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// TestTextHits compares TextHits, HitSet and PageHits with the answer
// read posting by posting (TextOwn) and resource by resource (Exists):
// texts of resources under two prefixes, of subjects other resources
// describe (resources, staged resources, fragments, blank nodes, IRIs of
// nothing), the same triple stated twice, and every way of paging (reading
// a few hits' IRIs, walking the resources, sorting the set's IRIs) and of
// counting (walking the resources outside the prefix, reading the set's
// IRIs).
func TestTextHits(t *testing.T) {
	db, _ := openDB(t, nil)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(23, 29))
	words := []string{"red", "green", "blue", "cyan", "pink", "grey", "teal"}
	text := func() string {
		var ws []string
		for range 1 + rng.IntN(3) {
			ws = append(ws, words[min(int(rng.ExpFloat64()*2), len(words)-1)])
		}
		return strings.Join(ws, " ")
	}
	preds := []rdf.IRI{exTitle, exDescription, exIdentifier, ex("ns/other")}
	var staged []store.Resource
	for i := range 4 {
		id := ex(fmt.Sprintf("a/s%d", i))
		if i%2 == 1 {
			id = ex(fmt.Sprintf("b/s%d", i))
		}
		staged = append(staged, store.Resource{ID: id, Triples: []rdf.Triple{tr(id, exTitle, str(text()))}})
	}
	require.NoError(t, db.Stage(ctx, staged))
	var rs []store.Resource
	for i := range 300 {
		dir := "a/"
		if i%4 == 0 {
			dir = "b/"
		}
		id := ex(fmt.Sprintf("%s%03d", dir, rng.IntN(1000)*1000+i))
		var g []rdf.Triple
		for range rng.IntN(4) {
			var o rdf.Object = str(text())
			if rng.IntN(5) == 0 {
				o = lang(text(), "en")
			}
			g = append(g, tr(id, preds[rng.IntN(len(preds))], o))
		}
		switch rng.IntN(10) {
		case 0:
			g = append(g, tr(iri(id.String()+"#m"), exTitle, str(text())))
		case 1:
			g = append(g, tr(blank(fmt.Sprintf("n%d", i)), exTitle, str(text())))
		case 2:
			g = append(g, tr(ex(fmt.Sprintf("a/ghost%d", rng.IntN(3))), exTitle, str(text())))
		case 3:
			g = append(g, tr(staged[rng.IntN(len(staged))].ID, exDescription, str(text())))
		case 4:
			if len(rs) > 0 {
				other := rs[rng.IntN(len(rs))]
				if len(other.Triples) > 0 && rng.IntN(2) == 0 {
					g = append(g, other.Triples[0])
				} else {
					g = append(g, tr(other.ID, exTitle, str(text())))
				}
			}
		}
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Load(ctx, rs))

	// hit is a subject as the postings and the resources tell.
	type hit struct {
		tf       []int
		resource bool
	}
	model := func(s *store.Snapshot, tokens []string) (map[string]*hit, []int) {
		hits := map[string]*hit{}
		df := make([]int, len(tokens))
		for i, tok := range tokens {
			require.NoError(t, s.TextOwn(ctx, tok, func(subj rdf.Subject, _ rdf.IRI, tf int, own bool) bool {
				k := subj.Serialize(rdf.NTriples)
				h := hits[k]
				if h == nil {
					h = &hit{tf: make([]int, len(tokens))}
					hits[k] = h
					if id, ok := subj.(rdf.IRI); ok && !own {
						var err error
						h.resource, err = s.Exists(ctx, id)
						require.NoError(t, err)
					}
				}
				if h.tf[i] == 0 {
					df[i]++
				}
				h.tf[i] += tf
				h.resource = h.resource || own
				return true
			}))
		}
		return hits, df
	}
	prefixes := []string{ex("a/").String(), ex("b/").String(), ex("a/1").String(), ex("").String(), ex("c/").String()}
	for round := range 60 {
		var tokens []string
		for range 1 + rng.IntN(3) {
			tokens = append(tokens, words[rng.IntN(len(words))])
		}
		if round%10 == 0 {
			tokens = append(tokens, "none")
		}
		tokens = slices.Compact(tokens)
		limit := []int{0, 4096}[round%2]
		pick := []int{0, 64, 1 << 20}[round%3]
		restoreLimit, restorePick := store.SetOutsideLimit(limit), store.SetSmallPick(pick)
		require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
			what := fmt.Sprintf("%q, limit %d, small pick %d", tokens, limit, pick)
			want, df := model(s, tokens)
			h, err := s.TextHits(ctx, tokens)
			require.NoError(t, err)
			assert.Equal(t, df, h.DF(), what)
			require.Equal(t, len(want), h.Len(), what)
			subjects := make([]string, h.Len()) // of each hit
			for i := range h.Len() {
				term, err := s.HitTermForTest(h, i)
				require.NoError(t, err)
				subjects[i] = term.Serialize(rdf.NTriples)
				require.Contains(t, want, subjects[i], what)
				assert.Equal(t, want[subjects[i]].tf, h.TF(i), "%s: %s", what, subjects[i])
			}
			for _, prefix := range prefixes {
				// members are the resources among the hits in the
				// picked ones, under the prefix, in IRI order.
				members := func(picked []int) []string {
					var out []string
					for _, i := range picked {
						iri := strings.Trim(subjects[i], "<>")
						if want[subjects[i]].resource && strings.HasPrefix(iri, prefix) {
							out = append(out, iri)
						}
					}
					slices.Sort(out)
					return out
				}
				all := make([]int, h.Len())
				for i := range all {
					all[i] = i
				}
				page, total, err := s.PageHits(ctx, h, nil, prefix, rdf.IRI{}, 0, true)
				require.NoError(t, err)
				assert.Empty(t, page)
				assert.Equal(t, len(members(all)), total, "%s: total under %s", what, prefix)
				page, total, err = s.PageHits(ctx, h, nil, prefix, rdf.IRI{}, 10, true)
				require.NoError(t, err)
				assert.Equal(t, len(members(all)), total, "%s: total under %s", what, prefix)
				want := members(all)
				assert.Equal(t, want[:min(10, len(want))], iris(page), "%s: first page under %s", what, prefix)

				var picked []int
				for i := range h.Len() {
					if rng.IntN(3) > 0 {
						picked = append(picked, i)
					}
				}
				wantPage := members(picked)
				for _, n := range []int{1, 5, 1000} {
					var got []string
					after := rdf.IRI{}
					for range 1000 {
						count := after == rdf.IRI{}
						page, total, err := s.PageHits(ctx, h, picked, prefix, after, n, count)
						require.NoError(t, err)
						require.LessOrEqual(t, len(page), n)
						if count {
							assert.Equal(t, len(wantPage), total, "%s: total of picked under %s", what, prefix)
						} else {
							assert.Equal(t, -1, total)
						}
						for _, id := range page {
							got = append(got, id.String())
						}
						if len(page) < n {
							break
						}
						after = page[len(page)-1]
					}
					assert.Equal(t, wantPage, got, "%s: pages of %d under %s", what, n, prefix)
				}
			}
			return nil
		}))
		restoreLimit()
		restorePick()
	}
}

// iris is the IRIs as strings, nil for none.
func iris(ids []rdf.IRI) []string {
	var out []string
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}
