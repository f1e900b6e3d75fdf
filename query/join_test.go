package query_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// plainSource hides every method of the store's source but Source's, so
// the engine plans as for any source: no joins, no quads, no text index.
type plainSource struct{ query.Source }

// TestJoinAgreesWithProbes runs random conjunctions, at the top and in
// scoped terms, with the planner joining every pair of conditions by
// their index keys, and on a source that cannot join: both must find the
// same members, totals and pages. Scopes without types are answered by
// resource sets (store.ResourceSet), with resources outside the prefix,
// staged ones, and nodes of one record described by another.
func TestJoinAgreesWithProbes(t *testing.T) {
	ns := func(l string) rdf.IRI { return iri("http://example.org/ns#" + l) }
	// ex:metric and ex:v are also a pair index, so the nested conditions
	// are read from it, across nodes stated by two resources too.
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), &store.Options{NoSync: true, TextPredicates: vocab.TextIndexed, Pairs: []store.Pair{{Key: ns("metric"), Value: ns("v")}}})
	require.NoError(t, err)
	defer db.Close()
	rng := rand.New(rand.NewPCG(3, 5))
	obs, metric, v, kind := ns("obs"), ns("metric"), ns("v"), ns("kind")
	pick := func(l string, n int) rdf.IRI { return ns(fmt.Sprintf("%s%d", l, rng.IntN(n))) }
	var rs []store.Resource
	for i := range 400 {
		id := iri(fmt.Sprintf("%sj%03d", records, i))
		g := []rdf.Triple{tr(id, vocab.RDFType, vocab.PMRecord), tr(id, kind, pick("k", 3))}
		if i%5 != 0 {
			// A sort key with ties, and members without it.
			g = append(g, tr(id, ns("n"), typed(fmt.Sprint(rng.IntN(60)), vocab.XSDInteger)))
		}
		for range rng.IntN(3) {
			g = append(g, tr(id, v, randomLiteral(rng)))
		}
		g = append(g, randomMeasures(rng, id, ns)...)
		// Statements about another record's fragment node: a node
		// described in two graphs.
		if i > 0 && rng.IntN(10) == 0 {
			other := iri(fmt.Sprintf("%sj%03d#m0", records, rng.IntN(i)))
			g = append(g, tr(other, metric, pick("m", 4)), tr(other, v, randomLiteral(rng)))
		}
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	// Under another prefix, and a prefix inside the records'.
	for i := range 30 {
		id := iri(fmt.Sprintf("%sh%02d", hosts, i))
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{tr(id, kind, pick("k", 3)), tr(id, v, randomLiteral(rng))}})
	}
	// Staged records, listed by the index from what loaded records say
	// of them.
	var staged []store.Resource
	for i := range 5 {
		id := iri(fmt.Sprintf("%sj%03d", records, 400+i))
		g := []rdf.Triple{tr(id, vocab.RDFType, vocab.PMRecord), tr(id, kind, pick("k", 3))}
		staged = append(staged, store.Resource{ID: id, Triples: g})
		rs[i].Triples = append(rs[i].Triples, tr(id, kind, pick("k", 3)), tr(id, v, randomLiteral(rng)), tr(id, obs, iri(fmt.Sprintf("%sj%03d#m0", records, i))))
	}
	require.NoError(t, db.Load(context.Background(), rs))
	require.NoError(t, db.Stage(context.Background(), staged))
	prefixes := parser.Prefixes{{Prefix: "ex", IRI: "http://example.org/ns#"}}.Map(parser.DefaultPrefixes())

	type answer struct {
		all   []string
		total int
		pages []string
	}
	answerOf := func(scope query.Scope, where, orderBy string, join bool) answer {
		w, err := parser.ParseWhere(where, prefixes)
		require.NoError(t, err, where)
		q := &query.Query{Where: w}
		if orderBy != "" {
			q.OrderBy, err = parser.ParseOrderBy(orderBy, prefixes)
			require.NoError(t, err, orderBy)
		}
		a := answer{pages: []string{}}
		require.NoError(t, db.View(context.Background(), func(s *store.Snapshot) error {
			var src query.Source = boltsource.NewSource(s)
			if !join {
				src = plainSource{src}
			}
			res, err := query.Run(context.Background(), src, scope, q, query.Page{})
			if err != nil {
				return err
			}
			a.all = ids(res)
			page := query.Page{Size: 7}
			for n := 0; ; n++ {
				res, err := query.Run(context.Background(), src, scope, q, page)
				if err != nil {
					return err
				}
				if n == 0 {
					a.total = res.Total
				}
				a.pages = append(a.pages, ids(res)...)
				if res.Next == "" {
					return nil
				}
				page = query.Page{Size: 7, After: res.Next, NoTotal: true}
			}
		}))
		return a
	}
	ops := []string{"=", "<", "<=", ">", ">="}
	cmp := func(p string) string { return p + ops[rng.IntN(len(ops))] + randomBound(rng) }
	restore := query.SetJoinProbe(0)
	defer restore()
	nonEmpty := 0
	for i := range 150 {
		var where string
		switch i % 5 {
		case 0:
			where = fmt.Sprintf("ex:obs{ex:metric=ex:m%d and %s}", rng.IntN(4), cmp("ex:v"))
		case 1:
			where = fmt.Sprintf("ex:obs{ex:metric in [ex:m%d,ex:m%d] and ex:v>%s and ex:v<%s}", rng.IntN(4), rng.IntN(4), randomBound(rng), randomBound(rng))
		case 2:
			where = fmt.Sprintf("ex:obs{ex:metric=ex:m%d and %s and ex:unit!=ex:u%d}", rng.IntN(4), cmp("ex:v"), rng.IntN(2))
		case 3:
			where = fmt.Sprintf("ex:kind=ex:k%d and %s", rng.IntN(3), cmp("ex:v"))
		default:
			where = fmt.Sprintf("ex:kind=ex:k%d and ex:obs{ex:metric=ex:m%d and ex:unit=ex:u%d}", rng.IntN(3), rng.IntN(4), rng.IntN(2))
		}
		orderBy := []string{"", "-ex:v", "+ex:kind,-ex:v", "-ex:n", "+ex:n,+ex:kind"}[(i/5)%5]
		for _, scope := range []query.Scope{recordScope, {Prefix: records}, {Prefix: records + "j1"}, {Prefix: base}} {
			var joined answer
			if i%2 == 1 {
				// With no probe budget every index looks large: the join
				// drives, and metric=X and v in a range come from the pair
				// index.
				restoreBudget := query.SetProbeBudget(0)
				joined = answerOf(scope, where, orderBy, true)
				restoreBudget()
			} else {
				joined = answerOf(scope, where, orderBy, true)
			}
			probed := answerOf(scope, where, orderBy, false)
			what := fmt.Sprintf("%s ordered by %q in %+v", where, orderBy, scope)
			assert.Equal(t, probed.all, joined.all, what)
			assert.Equal(t, len(probed.all), joined.total, what)
			assert.Equal(t, probed.total, joined.total, what)
			assert.Equal(t, probed.all, joined.pages, what)
			if scope.Prefix == records {
				nonEmpty += min(1, len(joined.all))
			}
		}
	}
	assert.Greater(t, nonEmpty, 60, "most conditions match something")
}
