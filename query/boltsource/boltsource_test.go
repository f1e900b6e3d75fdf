package boltsource_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

func open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), &store.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestNotFound checks that a missing resource is the store's and the
// contract's error, in a view and out of one, with the store's message.
func TestNotFound(t *testing.T) {
	ctx := context.Background()
	db := boltsource.New(open(t))
	id, err := rdf.NewIRI("http://example.org/none")
	require.NoError(t, err)
	_, _, err = db.Get(ctx, id)
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.ErrorIs(t, err, query.ErrNotFound)
	assert.Equal(t, store.ErrNotFound.Error(), err.Error())
	require.NoError(t, db.View(ctx, func(src query.Source) error {
		_, _, err := src.Get(ctx, id)
		assert.ErrorIs(t, err, store.ErrNotFound)
		assert.ErrorIs(t, err, query.ErrNotFound)
		return nil
	}))
}

// TestPassThrough writes and reads through the DB, and sees the writes in
// a view: staged ones too.
func TestPassThrough(t *testing.T) {
	ctx := context.Background()
	sdb := open(t)
	db := boltsource.New(sdb)
	assert.Same(t, sdb, db.Store())
	iri := func(s string) rdf.IRI {
		i, err := rdf.NewIRI("http://example.org/" + s)
		require.NoError(t, err)
		return i
	}
	res := func(id rdf.IRI, title string) store.Resource {
		return store.Resource{ID: id, Triples: []rdf.Triple{{Subj: id, Pred: vocab.DCTitle, Obj: rdf.NewTypedLiteral(title, vocab.XSDString)}}}
	}
	a, b, c := iri("a"), iri("b"), iri("c")
	etag, err := db.Create(ctx, a, res(a, "one").Triples)
	require.NoError(t, err)
	etag, err = db.Replace(ctx, a, res(a, "two").Triples, etag)
	require.NoError(t, err)
	g, got, err := db.Get(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, etag, got)
	assert.Equal(t, res(a, "two").Triples, g)
	require.NoError(t, db.Load(ctx, []store.Resource{res(b, "three")}))
	require.NoError(t, db.Stage(ctx, []store.Resource{res(c, "four")}))
	n, err := db.Staged()
	require.NoError(t, err)
	assert.LessOrEqual(t, n, 1, "Stage stages what it writes, until the merger indexes it")
	var ids []string
	require.NoError(t, db.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
		ids = append(ids, id.String())
		return true
	}))
	assert.Equal(t, []string{a.String(), b.String(), c.String()}, ids, "staged resources are listed at once")
	require.NoError(t, db.View(ctx, func(src query.Source) error {
		ok, err := src.Exists(ctx, c)
		require.NoError(t, err)
		assert.True(t, ok, "a staged resource exists")
		_, ok = src.(boltsource.RecordReader)
		assert.True(t, ok, "a view reads records")
		return nil
	}))
	_, err = db.Merge(ctx, 10)
	require.NoError(t, err)
	n, err = db.Staged()
	require.NoError(t, err)
	assert.Zero(t, n, "Merge indexes what is staged")
	require.NoError(t, db.Delete(ctx, b, ""))
	_, _, err = db.Get(ctx, b)
	assert.ErrorIs(t, err, query.ErrNotFound)
}

// TestForeignHandles checks that a handle of another source is an error,
// not a panic.
func TestForeignHandles(t *testing.T) {
	ctx := context.Background()
	db := boltsource.New(open(t))
	require.NoError(t, db.View(ctx, func(src query.Source) error {
		acc := src.(query.Accelerator)
		_, _, err := acc.PageUnder(ctx, fakeSet{}, query.PageOptions{Count: true})
		assert.Error(t, err)
		_, _, err = acc.PageHits(ctx, fakeHits{}, nil, query.PageOptions{Count: true})
		assert.Error(t, err)
		_, err = acc.RangeIn(ctx, vocab.DCDate, nil, nil, query.RangeInOptions{Set: fakeSet{}}, func(rdf.Subject, rdf.Literal) bool { return true })
		assert.Error(t, err)
		return nil
	}))
}

type fakeSet struct{}

func (fakeSet) Len() int { return 0 }

type fakeHits struct{}

func (fakeHits) Len() int     { return 0 }
func (fakeHits) TF(int) []int { return nil }
func (fakeHits) DF() []int    { return nil }

// TestTextFeatureFollowsTheIndex: the engine is offered the store's text
// index only when it holds the properties oslc.searchTerms searches.
func TestTextFeatureFollowsTheIndex(t *testing.T) {
	other, _ := rdf.NewIRI("http://example.org/ns#note")
	for _, c := range []struct {
		name  string
		preds []rdf.IRI
		want  bool
	}{
		{"no text index", nil, false},
		{"the searched properties", query.TextPredicates(), true},
		{"other properties", []rdf.IRI{other}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), &store.Options{NoSync: true, TextPredicates: c.preds})
			require.NoError(t, err)
			defer db.Close()
			err = boltsource.New(db).View(context.Background(), func(src query.Source) error {
				f := src.(query.Accelerator).Features()
				assert.Equal(t, c.want, f.Text, "Text")
				assert.Equal(t, c.want, f.Hits, "Hits")
				assert.True(t, f.Join, "Join")
				return nil
			})
			require.NoError(t, err)
		})
	}
}
