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

// TestKeyWalksAgreeWithScans pages through members in the order of a key
// walked in index order (a nested value with no condition: walkRange up
// the path; an immediate one of a resource set the walk is cheaper for)
// and through the same members found by a scan, which a condition no index
// answers forces, and wants the same pages: ties, members with several
// values, nodes shared by two members, members without a value, both
// directions, with and without a total.
func TestKeyWalksAgreeWithScans(t *testing.T) {
	ctx := context.Background()
	ns := func(l string) rdf.IRI { return iri("http://example.org/ns#" + l) }
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), &store.Options{NoSync: true})
	require.NoError(t, err)
	defer db.Close()
	rng := rand.New(rand.NewPCG(3, 5))
	obs, v, kind := ns("obs"), ns("v"), ns("kind")
	num := func() rdf.Literal {
		switch rng.IntN(4) {
		case 0:
			return typed(fmt.Sprint(rng.IntN(5)), vocab.XSDInteger) // ties
		case 1:
			return typed(fmt.Sprintf("%.2f", rng.Float64()*100-50), vocab.IRI(vocab.XSD, "double"))
		case 2:
			return typed(fmt.Sprintf("2026-11-01T%02d:00:00Z", rng.IntN(24)), vocab.XSDDateTime)
		}
		return typed(fmt.Sprint(rng.IntN(1000)), vocab.XSDInteger)
	}
	var rs []store.Resource
	for i := range 200 {
		id := iri(fmt.Sprintf("%sw%03d", records, i))
		g := []rdf.Triple{tr(id, vocab.RDFType, vocab.PMRecord), tr(id, kind, ns(fmt.Sprintf("k%d", i%3)))}
		if i%9 != 0 {
			g = append(g, tr(id, v, num()))
			if rng.IntN(4) == 0 {
				g = append(g, tr(id, v, num()))
			}
		}
		for j := range rng.IntN(4) {
			var node rdf.Subject = blank(fmt.Sprintf("m%d", j))
			if rng.IntN(2) == 0 {
				node = iri(fmt.Sprintf("%s#m%d", id, j))
			}
			g = append(g, tr(id, obs, node.(rdf.Object)))
			for range rng.IntN(3) {
				g = append(g, tr(node, v, num()))
			}
		}
		if i > 0 && rng.IntN(15) == 0 {
			// A node of another record, which this one observes too.
			g = append(g, tr(id, obs, iri(fmt.Sprintf("%sw%03d#m0", records, rng.IntN(i)))))
		}
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Load(ctx, rs))
	prefixes := parser.Prefixes{{Prefix: "ex", IRI: "http://example.org/ns#"}}.Map(parser.DefaultPrefixes())
	pages := func(where, orderBy string, size int, noTotal bool) (out [][]string, totals []int) {
		q := &query.Query{}
		if where != "" {
			q.Where, err = parser.ParseWhere(where, prefixes)
			require.NoError(t, err)
		}
		q.OrderBy, err = parser.ParseOrderBy(orderBy, prefixes)
		require.NoError(t, err)
		page := query.Page{Size: size, NoTotal: noTotal}
		for range 1000 {
			var res *query.Result
			require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
				res, err = query.Run(ctx, boltsource.NewSource(s), recordScope, q, page)
				return err
			}))
			out, totals = append(out, ids(res)), append(totals, res.Total)
			if res.Next == "" {
				return out, totals
			}
			page.After = res.Next
		}
		t.Fatal("too many pages")
		return nil, nil
	}
	for _, tc := range []struct{ walk, scan string }{
		{"", "ex:kind!=ex:none"},                                // nested keys, no condition
		{"ex:kind=ex:k1", "ex:kind=ex:k1 and ex:kind!=ex:none"}, // a resource set
	} {
		for _, orderBy := range []string{"ex:obs{+ex:v}", "ex:obs{-ex:v}", "+ex:v", "-ex:v", "ex:obs{-ex:v},+ex:kind"} {
			for _, size := range []int{3, 40} {
				for _, noTotal := range []bool{false, true} {
					what := fmt.Sprintf("where %q orderBy %s size %d noTotal %v", tc.walk, orderBy, size, noTotal)
					walked, wt := pages(tc.walk, orderBy, size, noTotal)
					scanned, st := pages(tc.scan, orderBy, size, noTotal)
					assert.Equal(t, scanned, walked, what)
					assert.Equal(t, st, wt, what)
				}
			}
		}
	}
}

// scanSpy is a Source that counts the walks of every stored resource
// (Resources), which a walk in key order never makes and a scan does.
type scanSpy struct {
	query.Source
	scans int
}

func (s *scanSpy) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	s.scans++
	return s.Source.Resources(ctx, after, fn)
}

// TestKeyWalkThroughTies orders by a nested value most members share: the
// walk in key order must read the whole run of that value to order it by
// IRI, and every value of the run leads to a member, so it is walked
// however long, not given up for a scan of every member (at a million
// records, measures of 0 outnumbered the walk's bound and the page took
// minutes). The scope has no types: a scan would walk the resources.
func TestKeyWalkThroughTies(t *testing.T) {
	ctx := context.Background()
	ns := func(l string) rdf.IRI { return iri("http://example.org/ns#" + l) }
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), &store.Options{NoSync: true})
	require.NoError(t, err)
	defer db.Close()
	obs, v := ns("obs"), ns("v")
	var rs []store.Resource
	for i := range 300 {
		id := iri(fmt.Sprintf("%st%03d", records, (i*7)%300))
		node := iri(id.String() + "#m1")
		value := "0" // ties: 250 members
		if i%6 == 0 {
			value = fmt.Sprint(i + 1)
		}
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{
			tr(id, vocab.RDFType, vocab.PMRecord), tr(id, obs, node), tr(node, v, typed(value, vocab.XSDInteger)),
		}})
	}
	require.NoError(t, db.Load(ctx, rs))
	defer query.SetProbeBudget(1)() // the walk's bound: 16 values without a member
	prefixes := parser.Prefixes{{Prefix: "ex", IRI: "http://example.org/ns#"}}.Map(parser.DefaultPrefixes())
	q := &query.Query{}
	q.OrderBy, err = parser.ParseOrderBy("ex:obs{+ex:v}", prefixes)
	require.NoError(t, err)
	var res *query.Result
	spy := &scanSpy{}
	require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
		spy.Source = boltsource.NewSource(s)
		res, err = query.Run(ctx, spy, query.Scope{Prefix: records}, q, query.Page{Size: 3, NoTotal: true})
		return err
	}))
	assert.Equal(t, []string{"t001", "t002", "t003"}, ids(res))
	assert.Zero(t, spy.scans, "walked the run of ties, did not scan")
}
