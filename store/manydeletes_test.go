package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec/codectest"
	"github.com/oslc-pm/pmprovider/store"
)

// TestManyDeletesInOneCommit deletes a run of records from many
// goroutines, so that group commits of hundreds of deletes empty whole
// leaves of spog (whose keys of one record are adjacent), and checks
// that the writes end and that what remains reads whole: the records,
// by type, and every term of the survivors (a term judged unused while in
// use would be reclaimed). bbolt's Cursor.Prev answers nil at a leaf a
// write transaction emptied; the writer once read that as the start of
// the bucket.
func TestManyDeletesInOneCommit(t *testing.T) {
	db, _ := openDB(t, &store.Options{NoSync: true})
	ctx := t.Context()
	const n, from, to = 4000, 300, 3700
	require.NoError(t, db.Load(ctx, records(0, 2000)))
	require.NoError(t, db.Load(ctx, records(2000, n-2000)))
	var wg sync.WaitGroup
	errs := make(chan error, to-from)
	for i := from; i < to; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, _ := sampleRecord(i)
			errs <- db.Delete(ctx, id, "")
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		// Not a speed check: the writer that misread an emptied leaf
		// looped for ever and grew without bound, which would take the
		// rest of the tests down with it.
		panic("the deletes did not end in 2 minutes: the writer loops")
	}
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	st := db.CommitStats()
	t.Logf("%d commits of %d writes", st.Commits, st.Writes)
	for i := range n {
		id, g := sampleRecord(i)
		got, _, err := db.Get(ctx, id)
		if i >= from && i < to {
			require.ErrorIs(t, err, store.ErrNotFound, "record %d", i)
			continue
		}
		require.NoError(t, err, "record %d", i)
		// Blank nodes come back relabelled.
		require.Empty(t, codectest.Diff(got, g), "record %d", i)
	}
	require.Len(t, matchAll(t, db, nil, rdfType, exRecord), n-(to-from))
	id, _ := sampleRecord(to)
	require.Len(t, matchAll(t, db, id, nil, nil), 8)
}
