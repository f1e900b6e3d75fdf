package provider_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// BenchmarkAuthOverhead measures what authentication costs a request:
// the same GET of a record (RDF/XML) and POST of a record, from 16
// concurrent clients over loopback HTTP, as the loopback user (no
// authentication) and with HTTP Basic (after the first, cached, check)
// and an API token. Compare the req/s of each scheme with "none".
func BenchmarkAuthOverhead(b *testing.B) {
	dir := b.TempDir()
	users, tokens := filepath.Join(dir, "users.json"), filepath.Join(dir, "tokens.json")
	hash, err := auth.HashPassword("s3cret", auth.DefaultBcryptCost)
	require.NoError(b, err)
	require.NoError(b, auth.AddUser(users, auth.User{Name: "alice", Role: auth.Customer, Hash: hash}, false))
	tok, secret, err := auth.NewToken(auth.Token{Name: "bench", Role: auth.Customer, Expires: time.Now().Add(time.Hour)})
	require.NoError(b, err)
	require.NoError(b, auth.AddToken(tokens, tok))
	log := slog.New(slog.DiscardHandler)
	u, err := auth.LoadUsers(users, log)
	require.NoError(b, err)
	tk, err := auth.LoadTokens(tokens, log)
	require.NoError(b, err)
	basic := (&http.Request{Header: http.Header{}})
	basic.SetBasicAuth("alice", "s3cret")

	schemes := []struct {
		name   string
		chain  auth.Chain
		header string
	}{
		{"none", nil, ""},
		{"basic", auth.Chain{auth.NewBasic(u, nil)}, basic.Header.Get("Authorization")},
		{"token", auth.Chain{tk}, "Bearer " + secret},
	}
	for _, op := range []string{"GET", "POST"} {
		for _, sc := range schemes {
			b.Run(op+"/"+sc.name, func(b *testing.B) {
				db, err := store.Open(filepath.Join(b.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
				require.NoError(b, err)
				defer db.Close()
				hs := httptest.NewUnstartedServer(nil)
				srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: "http://" + hs.Listener.Addr().String(), Authenticators: sc.chain})
				require.NoError(b, err)
				hs.Config.Handler = srv
				hs.Start()
				defer hs.Close()
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
				send := func(method, url, body string) (*http.Response, error) {
					req, _ := http.NewRequest(method, url, strings.NewReader(body))
					req.Header.Set("Content-Type", "text/turtle")
					req.Header.Set("Accept", "application/rdf+xml")
					if sc.header != "" {
						req.Header.Set("Authorization", sc.header)
					}
					return client.Do(req)
				}
				resp, err := send("POST", hs.URL+"/oslc/records", recordTTL)
				require.NoError(b, err)
				resp.Body.Close()
				require.Equal(b, 201, resp.StatusCode)
				target, want := resp.Header.Get("Location"), 200
				if op == "POST" {
					target, want = hs.URL+"/oslc/records", 201
				}
				b.SetParallelism((16 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				start := time.Now()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						body := ""
						if op == "POST" {
							body = recordTTL
						}
						resp, err := send(op, target, body)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != want {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			})
		}
	}
}
