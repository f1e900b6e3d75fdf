package provider_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/mef"
	"github.com/oslc-pm/pmprovider/provider/tmf628"
)

// FuzzFacesBodies sends client JSON to the writes of the TMF628 and MEF
// faces: whatever it is, the answer is a 2xx or a 4xx with a JSON error,
// never a 500 or a panic.
func FuzzFacesBodies(f *testing.F) {
	seed := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	const res = "http://127.0.0.1:1/oslc/resources/x"
	f.Add(seed(tmfJob(res)))
	f.Add(seed(mefJob(res)))
	f.Add(`{"fileTransferData":[{"retentionPeriod":{"amount":-1,"units":"weeks"}}],"granularity":7}`)
	f.Add(`{"performanceJob":{"id":"../../x"},"performanceProfile":{"granularity":"1 year"}}`)
	f.Add(`{"monitoredClassCriteria":{"monitoredObjectClass":"crtv:ComputerSystem","objectInstanceFilter":"crtv:name=\""}}`)
	f.Add(`[]`)
	f.Add(`{"scheduleDefinition":{"scheduleDefinitionStartTime":"yesterday"},"collectionPeriod":{}}`)
	ts := newTestServer(f)
	r := ts.do(f, "POST", "/oslc/resources", `<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "web1" .`, "Content-Type", "text/turtle")
	require.Equal(f, 201, r.status, "%s", r.body)
	tmfAPI := &face{ts: ts, base: tmf628.BasePath}
	mefAPI := &face{ts: ts, base: mef.BasePath}
	// The test server has the push collector only.
	j := tmfJob(r.header.Get("Location"))
	j["producingApplicationId"] = "pmj:PushCollector"
	r = tmfAPI.send(f, "POST", "/measurementCollectionJob", seed(j))
	require.Equal(f, 201, r.status, "%s", r.body)
	var job map[string]any
	require.NoError(f, json.Unmarshal(r.body, &job))
	id := job["id"].(string)
	f.Fuzz(func(t *testing.T, body string) {
		for _, c := range []struct {
			api          *face
			method, path string
		}{
			{tmfAPI, "POST", "/measurementCollectionJob"},
			{tmfAPI, "POST", "/onDemandCollection"},
			{tmfAPI, "PATCH", "/measurementCollectionJob/" + id},
			{tmfAPI, "POST", "/hub"},
			{mefAPI, "POST", "/performanceJob"},
			{mefAPI, "POST", "/modifyPerformanceJob"},
			{mefAPI, "POST", "/performanceProfile"},
			{mefAPI, "POST", "/hub"},
		} {
			r := c.api.send(t, c.method, c.path, body)
			if r.status >= 500 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Fatalf("%s %s %q: %d %s", c.method, c.path, body, r.status, r.body)
			}
		}
	})
}
