package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// maxBytesPerTriple bounds the file size per triple of a store of PM
// records loaded as an importer loads them, with the test text and pair
// indexes: a change that makes the file grow past it is a regression of
// issue 13's footprint. Measured: 44.2 bytes in format 10 (res keyed by
// graph id; 46.3 in format 9), 47 bytes in format 8 (the dictionary
// encoded against the best of 16 entries, numbers and dateTimes in their
// ids, the change log in blocks, graph ids against subjects); 62 in
// format 7, its index keys, dictionary and resource ids in blocks
// (format 6: 251; format 5: 351 with the fill of fill.go, 576 with
// bbolt's default fill).
const maxBytesPerTriple = 47

// maxBytesPerTripleBulk is maxBytesPerTriple for a bulk load (see
// DB.BeginBulk), which builds posg, pair and text in key order, full,
// packs t2i, and cuts those blocks and spog's at 224 bytes. Measured in
// format 10: 27.2 bytes (30.0 with blocks of 128 and t2i as loaded;
// 44.2 indexed as loaded); in format 9, 29.2 (32.1).
const maxBytesPerTripleBulk = 29

func TestFootprintPerTriple(t *testing.T) {
	const n = 10000
	for _, c := range []struct {
		name string
		bulk bool
		max  float64
	}{
		{"indexed as loaded", false, maxBytesPerTriple},
		{"bulk load", true, maxBytesPerTripleBulk},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, _ := openDB(t, &store.Options{NoSync: true})
			if c.bulk {
				ok, err := db.BeginBulk(t.Context())
				require.NoError(t, err)
				require.True(t, ok)
			}
			for i := 0; i < n; i += 1000 {
				require.NoError(t, db.Load(t.Context(), records(i, 1000)))
			}
			require.NoError(t, db.EndBulk(t.Context()))
			st, err := db.Stats(t.Context())
			require.NoError(t, err)
			got := float64(st.Size) / float64(st.Triples)
			t.Logf("%d records, %d triples, %d terms: %d bytes, %.1f bytes/triple", st.Resources, st.Triples, st.Terms, st.Size, got)
			if got > c.max {
				t.Errorf("got %.1f bytes per triple; want at most %.0f", got, c.max)
			}
		})
	}
}
