package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

func stagedRecord(id rdf.IRI, title string, v string) []rdf.Triple {
	m := iri(id.String() + "#m1")
	return []rdf.Triple{
		{Subj: id, Pred: rdfType, Obj: exRecord},
		{Subj: id, Pred: exTitle, Obj: rdf.NewTypedLiteral(title, xsdString)},
		{Subj: id, Pred: exObserves, Obj: m},
		{Subj: m, Pred: exValue, Obj: rdf.NewTypedLiteral(v, xsdDouble)},
	}
}

func matches(t *testing.T, db *store.DB, p rdf.Predicate, o rdf.Object) int {
	n := 0
	require.NoError(t, db.View(context.Background(), func(sn *store.Snapshot) error {
		return sn.Match(context.Background(), nil, p, o, func(rdf.Triple) bool { n++; return true })
	}))
	return n
}

// TestStageVisibleAtOnce: what Stage returns from is durable and seen by
// every read (the indexes', the text index's, Stats) while it waits in
// the overlay, and Merge indexes it with the ETag it had.
func TestStageVisibleAtOnce(t *testing.T) {
	ctx := context.Background()
	db, path := openDB(t, &store.Options{NoSync: true})
	db.HoldMergeForTest(true)
	a, b := ex("rec/a"), ex("rec/b")
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "cpu outage", "91.5")}, {ID: b, Triples: stagedRecord(b, "calm", "3")}}))
	_, etag, err := db.Get(ctx, a)
	require.NoError(t, err)
	check := func(desc string) {
		t.Helper()
		assert.Equal(t, 2, matches(t, db, rdfType, exRecord), desc)
		var hits int
		require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
			return sn.Text(ctx, "outage", func(rdf.Subject, rdf.IRI, int) bool { hits++; return true })
		}))
		assert.Equal(t, 1, hits, desc)
		assert.Equal(t, []string{nt(iri(a.String()+"#m1")) + " " + nt(dbl("91.5"))}, rangeAll(t, db, exValue, new(dbl("50")), nil, store.RangeOptions{}), desc)
		st, err := db.Stats(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(2), st.Resources, desc)
		_, e, err := db.Get(ctx, a)
		require.NoError(t, err)
		assert.Equal(t, etag, e, desc)
	}
	check("staged")
	n, err := db.Staged()
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, 2, db.OverlayForTest())

	merged, err := db.Merge(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, 2, merged)
	n, err = db.Staged()
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Zero(t, db.OverlayForTest())
	check("merged")

	// A second Stage replaces, keeping one copy of each triple.
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "fixed", "1")}}))
	assert.Equal(t, 2, matches(t, db, rdfType, exRecord))
	g, _, err := db.Get(ctx, a)
	require.NoError(t, err)
	assert.ElementsMatch(t, stagedRecord(a, "fixed", "1"), g)

	// Staged and not merged when the store closes: seen by a read-only
	// Open, merged by a writable one.
	c := ex("rec/c")
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: c, Triples: stagedRecord(c, "late", "7")}}))
	assert.Equal(t, 1, db.OverlayForTest())
	require.NoError(t, db.Close())
	ro, err := store.Open(path, &store.Options{ReadOnly: true})
	require.NoError(t, err)
	assert.Equal(t, 1, ro.OverlayForTest())
	assert.Equal(t, 3, matches(t, ro, rdfType, exRecord))
	require.NoError(t, ro.Close())
	db, err = store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	require.NoError(t, err)
	defer db.Close()
	n, err = db.Staged()
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, 3, matches(t, db, rdfType, exRecord))
}

// TestStageThenMerge: resources a format 5 Stage left in the stage bucket
// are readable by id, and indexed by Merge with the ETag they had.
func TestStageThenMerge(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	a, b := ex("rec/a"), ex("rec/b")
	require.NoError(t, db.StageOnlyForTest(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "cpu outage", "91.5")}, {ID: b, Triples: stagedRecord(b, "calm", "3")}}))

	// Staged: readable by id, not yet in the indexes.
	g, etag, err := db.Get(ctx, a)
	require.NoError(t, err)
	assert.ElementsMatch(t, stagedRecord(a, "cpu outage", "91.5"), g)
	ok, err := db.Exists(ctx, b)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Zero(t, matches(t, db, rdfType, exRecord))
	n, err := db.Staged()
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	// Merged: indexed, the same ETag, nothing staged.
	merged, err := db.Merge(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, merged)
	merged, err = db.Merge(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, merged)
	assert.Equal(t, 2, matches(t, db, rdfType, exRecord))
	g2, etag2, err := db.Get(ctx, a)
	require.NoError(t, err)
	assert.ElementsMatch(t, g, g2)
	assert.Equal(t, etag, etag2)
	var hits int
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		return sn.Text(ctx, "outage", func(rdf.Subject, rdf.IRI, int) bool { hits++; return true })
	}))
	assert.Equal(t, 1, hits)
}

func TestWritesResolveStagedVersions(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	a := ex("rec/a")
	require.NoError(t, db.StageOnlyForTest(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "one", "1")}}))
	_, etag, err := db.Get(ctx, a)
	require.NoError(t, err)

	_, err = db.Create(ctx, a, stagedRecord(a, "again", "2"))
	assert.ErrorIs(t, err, store.ErrExists)
	// The ETag read from the staged version is the one Replace checks.
	_, err = db.Replace(ctx, a, stagedRecord(a, "two", "2"), etag)
	require.NoError(t, err)
	g, _, err := db.Get(ctx, a)
	require.NoError(t, err)
	assert.ElementsMatch(t, stagedRecord(a, "two", "2"), g)

	// A staged replacement of an indexed resource wins over it.
	require.NoError(t, db.StageOnlyForTest(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "three", "3")}}))
	g, _, err = db.Get(ctx, a)
	require.NoError(t, err)
	assert.ElementsMatch(t, stagedRecord(a, "three", "3"), g)
	require.NoError(t, db.Delete(ctx, a, ""))
	_, _, err = db.Get(ctx, a)
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.Zero(t, matches(t, db, rdfType, exRecord))
	n, err := db.Staged()
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestOpenMergesWhatWasStaged(t *testing.T) {
	ctx := context.Background()
	db, path := openDB(t, &store.Options{NoSync: true})
	a := ex("rec/a")
	require.NoError(t, db.StageOnlyForTest(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "left over", "7")}}))
	require.NoError(t, db.Close())

	db2, err := store.Open(path, &store.Options{NoSync: true})
	require.NoError(t, err)
	defer db2.Close()
	n, err := db2.Staged()
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, 1, matches(t, db2, rdfType, exRecord))
}

func TestStageRejectsWhatLoadRejects(t *testing.T) {
	db, _ := openDB(t, nil)
	bad := ex("rec/bad")
	err := db.Stage(context.Background(), []store.Resource{{ID: bad, Triples: []rdf.Triple{{Subj: ex("other"), Pred: exTitle, Obj: rdf.NewTypedLiteral("x", xsdString)}}}})
	_, loadErr := func() (int, error) {
		return 0, db.Load(context.Background(), []store.Resource{{ID: bad, Triples: []rdf.Triple{{Subj: ex("other"), Pred: exTitle, Obj: rdf.NewTypedLiteral("x", xsdString)}}}})
	}()
	assert.Equal(t, loadErr == nil, err == nil)
}

func TestStagedEncodingIsTheDictionarys(t *testing.T) {
	terms := []rdf.Term{
		ex("a"), blank("b1"),
		rdf.NewTypedLiteral("plain", xsdString),
		rdf.NewTypedLiteral("4.5", xsdDouble),
		rdf.NewTypedLiteral("<b>x</b>", rdfXMLLiteral),
		rdf.NewTypedLiteral("odd", ex("type")),
	}
	if l, err := rdf.NewLangLiteral("hallo", "de"); err == nil {
		terms = append(terms, l)
	}
	for _, term := range terms {
		assert.Equal(t, store.EncodeForTest(term), store.StagedForTest(term), term.String())
	}
}

// TestStageIndexesWhenOverlayFull: past maxOverlay staged resources, Stage
// indexes what it writes itself, and every write stays visible.
func TestStageIndexesWhenOverlayFull(t *testing.T) {
	ctx := context.Background()
	store.SetMaxOverlayForTest(t, 3)
	db, _ := openDB(t, &store.Options{NoSync: true})
	db.HoldMergeForTest(true)
	rec := func(i int) store.Resource {
		id := ex(fmt.Sprintf("rec/%d", i))
		return store.Resource{ID: id, Triples: stagedRecord(id, fmt.Sprint("record ", i), fmt.Sprint(i))}
	}
	require.NoError(t, db.Stage(ctx, []store.Resource{rec(1), rec(2)}))
	assert.Equal(t, 2, db.Overlaid())
	require.NoError(t, db.Stage(ctx, []store.Resource{rec(3), rec(4)}))
	assert.Equal(t, 2, db.Overlaid(), "no room for two more: indexed at once")
	n, err := db.Staged()
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, 4, matches(t, db, rdfType, exRecord))
	require.NoError(t, db.Stage(ctx, []store.Resource{rec(5)}))
	assert.Equal(t, 3, db.Overlaid(), "room for one")
	assert.Equal(t, 5, matches(t, db, rdfType, exRecord))
}

// TestMergerGoesOnPastAFailure: a segment the merger fails to merge stays
// staged and visible, the segments after it are merged meanwhile, and it
// is merged once the failure ends.
func TestMergerGoesOnPastAFailure(t *testing.T) {
	ctx := context.Background()
	a, b := ex("rec/a"), ex("rec/b")
	// Before the store opens, so that it is undone after the store
	// closes: the merger reads it.
	store.FailMergeForTest(t, a.String(), 50*time.Millisecond)
	db, _ := openDB(t, &store.Options{NoSync: true})
	db.HoldMergeForTest(true)
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "first", "1")}}))
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: b, Triples: stagedRecord(b, "second", "2")}}))
	db.HoldMergeForTest(false)
	require.Eventually(t, func() bool { return db.Overlaid() == 1 }, 10*time.Second, 10*time.Millisecond, "the second segment merged")
	assert.Equal(t, 2, matches(t, db, rdfType, exRecord))
	store.StopFailingMergeForTest()
	require.Eventually(t, func() bool { return db.Overlaid() == 0 }, 10*time.Second, 10*time.Millisecond, "the first merged once it can be")
	assert.Equal(t, 2, matches(t, db, rdfType, exRecord))
}

// TestStageWhenRoomIsMadeMeanwhile: a Stage call that found the overlay
// full, and so made no segment, stages in the overlay all the same if the
// merger made room before its transaction.
func TestStageWhenRoomIsMadeMeanwhile(t *testing.T) {
	ctx := context.Background()
	store.SetMaxOverlayForTest(t, 3)
	db, _ := openDB(t, &store.Options{NoSync: true})
	db.HoldMergeForTest(true)
	var rs []store.Resource
	for i := range 4 {
		id := ex(fmt.Sprintf("rec/%d", i))
		rs = append(rs, store.Resource{ID: id, Triples: stagedRecord(id, fmt.Sprint("record ", i), fmt.Sprint(i))})
	}
	require.NoError(t, db.Stage(ctx, rs[:3]))
	require.Equal(t, 3, db.Overlaid())
	store.OnStagedForTest(t, func() {
		_, err := db.Merge(ctx, 0)
		require.NoError(t, err)
	})
	require.NoError(t, db.Stage(ctx, rs[3:]))
	assert.Equal(t, 1, db.Overlaid())
	assert.Equal(t, 4, matches(t, db, rdfType, exRecord))
}

// TestSnapshotKeepsWhatIsMergedAfterIt: a snapshot that began before a
// merge committed still sees the merged records (its transaction holds
// them staged, not indexed), however late it first reads the overlay.
func TestSnapshotKeepsWhatIsMergedAfterIt(t *testing.T) {
	ctx := context.Background()
	// A memory map large enough that the merge need not wait for the
	// snapshot.
	db, _ := openDB(t, &store.Options{NoSync: true, InitialMmapSize: 1 << 24})
	db.HoldMergeForTest(true)
	a, b := ex("rec/a"), ex("rec/b")
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "first", "1")}, {ID: b, Triples: stagedRecord(b, "second", "2")}}))
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		done := make(chan error)
		go func() {
			_, err := db.Merge(ctx, 0)
			done <- err
		}()
		require.NoError(t, <-done)
		require.Zero(t, db.Overlaid(), "merged and dropped from the overlay")
		n := 0
		require.NoError(t, sn.Match(ctx, nil, rdfType, exRecord, func(rdf.Triple) bool { n++; return true }))
		assert.Equal(t, 2, n)
		return nil
	}))
	assert.Equal(t, 2, matches(t, db, rdfType, exRecord))
}

// TestStageWhenASubjectBecomesATermMeanwhile: Stage tells from a snapshot
// which records are new, and in its transaction trusts that only while
// the dictionary has taken no term since. A write between the two that
// states a triple of a record's measure makes the record not new: it is
// indexed at once, not staged beside the measure's stored triple.
func TestStageWhenASubjectBecomesATermMeanwhile(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	db.HoldMergeForTest(true)
	a, b := ex("rec/a"), ex("rec/b")
	note := ex("notes/1")
	store.OnStagedForTest(t, func() {
		require.NoError(t, db.Load(ctx, []store.Resource{{ID: note, Triples: []rdf.Triple{tr(iri(a.String()+"#m1"), exTitle, str("annotated"))}}}))
	})
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: a, Triples: stagedRecord(a, "first", "1")}, {ID: b, Triples: stagedRecord(b, "second", "2")}}))
	assert.Equal(t, 1, db.Overlaid(), "b staged, a indexed")
	assert.Equal(t, 2, matches(t, db, rdfType, exRecord))
	assert.Len(t, matchAll(t, db, iri(a.String()+"#m1"), nil, nil), 2)
}

// TestOverlayIndexedByFirstReaders: a segment's index is made by the
// first reads that need it (not by Stats or a listing of the resources,
// which a metrics scrape makes); readers that come at once all see every
// staged record.
func TestOverlayIndexedByFirstReaders(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	db.HoldMergeForTest(true)
	var rs []store.Resource
	for i := range 1100 { // three segments
		id := ex(fmt.Sprintf("rec/%d", i))
		rs = append(rs, store.Resource{ID: id, Triples: stagedRecord(id, fmt.Sprint("record ", i), fmt.Sprint(i))})
	}
	require.NoError(t, db.Stage(ctx, rs))
	st, err := db.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1100), st.Resources)
	assert.Equal(t, int64(4400), st.Triples)
	n := 0
	require.NoError(t, db.Resources(ctx, rdf.IRI{}, func(rdf.IRI) bool { n++; return true }))
	assert.Equal(t, 1100, n)
	assert.Zero(t, db.IndexedForTest(), "no index made yet")
	var wg sync.WaitGroup
	counts := make([]int, 4)
	errs := make([]error, 4)
	for i := range counts {
		wg.Go(func() {
			errs[i] = db.View(ctx, func(sn *store.Snapshot) error {
				return sn.Match(ctx, nil, rdfType, exRecord, func(rdf.Triple) bool { counts[i]++; return true })
			})
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	assert.Equal(t, []int{1100, 1100, 1100, 1100}, counts)
	assert.Equal(t, 3, db.IndexedForTest())
}
