package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// checkRecords returns n small records, numbered from first, each with a
// title, a date and a blank-node measure.
func checkRecords(t *testing.T, first, n int) []Resource {
	t.Helper()
	must := func(s string) rdf.IRI {
		i, err := rdf.NewIRI(s)
		require.NoError(t, err)
		return i
	}
	typ, title, date, obs, val := must("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), must("http://purl.org/dc/terms/title"),
		must("http://purl.org/dc/terms/date"), must("http://example.org/observes"), must("http://example.org/value")
	metric := must("http://example.org/metric")
	rs := make([]Resource, n)
	for i := range rs {
		id := must(fmt.Sprintf("http://example.org/records/%d", first+i))
		m, err := rdf.NewBlank("m")
		require.NoError(t, err)
		rs[i] = Resource{ID: id, Triples: []rdf.Triple{
			{Subj: id, Pred: typ, Obj: must("http://example.org/Record")},
			{Subj: id, Pred: title, Obj: rdf.NewTypedLiteral(fmt.Sprintf("record %d", first+i), must("http://www.w3.org/2001/XMLSchema#string"))},
			{Subj: id, Pred: date, Obj: rdf.NewTypedLiteral(fmt.Sprintf("2026-12-07T10:%02d:00Z", (first+i)%60), must("http://www.w3.org/2001/XMLSchema#dateTime"))},
			{Subj: id, Pred: obs, Obj: m},
			{Subj: m, Pred: val, Obj: rdf.NewTypedLiteral(fmt.Sprintf("%d.5", first+i), must("http://www.w3.org/2001/XMLSchema#double"))},
			{Subj: m, Pred: metric, Obj: must(fmt.Sprintf("http://example.org/metrics/%d", (first+i)%3))},
		}}
	}
	return rs
}

// checkOptions index the titles of checkRecords as text, and two pairs:
// a record's type with its date, and its measure's metric with its
// value, through observes.
func checkOptions(t *testing.T) *Options {
	must := func(s string) rdf.IRI {
		i, err := rdf.NewIRI(s)
		require.NoError(t, err)
		return i
	}
	return &Options{NoSync: true, TextPredicates: []rdf.IRI{must("http://purl.org/dc/terms/title")}, Pairs: []Pair{
		{Key: must("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), Value: must("http://purl.org/dc/terms/date")},
		{Key: must("http://example.org/metric"), Value: must("http://example.org/value"), Via: must("http://example.org/observes")},
	}}
}

// TestCheck: a store written by loads, a bulk load, replaces and deletes
// checks clean, with the counts Stats gives; each kind of damage is
// reported, and the read is one snapshot of an open store.
func TestCheck(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "pm.db")
	db, err := Open(path, checkOptions(t))
	require.NoError(t, err)
	_, err = db.BeginBulk(ctx)
	require.NoError(t, err)
	require.NoError(t, db.Load(ctx, checkRecords(t, 0, 3000)))
	require.NoError(t, db.EndBulk(ctx))
	require.NoError(t, db.Load(ctx, checkRecords(t, 3000, 2000)))
	require.NoError(t, db.Load(ctx, checkRecords(t, 100, 500))) // replaces: new blank nodes, same rest
	for i := 1000; i < 1400; i++ {
		require.NoError(t, db.Delete(ctx, checkRecords(t, i, 1)[0].ID, ""))
	}
	rep, err := db.Check(ctx, 10)
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	st, err := db.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, st.Resources, rep.Resources)
	require.Equal(t, st.Triples, rep.Triples)
	require.Equal(t, st.Terms, rep.Terms)
	require.Equal(t, int64(4600), rep.Resources)
	require.Equal(t, rep.Triples, rep.SPOG)
	require.Equal(t, rep.Triples, rep.POSG)
	require.Empty(t, rep.Unchecked)
	// A title "record N" has two tokens; each record one key of each
	// pair, and one via key.
	require.Equal(t, 2*rep.Resources, rep.Text)
	require.Equal(t, 2*rep.Resources, rep.Pair)
	require.Equal(t, rep.Resources, rep.PairVia)

	// Damage, one kind at a time, each undone by rolling back: check runs
	// inside the damaging transaction, through a snapshot of it.
	damage := func(name string, fn func(tx *bolt.Tx) error, want string) {
		t.Helper()
		tx, err := db.db.Begin(true)
		require.NoError(t, err)
		defer tx.Rollback()
		require.NoError(t, fn(tx), name)
		var rep CheckReport
		err = (&Snapshot{db: db, tx: tx}).check(ctx, 10, &rep)
		require.NoError(t, err, name)
		require.False(t, rep.OK(), name)
		require.Contains(t, strings.Join(rep.Problems, "\n"), want, name)
	}
	id := checkRecords(t, 4000, 1)[0].ID
	gidOf := func(tx *bolt.Tx) []byte {
		return db.index(tx, bucketRID, layoutRID).get([]byte(id.String()))
	}
	damage("a dictionary entry gone", func(tx *bolt.Tx) error {
		x := db.index(tx, bucketI2T, layoutI2T)
		return x.apply([]op{{key: bytes.Clone(gidOf(tx)), del: true}})
	}, "its IRI is not in the dictionary")
	damage("a spog key gone", func(tx *bolt.Tx) error {
		gid := bytes.Clone(gidOf(tx))
		v, err := unpackRes(nil, tx.Bucket(bucketRes).Get(gid), binary.BigEndian.Uint64(gid))
		if err != nil {
			return err
		}
		var k [41]byte
		return db.index(tx, bucketSPOG, layoutSPOG).apply([]op{{key: spogKey(k[:0], v[headerLen:], gid), del: true}})
	}, "spog: "+id.String()+" lacks the key")
	damage("a resource gone from res", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRes).Delete(bytes.Clone(gidOf(tx)))
	}, "rid: 4600 resources named for 4599 stored")
	// A key gone from, or one added to, each derived index; a text
	// frequency changed.
	for _, b := range []struct {
		name   []byte
		l      *layout
		prefix string
	}{{bucketText, layoutText, "record"}, {bucketPair, layoutPair, ""}, {bucketPairVia, layoutPairVia, ""}} {
		first := func(tx *bolt.Tx) ([]byte, []byte) {
			k, v := newCursor(tx.Bucket(b.name), b.l).Seek([]byte(b.prefix))
			require.NotNil(t, k, "%s", b.name)
			return bytes.Clone(k), bytes.Clone(v)
		}
		damage(string(b.name)+": a key gone", func(tx *bolt.Tx) error {
			k, _ := first(tx)
			return index{b: tx.Bucket(b.name), l: b.l}.apply([]op{{key: k, del: true}})
		}, string(b.name)+": lacks key")
		damage(string(b.name)+": a key added", func(tx *bolt.Tx) error {
			k, v := first(tx)
			k[len(k)-1]++ // another graph
			return index{b: tx.Bucket(b.name), l: b.l}.apply([]op{{key: k, val: v}})
		}, string(b.name)+": holds key")
	}
	damage("text: a frequency changed", func(tx *bolt.Tx) error {
		k, v := newCursor(tx.Bucket(bucketText), layoutText).Seek([]byte("record"))
		require.Equal(t, countValue(1), v)
		return index{b: tx.Bucket(bucketText), l: layoutText}.apply([]op{{key: bytes.Clone(k), val: countValue(2)}})
	}, "text: key")
	damage("a counter off", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyTriples, u64(uint64(st.Triples+1)))
	}, "meta: the count of triples")

	require.NoError(t, db.Close())
	ro, err := Open(path, &Options{ReadOnly: true})
	require.NoError(t, err)
	defer ro.Close()
	rep, err = ro.Check(ctx, 10)
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
}
