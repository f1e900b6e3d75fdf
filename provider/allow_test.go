package provider_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// TestAllowMatchesDispatch (issue 14, defect 6, with
// TestAllowFromRouteTable): what OPTIONS lists for a path is what the
// provider serves there. Each method it lists is dispatched (whatever the
// answer, never 405), each other one is a 405 with the same Allow; paths
// differ (no one list for every URL); a base URL with a path keeps all
// this below it.
func TestAllowMatchesDispatch(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	record := strings.TrimPrefix(r.header.Get("Location"), ts.URL)
	check(t, ts, "", []string{
		"/", "/rootservices", "/oslc/catalog", "/oslc/provider", "/oslc/capabilities",
		"/oslc/shapes/record", "/ns/pm", "/oslc/dialogs/create/resources",
		"/oslc/records", record, "/oslc/records/none", "/oslc/resources", "/oslc/resources/none",
		"/oslc/jobs", "/oslc/jobs/none", "/oslc/jobs/none/cancel", "/oslc/jobs/none/push",
		"/oslc/reports", "/oslc/reports/none", "/oslc/tracking", "/oslc/tracking/none",
		"/oslc/notifications/none", "/oslc/adhoc", "/oslc/adhoc/none",
		"/ui/select/records", "/ui/create/resources", "/ui/static/site.css",
	})

	// Below a base URL's path.
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	defer db.Close()
	hs := httptest.NewUnstartedServer(nil)
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: "http://" + hs.Listener.Addr().String() + "/pm"})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	defer hs.Close()
	sub := &testServer{Server: hs, db: db}
	check(t, sub, "/pm", []string{"/oslc/records", "/oslc/records/none", "/oslc/jobs/none/push"})
	assert.Equal(t, 404, sub.do(t, "OPTIONS", "/oslc/records", "").status, "outside the base path")
}

// check asks OPTIONS of each path below prefix and sends each method.
func check(t *testing.T, ts *testServer, prefix string, paths []string) {
	t.Helper()
	lists := map[string]bool{}
	for _, p := range paths {
		o := ts.do(t, "OPTIONS", prefix+p, "")
		require.Equal(t, 204, o.status, "OPTIONS %s", p)
		allow := o.header.Get("Allow")
		lists[allow] = true
		methods := strings.Split(allow, ", ")
		assert.Contains(t, methods, http.MethodOptions, p)
		assert.Equal(t, slices.Contains(methods, http.MethodGet), slices.Contains(methods, http.MethodHead), "%s: HEAD where GET: %s", p, allow)
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, "TRACE"} {
			r := ts.do(t, m, prefix+p, "", "Accept", "text/turtle", "Content-Type", "text/turtle")
			if slices.Contains(methods, m) {
				assert.NotEqual(t, 405, r.status, "%s %s: Allow is %s", m, p, allow)
				continue
			}
			assert.Equal(t, 405, r.status, "%s %s: Allow is %s", m, p, allow)
			assert.Equal(t, allow, r.header.Get("Allow"), "%s %s", m, p)
		}
	}
	if len(paths) > 2 {
		assert.Greater(t, len(lists), 2, "OPTIONS answers differ by path: %v", lists)
	}
}
