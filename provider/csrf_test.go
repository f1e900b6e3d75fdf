package provider_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// A page of another site cannot drive writes: a browser's cross-origin
// POST, PUT or DELETE is refused before any handler runs, even to the
// loopback user, who needs no credentials; listed origins, same-origin
// pages and clients that are not browsers may write. Preflights offer
// other origins reads only.
func TestCrossOriginWrites(t *testing.T) {
	for _, listed := range [][]string{nil, {"https://alm.example"}} {
		ts := newTestServer(t)
		db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
		require.NoError(t, err)
		defer db.Close()
		srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: ts.URL, UI: provider.UIConfig{CORSOrigins: listed}})
		require.NoError(t, err)
		ts.Config.Handler = srv
		ts.db = db

		tests := []struct {
			name   string
			header []string
			status int
		}{
			{"not a browser", nil, 201},
			{"Jazz server", []string{"X-Jazz-CSRF-Prevent", "abc"}, 201},
			{"same origin", []string{"Origin", ts.URL, "Sec-Fetch-Site", "same-origin"}, 201},
			{"other origin", []string{"Origin", "https://evil.example"}, 403},
			{"other origin, fetch metadata", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403},
			{"cross-site without Origin", []string{"Sec-Fetch-Site", "cross-site"}, 403},
			{"null origin", []string{"Origin", "null"}, 403},
			{"listed origin", []string{"Origin", "https://alm.example", "Sec-Fetch-Site", "cross-site"}, 403},
		}
		if listed != nil {
			tests[len(tests)-1].status = 201
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := exportStore(t, db)
				r := ts.do(t, "POST", "/oslc/records", recordTTL, append([]string{"Content-Type", "text/turtle", "Accept", "text/turtle"}, tt.header...)...)
				require.Equal(t, tt.status, r.status, "%s", r.body)
				if tt.status == 403 {
					assert.Contains(t, oslcError(t, r), "--cors-origins")
					assert.Equal(t, before, exportStore(t, db), "nothing stored")
				}
			})
		}

		// Preflights: other origins may only read.
		pre := ts.do(t, "OPTIONS", "/oslc/records", "", "Origin", "https://evil.example", "Access-Control-Request-Method", "DELETE")
		if listed == nil {
			assert.Equal(t, "GET, HEAD", pre.header.Get("Access-Control-Allow-Methods"))
			assert.Equal(t, "*", pre.header.Get("Access-Control-Allow-Origin"))
			assert.Empty(t, pre.header.Get("Access-Control-Allow-Credentials"))
		} else {
			assert.Empty(t, pre.header.Get("Access-Control-Allow-Origin"))
			pre = ts.do(t, "OPTIONS", "/oslc/records", "", "Origin", "https://alm.example", "Access-Control-Request-Method", "POST")
			assert.Equal(t, "GET, HEAD, POST, OPTIONS", pre.header.Get("Access-Control-Allow-Methods"))
			assert.Equal(t, "true", pre.header.Get("Access-Control-Allow-Credentials"))
		}
		assert.Equal(t, "nosniff", pre.header.Get("X-Content-Type-Options"))
	}
}
