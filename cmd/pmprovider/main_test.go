package main

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    config
		wantErr string
	}{
		{nil, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--addr", "127.0.0.1:9090"}, config{addr: "127.0.0.1:9090", baseURL: "http://127.0.0.1:9090", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--addr", ":9090"}, config{addr: ":9090", baseURL: "http://127.0.0.1:9090", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--base-url", "https://pm.example.org/oslc-pm", "--data", "/tmp/x"}, config{addr: "127.0.0.1:8080", baseURL: "https://pm.example.org/oslc-pm", dataDir: "/tmp/x", hostJob: true, terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--host-job=false"}, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--term-cache", "-1"}, config{}, "--term-cache"},
		{[]string{"--frame-ancestors", "'self', https://alm.example.com", "--cors-origins", "https://alm.example.com"}, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize,
			ui: provider.UIConfig{FrameAncestors: []string{"'self'", "https://alm.example.com"}, CORSOrigins: []string{"https://alm.example.com"}}}, ""},
		{[]string{"--collect-allow", "any, 127.0.0.1:9100", "--short-granularities"}, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize,
			collectAllow: mustAllow(t, "any,127.0.0.1:9100"), shortGranularities: true}, ""},
		{[]string{"--collect-allow", "10.0.0.0/33"}, config{}, "collect-allow"},
		{[]string{"--bogus"}, config{}, "flag provided but not defined"},
		{[]string{"--addr", "nope"}, config{}, "want host:port"},
		{[]string{"--addr", "127.0.0.1:99999"}, config{}, "bad port"},
		{[]string{"--base-url", "ftp://x"}, config{}, "--base-url"},
		{[]string{"--base-url", "http://x/?q=1"}, config{}, "--base-url"},
		{[]string{"--data", ""}, config{}, "--data"},
		{[]string{"extra"}, config{}, "unexpected argument"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, config{addr: "127.0.0.1:8080", baseURL: "https://127.0.0.1:8080", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize, tlsCert: "c.pem", tlsKey: "k.pem"}, ""},
		{[]string{"--tls-cert", "c.pem"}, config{}, "go together"},
		{[]string{"--max-conns", "-1"}, config{}, "--max-conns"},
		{[]string{"--trs-keep", "24h", "--trs-max-events", "-1"}, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize,
			trs: provider.TRSConfig{Keep: 24 * time.Hour, MaxChanges: -1}}, ""},
		{[]string{"--trs-keep", "0"}, config{}, "--trs-keep"},
		{[]string{"--store", "sparql", "--sparql-query", "http://127.0.0.1:8890/sparql", "--sparql-timeout", "0s"}, config{}, "--sparql-timeout"},
		{[]string{"--trs-max-events", "0"}, config{}, "--trs-max-events"},
		{[]string{"--gc-floor", "-1"}, config{}, "--gc-floor"},
		{[]string{"--gc-floor", "64"}, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize, gcFloor: 64}, ""},
	}
	// The server's limits are the same in every case but their own.
	limits := func(c config) config {
		c.readHeaderTimeout, c.readTimeout, c.writeTimeout = 10*time.Second, time.Minute, 2*time.Minute
		c.idleTimeout, c.requestTimeout, c.maxConns = 2*time.Minute, time.Minute, 1024
		c.auth.oidc.RoleClaim = auth.DefaultRoleClaim
		c.notify.AlertResend = notify.DefaultAlertResend
		c.notify.Retry.First, c.notify.Retry.Attempts = notify.DefaultRetryFirst, notify.DefaultAttempts
		c.logFormat, c.accessLog = "text", true
		if c.gcFloor == 0 {
			c.gcFloor = defaultGCFloor
		}
		c.store.instance, c.store.jobLease = defaultInstance(), -1 // -1: the store's default (lease)
		c.store.sparql.Endpoint.Timeout = sparql.DefaultTimeout
		if c.trs == (provider.TRSConfig{}) {
			c.trs.Keep, c.trs.MaxChanges = provider.DefaultTRSKeep, provider.DefaultTRSMaxChanges
		}
		return c
	}
	for _, tt := range tests {
		t.Run(fmtArgs(tt.args), func(t *testing.T) {
			tt.want = limits(tt.want)
			got, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func mustAllow(t *testing.T, s string) *collect.AllowList {
	a, err := collect.ParseAllowList(s)
	require.NoError(t, err)
	return a
}

func fmtArgs(a []string) string {
	if len(a) == 0 {
		return "defaults"
	}
	s := ""
	for _, x := range a {
		s += x + " "
	}
	return s
}

// TestStoreOptionsKeepIndexes checks that the store options of the
// commands record the text predicates and pairs that data directories
// record since the store had them as defaults: opening one rebuilds
// neither index.
func TestStoreOptionsKeepIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pm.db")
	db, err := store.Open(path, storeOptions(store.Options{}))
	require.NoError(t, err)
	require.NoError(t, db.Close())

	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer bdb.Close()
	require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte("meta"))
		assert.Equal(t, "http://purl.org/dc/terms/description\nhttp://purl.org/dc/terms/identifier\nhttp://purl.org/dc/terms/title", string(meta.Get([]byte("text"))))
		assert.Equal(t, "http://open-services.net/ns/ems#metric http://open-services.net/ns/ems#numericValue http://open-services.net/ns/ems#observes\nhttp://purl.org/dc/terms/isPartOf http://purl.org/dc/terms/date", string(meta.Get([]byte("pairs"))))
		return nil
	}))
}
