package store_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/store"
)

// changeLog returns the store's change log, oldest first, as "order kind
// id" lines.
func changeLog(t testing.TB, db *store.DB) []string {
	t.Helper()
	var out []string
	require.NoError(t, db.View(context.Background(), func(sn *store.Snapshot) error {
		return sn.ChangesAfter(context.Background(), 0, func(c store.Change) bool {
			out = append(out, fmt.Sprintf("%d %s %s", c.Order, c.Kind, c.ID))
			return true
		})
	}))
	return out
}

// TestChangeLogRecordsEveryWrite: every path that writes a resource logs
// one event per resource written, in the transaction of the write; the
// writes that fail, and Merge, which indexes what Stage logged, log none.
func TestChangeLogRecordsEveryWrite(t *testing.T) {
	ctx := context.Background()
	db, path := openDB(t, &store.Options{NoSync: true})
	a, b, c, d := ex("r/a"), ex("r/b"), ex("r/c"), ex("r/d")
	g := func(id rdf.IRI, title string) []rdf.Triple { return []rdf.Triple{tr(id, exTitle, str(title))} }

	before := time.Now()
	etag, err := db.Create(ctx, a, g(a, "one"))
	require.NoError(t, err)
	_, err = db.Create(ctx, a, g(a, "again"))
	require.ErrorIs(t, err, store.ErrExists)
	_, err = db.Replace(ctx, a, g(a, "two"), `"stale"`)
	require.ErrorIs(t, err, store.ErrPreconditionFailed)
	_, err = db.Replace(ctx, b, g(b, "none"), "")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.Replace(ctx, a, g(a, "two"), etag)
	require.NoError(t, err)
	require.NoError(t, db.Load(ctx, []store.Resource{{ID: b, Triples: g(b, "loaded")}, {ID: a, Triples: g(a, "loaded")}, {ID: b, Triples: g(b, "twice")}}))
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: c, Triples: g(c, "staged")}, {ID: b, Triples: g(b, "staged")}}))
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: c, Triples: g(c, "staged again")}}))
	require.ErrorIs(t, db.Delete(ctx, d, ""), store.ErrNotFound)
	// A resource left in the stage bucket by a format 5 Stage.
	require.NoError(t, db.StageOnlyForTest(ctx, []store.Resource{{ID: d, Triples: g(d, "staged")}}))
	n, err := db.Merge(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, db.Delete(ctx, d, ""), "a staged resource is deleted")
	require.NoError(t, db.Delete(ctx, a, ""))
	_, err = db.Replace(ctx, c, g(c, "replaced while staged"), "")
	require.NoError(t, err)
	_, err = db.Merge(ctx, 0)
	require.NoError(t, err)

	want := []string{
		"1 created " + a.String(),
		"2 modified " + a.String(),
		"3 created " + b.String(),
		"4 modified " + a.String(),
		"5 modified " + b.String(),
		"6 created " + c.String(),
		"7 modified " + b.String(),
		"8 modified " + c.String(),
		"9 created " + d.String(),
		"10 deleted " + d.String(),
		"11 deleted " + a.String(),
		"12 modified " + c.String(),
	}
	assert.Equal(t, want, changeLog(t, db))

	// Open merges what a process left staged, and logs nothing.
	require.NoError(t, db.StageOnlyForTest(ctx, []store.Resource{{ID: d, Triples: g(d, "left staged")}}))
	want = append(want, "13 created "+d.String())
	require.NoError(t, db.Close())
	db, err = store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	require.NoError(t, err)
	defer db.Close()
	staged, err := db.Staged()
	require.NoError(t, err)
	require.Zero(t, staged)
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		var times []time.Time
		require.NoError(t, sn.Changes(ctx, 0, func(c store.Change) bool {
			times = append(times, c.Time)
			return true
		}))
		for _, tm := range times {
			assert.False(t, tm.Before(before.Add(-time.Second)) || tm.After(time.Now().Add(time.Second)), "time %s", tm)
		}
		return nil
	}))
	assert.Equal(t, want, changeLog(t, db))
}

// TestChangesPaging reads the log newest first from any order, and
// oldest first after any order; a trim keeps the orders growing.
func TestChangesPaging(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	for i := range 10 {
		id := ex(fmt.Sprint("r/", i))
		_, err := db.Create(ctx, id, []rdf.Triple{tr(id, exTitle, str("x"))})
		require.NoError(t, err)
	}
	orders := func(before uint64, newestFirst bool, limit int) (out []uint64) {
		require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
			fn := func(c store.Change) bool {
				out = append(out, c.Order)
				return len(out) < limit
			}
			if newestFirst {
				return sn.Changes(ctx, before, fn)
			}
			return sn.ChangesAfter(ctx, before, fn)
		}))
		return out
	}
	assert.Equal(t, []uint64{10, 9, 8}, orders(0, true, 3))
	assert.Equal(t, []uint64{4, 3, 2}, orders(5, true, 3))
	assert.Equal(t, []uint64{1}, orders(2, true, 3))
	assert.Empty(t, orders(1, true, 3))
	assert.Equal(t, []uint64{10, 9}, orders(99, true, 2), "before past the newest")
	assert.Equal(t, []uint64{6, 7, 8}, orders(5, false, 3))
	assert.Empty(t, orders(10, false, 3))

	n, err := db.TrimChanges(ctx, 8)
	require.NoError(t, err)
	assert.Equal(t, 7, n)
	assert.Equal(t, []uint64{9, 8}, orders(0, true, 10)[1:])
	assert.Empty(t, orders(8, true, 3), "trimmed")
	assert.Equal(t, []uint64{8, 9, 10}, orders(0, false, 10))
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		oldest, newest := sn.ChangeSpan()
		assert.Equal(t, [2]uint64{8, 10}, [2]uint64{oldest, newest})
		return nil
	}))

	n, err = db.TrimChanges(ctx, 100)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		oldest, newest := sn.ChangeSpan()
		assert.Equal(t, [2]uint64{0, 0}, [2]uint64{oldest, newest}, "empty")
		return nil
	}))
	require.NoError(t, db.Delete(ctx, ex("r/3"), ""))
	assert.Equal(t, []string{"11 deleted " + ex("r/3").String()}, changeLog(t, db), "orders are never reused")
}

// TestTrimChangesInChunks trims more than one transaction deletes.
func TestTrimChangesInChunks(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	const n = 25000
	rs := make([]store.Resource, 0, 1000)
	for i := range n {
		id := ex(fmt.Sprint("r/", i%50))
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{tr(id, exTitle, str(fmt.Sprint(i)))}})
		if len(rs) == cap(rs) {
			require.NoError(t, db.Load(ctx, rs))
			rs = rs[:0]
		}
	}
	got, err := db.TrimChanges(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, n-1, got)
	assert.Equal(t, []string{fmt.Sprintf("%d modified %s", n, ex("r/49"))}, changeLog(t, db))
}

// TestChangeLogConcurrentWrites: writers in group commits, a loader and
// a stager at once; replaying the log gives exactly the resources the
// store holds, and its orders have no gap.
func TestChangeLogConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true, MaxBatchDelay: 100 * time.Microsecond})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				id := ex(fmt.Sprintf("w%d/%d", w, i%10))
				g := []rdf.Triple{tr(id, exTitle, str(fmt.Sprint(i)))}
				switch i % 4 {
				case 0, 1:
					_, _ = db.Create(ctx, id, g)
				case 2:
					_, _ = db.Replace(ctx, id, g, "")
				default:
					_ = db.Delete(ctx, id, "")
				}
			}
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 20 {
			id := ex(fmt.Sprintf("w0/%d", i%10))
			assert.NoError(t, db.Load(ctx, []store.Resource{{ID: id, Triples: []rdf.Triple{tr(id, exTitle, str("loaded"))}}}))
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 20 {
			id := ex(fmt.Sprintf("w1/%d", i%10))
			assert.NoError(t, db.Stage(ctx, []store.Resource{{ID: id, Triples: []rdf.Triple{tr(id, exTitle, str("staged"))}}}))
			if i%5 == 4 {
				_, err := db.Merge(ctx, 0)
				assert.NoError(t, err)
			}
		}
	}()
	wg.Wait()

	live := map[string]bool{}
	var prev uint64
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		return sn.ChangesAfter(ctx, 0, func(c store.Change) bool {
			assert.Equal(t, prev+1, c.Order, "no gap")
			prev = c.Order
			if c.Kind == store.Created {
				assert.False(t, live[c.ID.String()], "%d: created %s, which was there", c.Order, c.ID)
			} else {
				assert.True(t, live[c.ID.String()], "%d: %s %s, which was not there", c.Order, c.Kind, c.ID)
			}
			live[c.ID.String()] = c.Kind != store.Deleted
			return true
		})
	}))
	var want, got []string
	for id, ok := range live {
		if ok {
			want = append(want, id)
		}
	}
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		return sn.ResourcesUnder(ctx, "", rdf.IRI{}, func(id rdf.IRI) bool {
			got = append(got, id.String())
			return true
		})
	}))
	assert.ElementsMatch(t, want, got)
}

// TestResourcesUnder lists the resources under a prefix after a cursor,
// staged ones included, each once.
func TestResourcesUnder(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	g := func(id rdf.IRI) []rdf.Triple { return []rdf.Triple{tr(id, exTitle, str("x"))} }
	for _, name := range []string{"a/1", "a/3", "a/5", "b/1", "a0"} {
		_, err := db.Create(ctx, ex(name), g(ex(name)))
		require.NoError(t, err)
	}
	var staged []store.Resource
	for _, name := range []string{"a/2", "a/3", "a/6", "c/1"} {
		staged = append(staged, store.Resource{ID: ex(name), Triples: g(ex(name))})
	}
	require.NoError(t, db.Stage(ctx, staged))
	list := func(prefix string, after rdf.IRI, limit int) (out []string) {
		require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
			return sn.ResourcesUnder(ctx, prefix, after, func(id rdf.IRI) bool {
				out = append(out, id.String()[len("http://example.org/"):])
				return len(out) < limit
			})
		}))
		return out
	}
	tests := []struct {
		prefix string
		after  rdf.IRI
		limit  int
		want   []string
	}{
		{"http://example.org/a/", rdf.IRI{}, 100, []string{"a/1", "a/2", "a/3", "a/5", "a/6"}},
		{"http://example.org/a/", ex("a/2"), 100, []string{"a/3", "a/5", "a/6"}},
		{"http://example.org/a/", ex("a/3"), 2, []string{"a/5", "a/6"}},
		{"http://example.org/a/", ex("a/4"), 100, []string{"a/5", "a/6"}},
		{"http://example.org/a/", ex("a/6"), 100, nil},
		{"http://example.org/a/", ex("0"), 1, []string{"a/1"}},
		{"http://example.org/", ex("a/5"), 100, []string{"a/6", "a0", "b/1", "c/1"}},
		{"http://example.org/c", rdf.IRI{}, 100, []string{"c/1"}},
		{"http://example.org/d", rdf.IRI{}, 100, nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, list(tt.prefix, tt.after, tt.limit), "%s after %s", tt.prefix, tt.after)
	}
	_, err := db.Merge(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"a/1", "a/2", "a/3", "a/5", "a/6"}, list("http://example.org/a/", rdf.IRI{}, 100), "merged")
}

// TestChangeLogUpgrade opens a version 4 file, from before the change
// log: read-only, its log is empty; a writable Open starts the log and
// makes the file the current version, which version 4 writers refuse.
func TestChangeLogUpgrade(t *testing.T) {
	ctx := context.Background()
	db, path := openDB(t, nil)
	old := ex("r/old")
	_, err := db.Create(ctx, old, []rdf.Triple{tr(old, exTitle, str("from before"))})
	require.NoError(t, err)
	require.NoError(t, db.Close())

	version := func() (v uint64) {
		bdb, err := bolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		defer bdb.Close()
		require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
			v = binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("version")))
			return nil
		}))
		return v
	}
	require.Equal(t, uint64(11), version())
	require.NoError(t, store.UnpackForTest(path))
	bdb, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("changes")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("version"), binary.BigEndian.AppendUint64(nil, 4))
	}))
	require.NoError(t, bdb.Close())

	ro, err := store.Open(path, &store.Options{ReadOnly: true})
	require.NoError(t, err, "a version 4 file opens read-only")
	assert.Empty(t, changeLog(t, ro))
	require.NoError(t, ro.View(ctx, func(sn *store.Snapshot) error {
		oldest, newest := sn.ChangeSpan()
		assert.Zero(t, oldest+newest)
		return nil
	}))
	require.NoError(t, ro.Close())

	db, err = store.Open(path, withTestIndexes(nil))
	require.NoError(t, err)
	assert.Empty(t, changeLog(t, db), "the log starts at the upgrade")
	var ids []string
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		return sn.ResourcesUnder(ctx, "", rdf.IRI{}, func(id rdf.IRI) bool { ids = append(ids, id.String()); return true })
	}))
	assert.Equal(t, []string{old.String()}, ids, "what was there is listed")
	require.NoError(t, db.Delete(ctx, old, ""))
	assert.Equal(t, []string{"1 deleted " + old.String()}, changeLog(t, db))
	require.NoError(t, db.Close())
	assert.Equal(t, uint64(11), version())
}
