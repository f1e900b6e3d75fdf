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

// randomLiteral is a literal of one of the kinds the engine compares, some
// of them ill-formed.
func randomLiteral(rng *rand.Rand) rdf.Literal {
	x := func(local string) rdf.IRI { return vocab.IRI(vocab.XSD, local) }
	switch rng.IntN(12) {
	case 0:
		return typed(fmt.Sprint(rng.IntN(41)-20), x("integer"))
	case 1:
		return typed(fmt.Sprintf("%d.%d", rng.IntN(41)-20, rng.IntN(10)), x("decimal"))
	case 2:
		return typed(fmt.Sprintf("%.1fE%d", rng.Float64()*4-2, rng.IntN(3)), x("double"))
	case 3:
		return typed(fmt.Sprint(rng.IntN(41)-20), x([]string{"int", "long", "short", "byte"}[rng.IntN(4)]))
	case 4:
		return typed([]string{"INF", "-INF", "NaN", " 7 ", "abc", "1e400"}[rng.IntN(6)], x("double"))
	case 5:
		return typed(fmt.Sprintf("%.2f", rng.Float64()*40-20), x("float"))
	case 6, 7:
		h, m := rng.IntN(24), rng.IntN(60)
		tz := []string{"Z", "", "+02:00", "-05:30", "+14:00"}[rng.IntN(5)]
		return typed(fmt.Sprintf("2026-11-01T%02d:%02d:00%s", h, m, tz), x("dateTime"))
	case 8:
		return typed([]string{"2026-13-01T00:00:00Z", "2026-11-01", "24:00:00", "2026-11-01T24:00:00Z"}[rng.IntN(4)], x("dateTime"))
	case 9:
		return str(fmt.Sprint(rng.IntN(20)))
	case 10:
		return typed([]string{"true", "false", "1", "0"}[rng.IntN(4)], x("boolean"))
	}
	return typed(fmt.Sprint(rng.IntN(20)), iri("http://example.org/dt"))
}

// randomBound is a query value: a bare number, a typed literal, or a
// plain string that reads as a number or a dateTime.
func randomBound(rng *rand.Rand) string {
	switch rng.IntN(5) {
	case 0:
		return fmt.Sprint(rng.IntN(41) - 20)
	case 1:
		return fmt.Sprintf("%.1f", rng.Float64()*40-20)
	case 2:
		return fmt.Sprintf(`"%.1fE1"^^xsd:double`, rng.Float64()*4-2)
	case 3:
		return fmt.Sprintf(`"%d"`, rng.IntN(41)-20)
	}
	return fmt.Sprintf(`"2026-11-01T%02d:%02d:00%s"`, rng.IntN(24), rng.IntN(60), []string{"Z", "+01:00", ""}[rng.IntN(3)])
}

// TestIndexAgreesWithCheck runs comparisons two ways: answered from the
// store's indexes (the condition drives) and checked per candidate (a
// selective condition drives), on random values of every kind. Both must
// find the same members.
func TestIndexAgreesWithCheck(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{NoSync: true}))
	require.NoError(t, err)
	defer db.Close()
	rng := rand.New(rand.NewPCG(7, 11))
	v, kind := iri("http://example.org/ns#v"), iri("http://example.org/ns#kind")
	var rs []store.Resource
	for i := range 300 {
		id := iri(fmt.Sprintf("%sv%03d", records, i))
		g := []rdf.Triple{tr(id, vocab.RDFType, vocab.PMRecord), tr(id, kind, iri("http://example.org/ns#k"))}
		for range 1 + rng.IntN(2) {
			g = append(g, tr(id, v, randomLiteral(rng)))
		}
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Load(context.Background(), rs))
	prefixes := parser.Prefixes{{Prefix: "ex", IRI: "http://example.org/ns#"}}.Map(parser.DefaultPrefixes())
	runWhere := func(where string) []string {
		w, err := parser.ParseWhere(where, prefixes)
		require.NoError(t, err, where)
		var res *query.Result
		require.NoError(t, db.View(context.Background(), func(s *store.Snapshot) error {
			res, err = query.Run(context.Background(), boltsource.NewSource(s), recordScope, &query.Query{Where: w}, query.Page{})
			return err
		}))
		return ids(res)
	}
	ops := []string{"=", "!=", "<", "<=", ">", ">="}
	nonEmpty := 0
	for i := range 200 {
		op, b := ops[rng.IntN(len(ops))], randomBound(rng)
		cond := "ex:v" + op + b
		if i%3 == 0 {
			cond += " and ex:v" + ops[2+rng.IntN(4)] + randomBound(rng)
		}
		indexed := runWhere(cond)
		// Without probes the equality, first in probe order, drives.
		restore := query.SetProbeBudget(0)
		checked := runWhere("ex:kind=<http://example.org/ns#k> and " + cond)
		restore()
		assert.Equal(t, indexed, checked, cond)
		nonEmpty += min(1, len(indexed))
	}
	assert.Greater(t, nonEmpty, 100, "most conditions match something")
}

// randomMeasures returns up to three measures of record id, as blank
// nodes or fragment IRIs, each with one or two ns("metric") values mN,
// some ns("v") values (randomLiteral) and perhaps an ns("unit") uN,
// stated by id's own graph.
func randomMeasures(rng *rand.Rand, id rdf.IRI, ns func(string) rdf.IRI) []rdf.Triple {
	obs, metric, v, unit := ns("obs"), ns("metric"), ns("v"), ns("unit")
	pick := func(l string, n int) rdf.IRI { return ns(fmt.Sprintf("%s%d", l, rng.IntN(n))) }
	var g []rdf.Triple
	for j := range rng.IntN(4) {
		var node rdf.Subject = blank(fmt.Sprintf("m%d", j))
		if rng.IntN(2) == 0 {
			node = iri(fmt.Sprintf("%s#m%d", id, j))
		}
		g = append(g, tr(id, obs, node.(rdf.Object)))
		for range 1 + rng.IntN(2) {
			g = append(g, tr(node, metric, pick("m", 4)))
		}
		for range rng.IntN(3) {
			g = append(g, tr(node, v, randomLiteral(rng)))
		}
		if rng.IntN(3) == 0 {
			g = append(g, tr(node, unit, pick("u", 2)))
		}
	}
	return g
}
