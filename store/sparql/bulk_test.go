package sparql_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
)

// TestBulkLoad: BulkWriters' TriG documents, loaded by Virtuoso's bulk
// loader, are the store Load would have made: the resources read back as
// written, one creation event each, numbered on across the documents, and
// the next write's event follows them once Open has synced the counter.
func TestBulkLoad(t *testing.T) {
	ctx := t.Context()
	db := sparqltest.Open(t)
	srv := sparqltest.Current(t)
	p := iri("http://example.org/p")
	var rs []store.Resource
	for i := range 5 {
		id := iri(fmt.Sprintf("http://example.org/r/%d", i))
		m := iri(id.String() + "#m")
		b, _ := rdf.NewBlank("x")
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{
			{Subj: id, Pred: p, Obj: xsd(fmt.Sprint(i), "integer")},
			{Subj: id, Pred: p, Obj: m},
			{Subj: m, Pred: p, Obj: xsd(`say "hi"`+"\n", "string")},
			{Subj: m, Pred: p, Obj: b},
			{Subj: b, Pred: p, Obj: xsd("2026-12-07T01:00:00+01:00", "dateTime")},
		}})
	}
	// Two documents, loaded one after the other, the second numbering its
	// events on from the first's.
	loader := sparql.VirtuosoLoader{Addr: fmt.Sprintf("127.0.0.1:%d", srv.SQLPort)}
	var first uint64 = 1
	for part, rs := range [][]store.Resource{rs[:3], rs[3:]} {
		name := filepath.Join(srv.Dir(), fmt.Sprintf("bulk-%d-%d.trig", os.Getpid(), part))
		f, err := os.Create(name)
		require.NoError(t, err)
		defer os.Remove(name)
		bw := sparql.NewBulkWriter(f, db.Options())
		bw.FirstOrder(first)
		require.NoError(t, bw.Write(rs[:1]))
		require.NoError(t, bw.Write(rs[1:]))
		require.ErrorIs(t, bw.Write(rs[:1]), store.ErrInvalid, "a resource written twice")
		require.NoError(t, bw.Flush())
		require.NoError(t, f.Close())
		require.Equal(t, uint64(len(rs)), bw.Events())
		first += bw.Events()
		require.NoError(t, loader.Load(ctx, name))
	}

	db = sparqltest.Reopen(t, db) // syncs the counter
	for _, r := range rs {
		got, etag, err := db.Get(ctx, r.ID)
		require.NoError(t, err)
		assert.NotEmpty(t, etag)
		assert.Len(t, got, len(r.Triples), "%s", r.ID)
		assert.Contains(t, got, r.Triples[2])
	}
	id := iri("http://example.org/r/new")
	_, err := db.Create(ctx, id, []rdf.Triple{{Subj: id, Pred: p, Obj: xsd("1", "integer")}})
	require.NoError(t, err)
	cs := changesAfter(t, db, 0)
	require.Len(t, cs, 6)
	for i, c := range cs {
		assert.Equal(t, uint64(i+1), c.Order)
		assert.Equal(t, store.Created, c.Kind)
	}
	assert.Equal(t, rs[4].ID, cs[4].ID)
	assert.Equal(t, id, cs[5].ID)
}
