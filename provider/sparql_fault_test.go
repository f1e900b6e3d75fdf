package provider_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/store/sparql"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
	"github.com/oslc-pm/pmprovider/vocab"
)

// TestSPARQLStoreDownAndBack stops the SPARQL store under a load of
// record creations and starts it again: while it is down, requests are
// told 503 with an oslc:Error; every creation acknowledged with 201 is
// there afterwards; the provider serves again once it is back.
func TestSPARQLStoreDownAndBack(t *testing.T) {
	sparqltest.Installed(t)
	vs, err := sparqltest.Start()
	require.NoError(t, err)
	defer vs.Stop()
	db, err := sparql.Open(context.Background(), sparql.Options{Endpoint: vs.Endpoint})
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(nil)
	srv, err := provider.New(db, provider.Config{BaseURL: "http://" + hs.Listener.Addr().String()})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	defer hs.Close()
	ts := &testServer{Server: hs, st: db}
	factory, _ := discover(t, ts, vocab.PM+"PerformanceMonitoringRecord")

	var (
		mu      sync.Mutex
		created []string
		down    atomic.Int64 // 503 answers
		other   []int
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := ts.do(t, "POST", factory, strings.Replace(recordTTL, "web01 at 10:00", fmt.Sprintf("w%d-%d", w, i), 1), "Content-Type", "text/turtle")
				mu.Lock()
				switch r.status {
				case 201:
					created = append(created, r.header.Get("Location"))
				case 503:
					down.Add(1)
					assert.Contains(t, string(r.body), "unavailable", "an oslc:Error says why")
					assert.NotEmpty(t, r.header.Get("Retry-After"))
				default:
					other = append(other, r.status)
				}
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	require.NoError(t, vs.Kill())
	time.Sleep(time.Second)
	g := ts.do(t, "GET", factory, "")
	assert.Equal(t, 503, g.status, "a query while the store is down")
	require.NoError(t, vs.Restart())
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	assert.Positive(t, down.Load(), "requests while the store was down")
	assert.Empty(t, other, "statuses other than 201 and 503")
	require.NotEmpty(t, created)
	for _, loc := range created {
		assert.Equal(t, 200, ts.do(t, "GET", loc, "").status, "acknowledged record %s", loc)
	}
	assert.Equal(t, 201, ts.do(t, "POST", factory, recordTTL, "Content-Type", "text/turtle").status, "served again")
}
