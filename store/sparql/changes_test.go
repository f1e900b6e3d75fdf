package sparql_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
)

func changesAfter(t *testing.T, db *sparql.DB, after uint64) []store.Change {
	t.Helper()
	var cs []store.Change
	require.NoError(t, db.ViewChanges(context.Background(), func(cv store.ChangeView) error {
		return cv.ChangesAfter(context.Background(), after, func(c store.Change) bool {
			cs = append(cs, c)
			return true
		})
	}))
	return cs
}

// TestChangeLog: every write logs one event in its own request, in
// order; Changes lists them newest first; TrimChanges drops the oldest
// and orders go on.
func TestChangeLog(t *testing.T) {
	ctx := context.Background()
	db := sparqltest.Open(t)
	p := iri("http://example.org/p")
	a, b := iri("http://example.org/r/a"), iri("http://example.org/r/b")
	g := func(id rdf.IRI, v string) []rdf.Triple {
		return []rdf.Triple{{Subj: id, Pred: p, Obj: xsd(v, "string")}}
	}
	etag, err := db.Create(ctx, a, g(a, "1"))
	require.NoError(t, err)
	_, err = db.Create(ctx, a, g(a, "x"))
	require.ErrorIs(t, err, store.ErrExists)
	_, err = db.Replace(ctx, a, g(a, "2"), etag)
	require.NoError(t, err)
	_, err = db.Replace(ctx, a, g(a, "3"), etag)
	require.ErrorIs(t, err, store.ErrPreconditionFailed)
	require.NoError(t, db.Load(ctx, []store.Resource{{ID: b, Triples: g(b, "1")}, {ID: a, Triples: g(a, "4")}}))
	require.NoError(t, db.Delete(ctx, b, ""))
	type ev struct {
		Order uint64
		Kind  store.ChangeKind
		ID    string
	}
	var got []ev
	for _, c := range changesAfter(t, db, 0) {
		assert.False(t, c.Time.IsZero())
		got = append(got, ev{c.Order, c.Kind, c.ID.String()})
	}
	assert.Equal(t, []ev{{1, store.Created, a.String()}, {2, store.Modified, a.String()}, {3, store.Created, b.String()}, {4, store.Modified, a.String()}, {5, store.Deleted, b.String()}}, got)
	var newest []uint64
	require.NoError(t, db.ViewChanges(ctx, func(cv store.ChangeView) error {
		lo, hi := cv.ChangeSpan()
		assert.Equal(t, [2]uint64{1, 5}, [2]uint64{lo, hi})
		return cv.Changes(ctx, 4, func(c store.Change) bool { newest = append(newest, c.Order); return true })
	}))
	assert.Equal(t, []uint64{3, 2, 1}, newest)
	n, err := db.TrimChanges(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	_, err = db.Create(ctx, b, g(b, "5"))
	require.NoError(t, err)
	cs := changesAfter(t, db, 0)
	require.Len(t, cs, 4)
	assert.Equal(t, uint64(3), cs[0].Order)
	assert.Equal(t, uint64(6), cs[3].Order)
}

// TestChangeLogWriters: four stores over one SPARQL store (four
// providers) write at once; every event has an order of its own.
func TestChangeLogWriters(t *testing.T) {
	ctx := context.Background()
	one := sparqltest.Open(t)
	dbs := []*sparql.DB{one, sparqltest.Reopen(t, one), sparqltest.Reopen(t, one), sparqltest.Reopen(t, one)}
	p := iri("http://example.org/p")
	var wg sync.WaitGroup
	const each = 15
	for w, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := iri(fmt.Sprintf("http://example.org/r/%d-%d", w, i))
				_, err := db.Create(ctx, id, []rdf.Triple{{Subj: id, Pred: p, Obj: xsd("v", "string")}})
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assertOneEventEach(t, one, len(dbs)*each)
}

// TestChangeLogLoaders: four stores Loading batches at once into one
// SPARQL store: every resource gets one event, no order is taken twice.
func TestChangeLogLoaders(t *testing.T) {
	ctx := context.Background()
	one := sparqltest.Open(t)
	dbs := []*sparql.DB{one, sparqltest.Reopen(t, one), sparqltest.Reopen(t, one), sparqltest.Reopen(t, one)}
	p := iri("http://example.org/p")
	var wg sync.WaitGroup
	const batches, size = 8, 6
	for w, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var rs []store.Resource
				for i := range size {
					id := iri(fmt.Sprintf("http://example.org/r/%d-%d-%d", w, b, i))
					rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{{Subj: id, Pred: p, Obj: xsd("v", "string")}}})
				}
				assert.NoError(t, db.Load(ctx, rs))
			}
		}()
	}
	wg.Wait()
	assertOneEventEach(t, one, len(dbs)*batches*size)
}

// assertOneEventEach checks that the log of db holds one event for each
// of n resources, no order taken twice.
func assertOneEventEach(t *testing.T, db *sparql.DB, n int) {
	t.Helper()
	cs := changesAfter(t, db, 0)
	seen := map[uint64]bool{}
	ids := map[string]bool{}
	for _, c := range cs {
		assert.False(t, seen[c.Order], "order %d twice", c.Order)
		seen[c.Order] = true
		ids[c.ID.String()] = true
	}
	assert.Len(t, ids, n)
	assert.Len(t, cs, n)
}
