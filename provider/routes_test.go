package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAllowFromRouteTable: OPTIONS and the Allow header of a 405 list
// exactly what the route table has for the path.
func TestAllowFromRouteTable(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct{ path, allow string }{
		{"/", "GET, HEAD, OPTIONS"},
		{"/oslc/catalog", "GET, HEAD, OPTIONS"},
		{"/oslc/records", "GET, HEAD, POST, OPTIONS"},
		{"/oslc/records/r1", "GET, HEAD, PUT, DELETE, OPTIONS"},
		{"/oslc/jobs/j1", "GET, HEAD, PUT, DELETE, OPTIONS"},
		{"/oslc/jobs/j1/suspend", "POST, OPTIONS"},
		{"/oslc/jobs/j1/push", "POST, OPTIONS"},
		// Every query base takes queries POSTed as forms (OSLC Query 3.0).
		{"/oslc/reports", "GET, HEAD, POST, OPTIONS"},
		{"/oslc/reports/r1", "GET, HEAD, OPTIONS"},
		{"/oslc/adhoc", "GET, HEAD, POST, OPTIONS"},
		{"/oslc/adhoc/a1", "GET, HEAD, OPTIONS"},
		{"/oslc/dialogs/select/records", "GET, HEAD, OPTIONS"},
		{"/ui/static/site.css", "GET, HEAD, OPTIONS"},
	} {
		t.Run(c.path, func(t *testing.T) {
			o := ts.do(t, "OPTIONS", c.path, "")
			assert.Equal(t, 204, o.status)
			assert.Equal(t, c.allow, o.header.Get("Allow"))
		})
	}
	t.Run("405", func(t *testing.T) {
		for _, c := range []struct{ method, path, allow string }{
			{"PUT", "/oslc/adhoc/a1", "GET, HEAD, OPTIONS"},
			{"DELETE", "/oslc/adhoc/a1", "GET, HEAD, OPTIONS"},
			{"PUT", "/oslc/reports", "GET, HEAD, POST, OPTIONS"},
			{"PATCH", "/oslc/records", "GET, HEAD, POST, OPTIONS"},
			{"GET", "/oslc/jobs/j1/push", "POST, OPTIONS"},
		} {
			r := ts.do(t, c.method, c.path, "", "Accept", "text/turtle")
			assert.Equal(t, 405, r.status, "%s %s", c.method, c.path)
			assert.Equal(t, c.allow, r.header.Get("Allow"), "%s %s", c.method, c.path)
			assert.Contains(t, string(r.body), "oslc:Error", "%s %s", c.method, c.path)
		}
	})
	t.Run("unknown path", func(t *testing.T) {
		assert.Equal(t, 404, ts.do(t, "OPTIONS", "/nowhere", "").status)
		assert.Equal(t, 404, ts.do(t, "PUT", "/nowhere", "").status)
	})
}
