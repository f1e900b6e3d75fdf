package query_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// TestPrefixSearch runs search as you type from the store's text index
// and, on a source without one, from the literals: both find the same
// resources with the same sums.
func TestPrefixSearch(t *testing.T) {
	ctx := context.Background()
	db := openFixture(t)
	search := func(src query.Source, tokens ...string) map[string]int {
		got, err := query.PrefixSearch(ctx, src, tokens, 0)
		require.NoError(t, err)
		return got
	}
	require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
		indexed := boltsource.NewSource(s)
		naive := plainSource{indexed}
		want := map[string]int{records + "r01": 1, records + "r07": 3, records + "x-other": 1}
		assert.Equal(t, want, search(indexed, "cpu"))
		assert.Equal(t, want, search(naive, "cpu"))
		for _, tokens := range [][]string{{"c"}, {"web"}, {"web", "0"}, {"data", "back"}, {"memory", "on", "web01"}, {"zzz"}, {"sauv"}, {""}} {
			assert.Equal(t, search(naive, tokens...), search(indexed, tokens...), "%q", tokens)
		}
		assert.Nil(t, search(indexed), "no tokens")
		// A limit stops each token's postings early.
		got, err := query.PrefixSearch(ctx, indexed, []string{"c"}, 1)
		require.NoError(t, err)
		assert.Len(t, got, 1)
		return nil
	}))
}
