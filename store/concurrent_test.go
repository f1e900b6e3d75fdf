package store_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// TestConcurrentWriters has many goroutines create and replace records at
// once, racing on shared ones, with fsync on. Every acknowledged write must
// be there afterwards, and again after reopening the file; conflicts in a
// group commit must fail only the conflicting call.
func TestConcurrentWriters(t *testing.T) {
	db, path := openDB(t, nil)
	const (
		writers = 32
		rounds  = 8
		shared  = 4 // resources every writer races to create and replace
	)
	type ack struct {
		g    []rdf.Triple
		etag string
	}
	var (
		mu       sync.Mutex
		acked    = map[string]ack{} // own records: last acknowledged write
		created  [shared]atomic.Int32
		replaced [shared]atomic.Int32
		wg       sync.WaitGroup
	)
	sharedID := func(i int) rdf.IRI { return ex(fmt.Sprint("shared/", i)) }

	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				// An own record, created then replaced under If-Match.
				id, g := sampleRecord(w*rounds + r)
				etag, err := db.Create(t.Context(), id, g)
				if !assert.NoError(t, err) {
					return
				}
				g = append(g, tr(id, exDescription, str(fmt.Sprint("writer ", w))))
				etag, err = db.Replace(t.Context(), id, g, etag)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				acked[id.String()] = ack{g, etag}
				mu.Unlock()

				// A shared record: exactly one Create wins; of the Replaces
				// that saw the same ETag, exactly one wins.
				s := r % shared
				_, err = db.Create(t.Context(), sharedID(s), []rdf.Triple{tr(sharedID(s), exTitle, str(fmt.Sprint(w)))})
				switch {
				case err == nil:
					created[s].Add(1)
				case !errors.Is(err, store.ErrExists):
					assert.NoError(t, err)
				}
				_, err = db.Replace(t.Context(), sharedID(s), nil, `"never"`)
				assert.ErrorIs(t, err, store.ErrPreconditionFailed)
			}
		}()
	}
	wg.Wait()
	for s := range shared {
		assert.Equal(t, int32(1), created[s].Load(), "creates of shared/%d that won", s)
	}

	// All writers race on one ETag of each shared record.
	for s := range shared {
		_, etag, err := db.Get(t.Context(), sharedID(s))
		require.NoError(t, err)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.Replace(t.Context(), sharedID(s), []rdf.Triple{tr(sharedID(s), exTitle, str(fmt.Sprint("replaced by ", w)))}, etag)
				switch {
				case err == nil:
					replaced[s].Add(1)
				case !errors.Is(err, store.ErrPreconditionFailed):
					assert.NoError(t, err)
				}
			}()
		}
	}
	wg.Wait()
	for s := range shared {
		assert.Equal(t, int32(1), replaced[s].Load(), "replaces of shared/%d that won", s)
	}

	check := func(t *testing.T, db *store.DB) {
		for id, a := range acked {
			g, etag, err := db.Get(t.Context(), iri(id))
			require.NoError(t, err)
			assert.Equal(t, a.etag, etag, id)
			assert.Len(t, g, len(a.g), id)
		}
		st, err := db.Stats(t.Context())
		require.NoError(t, err)
		assert.Equal(t, int64(writers*rounds+shared), st.Resources)
		n := 0
		require.NoError(t, db.Match(t.Context(), nil, exDescription, nil, func(rdf.Triple) bool { n++; return true }))
		assert.Equal(t, writers*rounds, n)
	}
	t.Run("open", func(t *testing.T) { check(t, db) })
	require.NoError(t, db.Close())
	t.Run("reopened", func(t *testing.T) {
		db, err := store.Open(path, nil)
		require.NoError(t, err)
		defer db.Close()
		check(t, db)
	})
}
