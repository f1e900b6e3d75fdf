package provider_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// newHubServer is a started provider whose callbacks may be on loopback.
func newHubServer(t *testing.T) *testServer {
	t.Helper()
	st, db := openStore(t) // the store the test's name asks for (stores_test.go)
	allow, err := collect.ParseAllowList("127.0.0.1")
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(nil)
	srv, err := provider.New(st, provider.Config{BaseURL: "http://" + hs.Listener.Addr().String(),
		Notify: notify.Config{Allow: allow, Poll: 5 * time.Millisecond}})
	require.NoError(t, err)
	srv.Start()
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &testServer{Server: hs, db: db}
}

// TestSubscriptionsHTTP registers a webhook as TMF628's /hub JSON and as
// RDF, sees a refused callback answered 400, reads a subscription with
// its delivery status and deletes it.
func TestSubscriptionsHTTP(t *testing.T) {
	ts := newHubServer(t)
	var mu sync.Mutex
	var got []notify.Message
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m notify.Message
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer rcv.Close()

	// Refused: loopback on another port than the listed one is fine
	// (the list names the address), but localhost by name, and a
	// malformed filter, are not.
	r := ts.do(t, "POST", "/oslc/subscriptions", `{"callback": "http://localhost:9/x"}`, "Content-Type", "application/json")
	assert.Equal(t, 400, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), "callback")
	r = ts.do(t, "POST", "/oslc/hub", `{"callback": "`+rcv.URL+`", "query": "eventType=NoSuchEvent"}`, "Content-Type", "application/json")
	assert.Equal(t, 400, r.status, "%s", r.body)
	r = ts.do(t, "POST", "/oslc/subscriptions", `{"callback": "`+rcv.URL+`", "where": "dcterms:title="}`, "Content-Type", "application/json")
	assert.Equal(t, 400, r.status, "%s", r.body)

	r = ts.do(t, "POST", "/oslc/hub", `{"callback": "`+rcv.URL+`", "query": "eventType=ResourceCreated&oslc.where=dcterms:title=\"web01\""}`, "Content-Type", "application/json")
	require.Equal(t, 201, r.status, "%s", r.body)
	var js struct{ ID, Href, Callback, Query, Secret string }
	require.NoError(t, json.Unmarshal(r.body, &js))
	assert.Equal(t, r.header.Get("Location"), js.Href)
	assert.Len(t, js.Secret, 64)
	assert.Equal(t, rcv.URL, js.Callback)
	assert.Contains(t, js.Query, "eventType=ResourceCreated")

	rdfBody := `@prefix pmj: <https://oslc-pm.github.io/ns/pmjob#> .
<> pmj:callback <` + rcv.URL + `/rdf> ; pmj:eventType pmj:JobCreated .`
	r = ts.do(t, "POST", "/oslc/subscriptions", rdfBody, "Content-Type", "text/turtle", "Accept", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), "secret", "the secret is told on creation")
	second := r.header.Get("Location")

	for _, title := range []string{"db01", "web01"} {
		r := ts.do(t, "POST", "/oslc/resources", `@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title "`+title+`" .`, "Content-Type", "text/turtle")
		require.Equal(t, 201, r.status, "%s", r.body)
	}
	waitUntil(t, "the delivery", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 1 })
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	require.Len(t, got, 1, "db01 is filtered out; the RDF subscription wants jobs")
	assert.Equal(t, "ResourceCreated", got[0].EventType)
	mu.Unlock()

	r = ts.do(t, "GET", js.Href, "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status, "%s", r.body)
	body := string(r.body)
	assert.NotContains(t, body, "secret", "the secret is told once")
	assert.Contains(t, body, "deliveredCount")
	assert.Contains(t, body, "pmj:Delivering")

	r = ts.do(t, "GET", "/oslc/subscriptions", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	assert.Contains(t, string(r.body), second)

	r = ts.do(t, "DELETE", second, "")
	assert.Equal(t, 204, r.status, "%s", r.body)
	r = ts.do(t, "GET", second, "")
	assert.Equal(t, 404, r.status)
	r = ts.do(t, "DELETE", "/oslc/hub/"+js.ID, "")
	assert.Equal(t, 204, r.status, "%s", r.body)
}

// TestHubStream reads the hub's events from /oslc/events with a types
// parameter, and resumes after Last-Event-ID.
func TestHubStream(t *testing.T) {
	ts := newHubServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", ts.URL+"/oslc/events?types=ResourceCreated", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "text/event-stream; charset=utf-8", resp.Header.Get("Content-Type"))
	r := ts.do(t, "POST", "/oslc/resources", `@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title "web01" .`, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status)
	sc := bufio.NewScanner(resp.Body)
	var id, event, data string
	for sc.Scan() && data == "" {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			event = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
	assert.Equal(t, "ResourceCreated", event)
	var m notify.Message
	require.NoError(t, json.Unmarshal([]byte(data), &m))
	assert.Equal(t, id, m.EventID)
	assert.Equal(t, r.header.Get("Location"), m.Event.ID)

	bad := ts.do(t, "GET", "/oslc/events?types=Nope", "")
	assert.Equal(t, 400, bad.status)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "timed out waiting for %s", what)
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCompactionHoldsForSubscribers: compaction of the change log keeps
// the events a subscriber has yet to be given, however many there are.
func TestCompactionHoldsForSubscribers(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	defer db.Close()
	allow, err := collect.ParseAllowList("127.0.0.1")
	require.NoError(t, err)
	// A receiver that is down: nothing is delivered, the cursor stays.
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer rcv.Close()
	hs := httptest.NewUnstartedServer(nil)
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: "http://" + hs.Listener.Addr().String(),
		TRS:    provider.TRSConfig{MaxChanges: 5},
		Notify: notify.Config{Allow: allow, Retry: notify.Retry{First: time.Hour, Attempts: 2}}})
	require.NoError(t, err)
	srv.Start()
	defer srv.Close()
	hs.Config.Handler = srv
	hs.Start()
	defer hs.Close()
	ts := &testServer{Server: hs, db: db}
	_, _, err = srv.Notify().Subscribe(context.Background(), notify.Listener{Callback: rcv.URL})
	require.NoError(t, err)
	for range 20 {
		r := ts.do(t, "POST", "/oslc/resources", `<> a <http://open-services.net/ns/crtv#ComputerSystem> .`, "Content-Type", "text/turtle")
		require.Equal(t, 201, r.status)
	}
	// The first resource's delivery waits for its retry.
	waitUntil(t, "the first attempt", func() bool {
		for _, s := range srv.Notify().Subscriptions() {
			if _, st, _ := srv.Notify().Lookup(s.ID); st.Attempts > 0 {
				return true
			}
		}
		return false
	})
	hold := srv.Notify().Hold()
	_, err = srv.CompactChangeLog(context.Background())
	require.NoError(t, err)
	require.NoError(t, db.View(context.Background(), func(sn *store.Snapshot) error {
		oldest, newest := sn.ChangeSpan()
		assert.LessOrEqual(t, oldest, hold, "the subscriber's next event is kept")
		assert.Greater(t, newest-oldest, uint64(15), "beyond the bound")
		return nil
	}))
}
