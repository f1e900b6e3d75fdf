package store_test

import (
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// TestReclaimInOneTransaction checks which terms survive when several
// writes of one transaction drop and take up the same terms: the writer
// reclaims terms once the transaction's keys are written.
func TestReclaimInOneTransaction(t *testing.T) {
	ctx := t.Context()
	db, _ := openDB(t, &store.Options{NoSync: true})
	a, b, c := ex("a"), ex("b"), ex("c")
	shared, only := str("shared"), str("only in a")
	terms := func() int64 {
		st, err := db.Stats(ctx)
		require.NoError(t, err)
		return st.Terms
	}
	res := func(id rdf.IRI, g ...rdf.Triple) store.Resource { return store.Resource{ID: id, Triples: g} }

	// a, b, ex:p, "shared", "only in a", ex:x.
	require.NoError(t, db.Load(ctx, []store.Resource{
		res(a, tr(a, ex("p"), shared), tr(a, ex("p"), only)),
		res(b, tr(b, ex("p"), shared), tr(b, ex("p"), ex("x"))),
	}))
	assert.Equal(t, int64(6), terms())

	// Both drop "shared" in one Load: it goes, as does "only in a"; c
	// takes up ex:x as a subject, which b drops.
	require.NoError(t, db.Load(ctx, []store.Resource{
		res(a, tr(a, ex("p"), ex("y"))),
		res(b, tr(b, ex("p"), ex("y"))),
		res(c, tr(ex("x"), ex("p"), ex("y"))),
	}))
	// a, b, c, ex:p, ex:y, ex:x.
	assert.Equal(t, int64(6), terms())

	// One write drops a term and a later one of the same transaction
	// takes it up again, once as a predicate, once as an object; another
	// drops a term that a resource deleted before it in the transaction
	// used too.
	require.NoError(t, db.Load(ctx, []store.Resource{
		res(a, tr(a, ex("q"), shared)),
		res(c, tr(c, ex("y"), ex("y"))),
		res(b, tr(b, ex("q"), ex("z"))),
	}))
	// a, b, c, ex:q, "shared", ex:y, ex:z; not ex:p, nor ex:x.
	assert.Equal(t, int64(7), terms())
	g, _, err := db.Get(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, []rdf.Triple{tr(c, ex("y"), ex("y"))}, g)

	// Blank nodes go with their version, and a deleted resource's IRI
	// stays while another resource refers to it.
	require.NoError(t, db.Load(ctx, []store.Resource{
		res(a, tr(a, ex("q"), blank("n")), tr(blank("n"), ex("q"), b)),
	}))
	assert.Equal(t, int64(7), terms()) // "shared" went, a blank node came
	require.NoError(t, db.Load(ctx, []store.Resource{
		res(a, tr(a, ex("q"), b)),
	}))
	assert.Equal(t, int64(6), terms())
	require.NoError(t, db.Delete(ctx, b, ""))
	// a, b (a refers to it), c, ex:q, ex:y; ex:z went with b.
	assert.Equal(t, int64(5), terms())
}
