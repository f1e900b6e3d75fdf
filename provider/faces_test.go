package provider_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/internal/apispec"
	"github.com/oslc-pm/pmprovider/provider/mef"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/provider/tmf628"
)

// face is one of the provider's JSON APIs, every exchange with it checked
// against its published OpenAPI document, request and response alike.
type face struct {
	ts     *testServer
	doc    *apispec.Doc
	base   string   // the API's base path
	header []string // sent with every request (credentials)
}

func newFace(t *testing.T, env *jobEnv, base string, open func(testing.TB, string) *apispec.Doc) *face {
	return &face{ts: env.testServer, doc: open(t, env.URL+base), base: base}
}

// as returns the face with the credentials of role.
func (f *face) as(role string) *face {
	g := *f
	g.header = []string{"Authorization", "Role " + role}
	if role == "" {
		g.header = nil
	}
	return &g
}

// call sends method path (under the API's base) with body (JSON of it, or
// none for nil), checks the exchange against the document and returns the
// answer.
func (f *face) call(t *testing.T, method, path string, body any) response {
	t.Helper()
	var b []byte
	if body != nil {
		var err error
		b, err = json.Marshal(body)
		require.NoError(t, err)
	}
	req, err := http.NewRequest(method, f.ts.URL+f.base+path, bytes.NewReader(b))
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json;charset=utf-8")
	}
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(f.header); i += 2 {
		req.Header.Set(f.header[i], f.header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	f.doc.Check(t, req, b, resp.StatusCode, resp.Header, rb)
	return response{status: resp.StatusCode, header: resp.Header, body: rb}
}

// send sends method path with body as JSON, unchecked (for bodies no
// client following the document sends).
func (f *face) send(t testing.TB, method, path, body string) response {
	t.Helper()
	h := append([]string{"Content-Type", "application/json"}, f.header...)
	return f.ts.do(t, method, f.base+path, body, h...)
}

// obj decodes a JSON object answer.
func obj(t *testing.T, r response) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "%s", r.body)
	return m
}

// list decodes a JSON array answer.
func list(t *testing.T, r response) []map[string]any {
	t.Helper()
	var m []map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "%s", r.body)
	return m
}

// listener is a hub's listener: it keeps the events POSTed to it, each
// checked against doc, which is served at the listener's URL.
type listener struct {
	*httptest.Server
	mu     sync.Mutex
	events []map[string]any
	paths  []string
}

func newListener(t *testing.T, open func(testing.TB, string) *apispec.Doc, status int) *listener {
	l := &listener{}
	var doc *apispec.Doc
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		doc.CheckRequest(t, r, b)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("event is not a JSON object: %s", b)
		}
		l.mu.Lock()
		l.events = append(l.events, m)
		l.paths = append(l.paths, r.URL.Path)
		l.mu.Unlock()
		w.WriteHeader(status)
	}))
	doc = open(t, l.URL)
	t.Cleanup(l.Close)
	return l
}

// types returns the eventType of each event received.
func (l *listener) types() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		s, _ := e["eventType"].(string)
		out = append(out, s)
	}
	return out
}

// newFacesEnv is a provider with role-based authentication (roleAuth),
// and the IRI of a monitored resource made by an admin. Its event hub
// runs, and may call back listeners on loopback.
func newFacesEnv(t *testing.T) (*jobEnv, string) {
	var bound string
	env := &jobEnv{}
	env.authn = auth.Chain{roleAuth{bound: &bound}}
	allow, err := collect.ParseAllowList("127.0.0.1")
	require.NoError(t, err)
	env.notify = notify.Config{Allow: allow, Poll: 5 * time.Millisecond,
		Retry: notify.Retry{First: 10 * time.Millisecond, Max: 100 * time.Millisecond, Attempts: 4}}
	env = newJobEnvWith(t, env)
	env.startHub(t)
	return env, env.createResourceAs(t, "web1", []string{"Authorization", "Role admin"})
}

// startHub starts the provider's event hub (not its job engine, which
// the tests tick), until the test ends.
func (env *jobEnv) startHub(t *testing.T) {
	t.Helper()
	hub := env.srv.Notify()
	require.NoError(t, hub.Start())
	t.Cleanup(hub.Close)
}

// delivered waits until every subscription of the provider's event hub
// has been given the events committed so far.
func (env *jobEnv) delivered(t *testing.T) {
	t.Helper()
	hub := env.srv.Notify()
	hub.Wake()
	newest := hub.Newest()
	waitUntil(t, "the deliveries", func() bool {
		for _, s := range hub.Subscriptions() {
			if _, st, ok := hub.Lookup(s.ID); ok && st.Cursor < newest {
				return false
			}
		}
		return true
	})
}

func jsonPath(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// oslcJob GETs job as an admin, in N-Triples, and returns its graph and
// ETag.
func oslcJob(t *testing.T, env *jobEnv, job string) ([]rdf.Triple, string) {
	t.Helper()
	r := env.do(t, "GET", job, "", "Accept", "application/n-triples", "Authorization", "Role admin")
	require.Equal(t, 200, r.status, "%s", r.body)
	return graphOf(t, r, job), r.header.Get("ETag")
}

// TestFaceListenersSurviveRestart: TMF628 and MEF listeners are stored
// subscriptions. Registered before a restart, they are there after it
// and receive its events, those committed while no hub ran included.
func TestFaceListenersSurviveRestart(t *testing.T) {
	env, res := newFacesEnv(t)
	tmf := newFace(t, env, tmf628.BasePath, apispec.TMF628).as("customer")
	mefAPI := newFace(t, env, mef.BasePath, apispec.MEF).as("customer")
	tl := newListener(t, apispec.TMF628, http.StatusCreated)
	ml := newListener(t, apispec.MEFNotifications, http.StatusNoContent)
	r := tmf.call(t, "POST", "/hub", map[string]any{"callback": tl.URL})
	require.Equal(t, 201, r.status, "%s", r.body)
	tmfHub := obj(t, r)["id"].(string)
	r = mefAPI.call(t, "POST", "/hub", map[string]any{"callback": ml.URL, "query": "eventType=performanceJobCreateEvent"})
	require.Equal(t, 201, r.status, "%s", r.body)
	mefHub := obj(t, r)["id"].(string)

	// The hub stops; a job is made meanwhile; a new provider starts over
	// the same store.
	env.srv.Notify().Close()
	r = tmf.call(t, "POST", "/measurementCollectionJob", tmfJob(res))
	require.Equal(t, 201, r.status, "%s", r.body)
	first := obj(t, r)["id"].(string)
	env.boot(t, env.clock.Now().Add(time.Second))
	env.startHub(t)

	r = mefAPI.call(t, "GET", "/hub/"+mefHub, nil)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, "eventType=performanceJobCreateEvent", obj(t, r)["query"])
	r = mefAPI.call(t, "POST", "/performanceJob", mefJob(res))
	require.Equal(t, 201, r.status, "%s", r.body)
	second := obj(t, r)["id"].(string)
	env.delivered(t)

	creates := func(l *listener, eventType, key string) []string {
		l.mu.Lock()
		defer l.mu.Unlock()
		var ids []string
		for _, e := range l.events {
			if e["eventType"] == eventType {
				ids = append(ids, jsonPath(e, key).(string))
			}
		}
		return ids
	}
	assert.Equal(t, []string{first, second}, creates(tl, "MeasurementCollectionJobCreateEvent", "event.measurementCollectionJob.id"),
		"the job made while the hub was down, then the one made after, in order")
	assert.Equal(t, []string{first, second}, creates(ml, "performanceJobCreateEvent", "event.id"))
	assert.Equal(t, []string{"performanceJobCreateEvent", "performanceJobCreateEvent"}, ml.types(), "the query stays")

	r = tmf.call(t, "DELETE", "/hub/"+tmfHub, nil)
	assert.Equal(t, 204, r.status)
	r = tmf.call(t, "DELETE", "/hub/"+mefHub, nil)
	assert.Equal(t, 404, r.status, "a MEF listener is not TMF628's")
}
