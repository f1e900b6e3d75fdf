package provider_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
)

// testServers lets collectors reach the httptest servers of tests, which
// listen on 127.0.0.1, as --collect-allow 127.0.0.1/32 would.
var testServers = func() *collect.AllowList {
	a, err := collect.ParseAllowList("127.0.0.1/32")
	if err != nil {
		panic(err)
	}
	return a
}()

// TestJobsMayNotFetchFromTheProvidersHost: a job whose collector would
// fetch from a loopback address (the provider's own host: its admin
// endpoints, other local services) is refused when created, saying which
// URL and which flag lets the operator allow it.
func TestJobsMayNotFetchFromTheProvidersHost(t *testing.T) {
	var hits atomic.Int32
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer admin.Close()
	env := newCollectorEnv(t, collect.NewHTTP(), collect.NewPrometheus())
	siteRes := env.createSite(t, "admin", collect.PropProbeURL, admin.URL+"/internal-admin")
	plain := env.createResource(t, "plain")

	tests := []struct {
		name string
		res  string
		edit func(p map[string]string)
		want string
	}{
		{"the resource's URL", siteRes, func(p map[string]string) {
			p["pmj:collector"] = "pmj:HttpCollector"
			p["pmj:performanceIndicator"] = "pm:ResponseTime"
		},
			"pmj:monitoredObject: " + siteRes + ": its pmj:probeURL " + admin.URL + "/internal-admin: "},
		{"the job's URL", plain, func(p map[string]string) {
			p["pmj:collector"] = "pmj:PrometheusCollector"
			p["pmj:performanceIndicator"] = "pm:RealMemoryUsed"
			p["pmj:scrapeURL"] = "<" + admin.URL + "/metrics>"
		}, "pmj:scrapeURL: " + admin.URL + "/metrics: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.do(t, "POST", "/oslc/jobs", jobTTL([]string{tt.res}, tt.edit), "Content-Type", "text/turtle")
			require.Equal(t, 400, r.status, "%s", r.body)
			msg := oslcError(t, r)
			assert.Contains(t, msg, tt.want)
			assert.Contains(t, msg, "is a loopback address")
			assert.Contains(t, msg, "--collect-allow")
		})
	}
	assert.Zero(t, hits.Load())
}
