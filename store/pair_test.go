package store_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/store"
)

func measureRecord(i int, metrics map[string]float64) (rdf.IRI, []rdf.Triple) {
	id := ex(fmt.Sprintf("rec/%d", i))
	var g []rdf.Triple
	n := 0
	names := make([]string, 0, len(metrics))
	for m := range metrics {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		n++
		node := iri(fmt.Sprintf("%s#m%d", id, n))
		g = append(g,
			rdf.Triple{Subj: id, Pred: exObserves, Obj: node},
			rdf.Triple{Subj: node, Pred: exMetric, Obj: ns(m)},
			rdf.Triple{Subj: node, Pred: exValue, Obj: rdf.NewTypedLiteral(fmt.Sprint(metrics[m]), xsdDouble)},
		)
	}
	return id, g
}

// pairSubjects lists the subjects of metric=m and value in (lo, ∞) through
// the pair index, and through the plain indexes for comparison.
func pairSubjects(t *testing.T, db *store.DB, m string, lo float64) (viaPair, viaScan []string) {
	ctx := context.Background()
	l := rdf.NewTypedLiteral(fmt.Sprint(lo), xsdDouble)
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		require.True(t, sn.HasPair(exMetric, exValue))
		p := store.Pattern{Pred: exValue, Lo: &l, With: exMetric, WithObj: ns(m)}
		if err := sn.Intersect(ctx, [][]store.Pattern{{p}}, func(s rdf.Subject) bool {
			viaPair = append(viaPair, s.String())
			return true
		}); err != nil {
			return err
		}
		both := [][]store.Pattern{
			{{Pred: exMetric, Obj: ns(m)}},
			{{Pred: exValue, Lo: &l}},
		}
		return sn.Intersect(ctx, both, func(s rdf.Subject) bool {
			viaScan = append(viaScan, s.String())
			return true
		})
	}))
	sort.Strings(viaPair)
	sort.Strings(viaScan)
	return viaPair, viaScan
}

// viaSubjects lists the subjects pointing by exObserves to a node with
// metric=m and value in (lo, ∞), with whether each is the resource
// stating that triple: through the via index, and through the pair index
// and ospg for comparison.
func viaSubjects(t *testing.T, db *store.DB, m string, lo float64) (viaIndex, viaScan []string) {
	ctx := context.Background()
	l := rdf.NewTypedLiteral(fmt.Sprint(lo), xsdDouble)
	list := func(sn *store.Snapshot, groups [][]store.Pattern) []string {
		seen := map[string]bool{}
		require.NoError(t, sn.IntersectVia(ctx, groups, exObserves, func(s rdf.Subject, resource bool) bool {
			seen[fmt.Sprintf("%s %v", s, resource)] = true
			return true
		}))
		var out []string
		for k := range seen {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		p := store.Pattern{Pred: exValue, Lo: &l, With: exMetric, WithObj: ns(m)}
		viaIndex = list(sn, [][]store.Pattern{{p}})
		// Two patterns in the group: not the via index's shape.
		viaScan = list(sn, [][]store.Pattern{{p, p}})
		return nil
	}))
	return viaIndex, viaScan
}

func TestPairIndexAgreesWithTheIndexes(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	rng := rand.New(rand.NewPCG(1, 2))
	metrics := []string{"CpuUsed", "RealMemoryUsed", "QueueDepth"}
	for i := 0; i < 300; i++ {
		ms := map[string]float64{}
		for _, m := range metrics {
			if rng.IntN(3) > 0 {
				ms[m] = float64(rng.IntN(200)) - 50
			}
		}
		id, g := measureRecord(i, ms)
		switch i % 3 {
		case 0:
			_, err := db.Create(ctx, id, g)
			require.NoError(t, err)
		case 1:
			require.NoError(t, db.Load(ctx, []store.Resource{{ID: id, Triples: g}}))
		default:
			require.NoError(t, db.Stage(ctx, []store.Resource{{ID: id, Triples: g}}))
		}
	}
	_, err := db.Merge(ctx, 0)
	require.NoError(t, err)
	// Resources stating halves of other records' measures: a node's metric
	// and value may come from different resources.
	for i := 0; i < 40; i++ {
		id := ex(fmt.Sprintf("extra/%d", i))
		node := iri(fmt.Sprintf("%s#m1", ex(fmt.Sprintf("rec/%d", rng.IntN(300)))))
		g := []rdf.Triple{{Subj: node, Pred: exValue, Obj: rdf.NewTypedLiteral(fmt.Sprint(rng.IntN(200)), xsdInteger)}}
		if i%2 == 0 {
			g = append(g, rdf.Triple{Subj: node, Pred: exMetric, Obj: ns(metrics[rng.IntN(3)])})
		}
		// Pointers to other records' nodes, by this resource and by
		// another subject, and a node of its own that a record observes
		// elsewhere.
		switch i % 4 {
		case 1:
			g = append(g, rdf.Triple{Subj: id, Pred: exObserves, Obj: node})
		case 2:
			g = append(g, rdf.Triple{Subj: ex(fmt.Sprintf("elsewhere/%d", i)), Pred: exObserves, Obj: node})
		case 3:
			own := iri(id.String() + "#own")
			g = append(g,
				rdf.Triple{Subj: own, Pred: exMetric, Obj: ns("CpuUsed")},
				rdf.Triple{Subj: own, Pred: exValue, Obj: rdf.NewTypedLiteral("120", xsdInteger)},
				rdf.Triple{Subj: ex(fmt.Sprintf("rec/%d", rng.IntN(300))), Pred: exObserves, Obj: own})
		}
		_, err := db.Create(ctx, id, g)
		require.NoError(t, err)
	}
	for i := 0; i < 40; i += 3 {
		require.NoError(t, db.Delete(ctx, ex(fmt.Sprintf("extra/%d", i)), ""))
	}
	// Replace and delete some: their old keys must go.
	for i := 0; i < 300; i += 7 {
		id, g := measureRecord(i, map[string]float64{"CpuUsed": float64(i)})
		_, err := db.Replace(ctx, id, g, "")
		require.NoError(t, err)
	}
	for i := 3; i < 300; i += 11 {
		require.NoError(t, db.Delete(ctx, ex(fmt.Sprintf("rec/%d", i)), ""))
	}
	checkPairs(t, db, metrics)
}

// checkPairs wants the pair index and its via index to list the subjects
// a scan finds, for conditions on each of metrics, most of them matching.
func checkPairs(t *testing.T, db *store.DB, metrics []string) {
	t.Helper()
	nonEmpty := 0
	for _, m := range metrics {
		for _, lo := range []float64{-100, 0, 90, 149} {
			viaPair, viaScan := pairSubjects(t, db, m, lo)
			assert.Equal(t, viaScan, viaPair, "%s > %v", m, lo)
			viaIndex, viaSeek := viaSubjects(t, db, m, lo)
			assert.Equal(t, viaSeek, viaIndex, "observes{%s > %v}", m, lo)
			nonEmpty += min(1, len(viaIndex))
		}
	}
	assert.Greater(t, nonEmpty, 6, "most conditions match")
}

// TestPairIndexInOneLoad writes in one transaction resources stating
// halves of other resources' nodes, before and after them, so that the
// writer finds the other halves in its buffers, and, with small buffers,
// in the buckets: the nodes' ids are new in the transaction.
func TestPairIndexInOneLoad(t *testing.T) {
	for _, pending := range []int{0, 7} {
		t.Run(fmt.Sprint("maxPending=", pending), func(t *testing.T) {
			if pending > 0 {
				defer store.SetMaxPendingForTest(pending)()
			}
			ctx := context.Background()
			db, _ := openDB(t, &store.Options{NoSync: true})
			rng := rand.New(rand.NewPCG(3, 4))
			metrics := []string{"CpuUsed", "RealMemoryUsed", "QueueDepth"}
			extra := func(i int) store.Resource {
				id := ex(fmt.Sprintf("extra/%d", i))
				node := iri(fmt.Sprintf("%s#m1", ex(fmt.Sprintf("rec/%d", rng.IntN(100)))))
				g := []rdf.Triple{{Subj: node, Pred: exValue, Obj: rdf.NewTypedLiteral(fmt.Sprint(rng.IntN(200)), xsdInteger)}}
				if i%2 == 0 {
					g = append(g, rdf.Triple{Subj: node, Pred: exMetric, Obj: ns(metrics[rng.IntN(3)])})
				}
				if i%3 == 0 {
					g = append(g, rdf.Triple{Subj: id, Pred: exObserves, Obj: node})
				}
				return store.Resource{ID: id, Triples: g}
			}
			record := func(i int) store.Resource {
				ms := map[string]float64{}
				for _, m := range metrics {
					if rng.IntN(3) > 0 {
						ms[m] = float64(rng.IntN(200)) - 50
					}
				}
				id, g := measureRecord(i, ms)
				return store.Resource{ID: id, Triples: g}
			}
			var rs []store.Resource
			for i := range 20 {
				rs = append(rs, extra(i))
			}
			for i := range 100 {
				rs = append(rs, record(i))
			}
			for i := 20; i < 40; i++ {
				rs = append(rs, extra(i))
			}
			require.NoError(t, db.Load(ctx, rs))
			check := func() { checkPairs(t, db, metrics) }
			check()
			// Replace some of both, new records among them, in one Load.
			rs = rs[:0]
			for i := 0; i < 40; i += 3 {
				rs = append(rs, extra(i))
			}
			for i := 0; i < 130; i += 4 {
				rs = append(rs, record(i))
			}
			require.NoError(t, db.Load(ctx, rs))
			check()
		})
	}
}

func TestPairIndexBuiltForOldFiles(t *testing.T) {
	ctx := context.Background()
	db, path := openDB(t, nil)
	for i := 0; i < 20; i++ {
		id, g := measureRecord(i, map[string]float64{"CpuUsed": float64(i * 10)})
		_, err := db.Create(ctx, id, g)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	// Make it a version 2 file: no pair bucket, no pairs key.
	require.NoError(t, store.UnpackForTest(path))
	bdb, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("pair")); err != nil {
			return err
		}
		meta := tx.Bucket([]byte("meta"))
		if err := meta.Delete([]byte("pairs")); err != nil {
			return err
		}
		return meta.Put([]byte("version"), binary.BigEndian.AppendUint64(nil, 2))
	}))
	require.NoError(t, bdb.Close())

	ro, err := store.Open(path, &store.Options{ReadOnly: true})
	require.NoError(t, err, "a version 2 file opens read-only")
	require.NoError(t, ro.View(ctx, func(sn *store.Snapshot) error {
		assert.False(t, sn.HasPair(exMetric, exValue))
		return nil
	}))
	require.NoError(t, ro.Close())

	db, err = store.Open(path, withTestIndexes(nil))
	require.NoError(t, err)
	viaPair, viaScan := pairSubjects(t, db, "CpuUsed", 90)
	assert.Len(t, viaPair, 10)
	assert.Equal(t, viaScan, viaPair)
	require.NoError(t, db.Close())

	// Make it a version 3 file: no pairvia bucket, pairs without via.
	require.NoError(t, store.UnpackForTest(path))
	bdb, err = bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"pairvia", "rid"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		meta := tx.Bucket([]byte("meta"))
		if err := meta.Put([]byte("pairs"), []byte(exMetric.String()+" "+exValue.String())); err != nil {
			return err
		}
		return meta.Put([]byte("version"), binary.BigEndian.AppendUint64(nil, 3))
	}))
	require.NoError(t, bdb.Close())
	ro, err = store.Open(path, &store.Options{ReadOnly: true})
	require.NoError(t, err, "a version 3 file opens read-only")
	viaIndex, viaSeek := viaSubjects(t, ro, "CpuUsed", 90)
	assert.Len(t, viaIndex, 10, "read-only, without the via index")
	assert.Equal(t, viaSeek, viaIndex)
	require.NoError(t, ro.View(ctx, func(sn *store.Snapshot) error {
		l := rdf.NewTypedLiteral("90", xsdDouble)
		p := store.Pattern{Pred: exValue, Lo: &l, With: exMetric, WithObj: ns("CpuUsed")}
		set, err := sn.ResourceSet(ctx, [][]store.Pattern{{p}}, exObserves)
		require.NoError(t, err)
		page, total, err := sn.PageUnder(ctx, set, ex("rec/1").String(), rdf.IRI{}, 3, true)
		require.NoError(t, err)
		assert.Equal(t, 10, total, "read-only, without rid")
		assert.Equal(t, []rdf.IRI{ex("rec/10"), ex("rec/11"), ex("rec/12")}, page)
		return nil
	}))
	require.NoError(t, ro.Close())

	db, err = store.Open(path, withTestIndexes(nil))
	require.NoError(t, err)
	defer db.Close()
	viaIndex, viaSeek = viaSubjects(t, db, "CpuUsed", 90)
	assert.Len(t, viaIndex, 10)
	assert.Equal(t, viaSeek, viaIndex)
	bad, err := db.RIDAgreesForTest()
	require.NoError(t, err)
	assert.Empty(t, bad, "rid built from res")
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		n, err := sn.BucketKeysForTest("pairvia")
		assert.Equal(t, 20, n, "one via key per measure")
		return err
	}))
}

// TestIndexSetsLeftToTheFile opens a file with options that leave the text
// predicates and pairs nil: a new file gets no text or pair index, an
// existing one keeps those it records, and a read-only Open uses the
// file's whatever the options say.
func TestIndexSetsLeftToTheFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "pm.db")
	open := func(opt *store.Options) *store.DB {
		t.Helper()
		db, err := store.Open(path, opt)
		require.NoError(t, err)
		return db
	}
	// indexes reports whether db has the test pair, and how many subjects
	// the pair index and the text index list.
	indexes := func(db *store.DB) (hasPair bool, pairs, texts int) {
		t.Helper()
		require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
			hasPair = sn.HasPair(exMetric, exValue)
			return nil
		}))
		viaPair, _ := pairSubjects(t, db, "CpuUsed", -1)
		return hasPair, len(viaPair), len(textAll(t, db, "sample"))
	}

	db := open(nil)
	for i := range 4 {
		id, g := sampleRecord(i)
		_, err := db.Create(ctx, id, g)
		require.NoError(t, err)
	}
	var err error
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		assert.False(t, sn.HasPair(exMetric, exValue), "a new file with nil pairs")
		return nil
	}))
	assert.Empty(t, textAll(t, db, "sample"), "a new file with nil text predicates")
	require.NoError(t, db.Close())

	db = open(withTestIndexes(&store.Options{}))
	hasPair, pairs, texts := indexes(db)
	assert.True(t, hasPair)
	assert.Equal(t, 4, pairs, "pair index built")
	assert.Equal(t, 4, texts, "text index built")
	require.NoError(t, db.Close())

	db = open(nil)
	hasPair, pairs, texts = indexes(db)
	assert.True(t, hasPair, "nil keeps the file's pairs")
	assert.Equal(t, 4, pairs, "nil keeps the pair index")
	assert.Equal(t, 4, texts, "nil keeps the text index")
	// And maintains them.
	id, g := sampleRecord(4)
	_, err = db.Create(ctx, id, g)
	require.NoError(t, err)
	hasPair, pairs, texts = indexes(db)
	assert.True(t, hasPair)
	assert.Equal(t, 5, pairs)
	assert.Equal(t, 5, texts)
	require.NoError(t, db.Close())

	other := []store.Pair{{Key: ex("k"), Value: ex("v")}}
	ro := open(&store.Options{ReadOnly: true, Pairs: other, TextPredicates: []rdf.IRI{}})
	hasPair, pairs, texts = indexes(ro)
	assert.True(t, hasPair, "read-only: the file's pairs")
	assert.Equal(t, 5, pairs)
	assert.Equal(t, 5, texts)
	require.NoError(t, ro.View(ctx, func(sn *store.Snapshot) error {
		assert.False(t, sn.HasPair(ex("k"), ex("v")), "read-only: not the options' pairs")
		return nil
	}))
	require.NoError(t, ro.Close())

	db = open(&store.Options{Pairs: []store.Pair{}, TextPredicates: []rdf.IRI{}})
	require.NoError(t, db.Close())
	db = open(nil)
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		assert.False(t, sn.HasPair(exMetric, exValue), "nil keeps no pairs")
		return nil
	}))
	assert.Empty(t, textAll(t, db, "sample"), "nil keeps no text index")
	require.NoError(t, db.Close())

	// A meta value that is not a list of pairs is corruption.
	bdb, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("pairs"), []byte(exMetric.String()))
	}))
	require.NoError(t, bdb.Close())
	_, err = store.Open(path, nil)
	require.ErrorIs(t, err, store.ErrCorrupt)
}
