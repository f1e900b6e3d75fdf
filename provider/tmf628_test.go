package provider_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/internal/apispec"
	"github.com/oslc-pm/pmprovider/provider/mef"
	"github.com/oslc-pm/pmprovider/provider/tmf628"
)

// tmfJob is a TMF628 measurementCollectionJob of resource: the synthetic
// collector's CPU and memory metrics every minute, reported every five.
func tmfJob(resource string) map[string]any {
	return map[string]any{
		"@type":                  "MeasurementCollectionJob",
		"producingApplicationId": "pmj:SyntheticCollector",
		"granularity":            "g_1mn",
		"reportingPeriod":        "r_5mn",
		"jobPriority":            3,
		"fileTransferData":       []any{map[string]any{"retentionPeriod": map[string]any{"amount": 180, "units": "minutes"}}},
		"monitoredInstancesCriteria": map[string]any{
			"@type":           "MonitoredInstancesCriteria",
			"monitoredObject": []any{map[string]any{"id": resource}},
		},
		"performanceIndicatorSpecification":      []any{map[string]any{"id": "CpuUsed"}},
		"performanceIndicatorGroupSpecification": []any{map[string]any{"id": "MemoryMetrics", "name": "pm:MemoryMetrics", "performanceIndicatorSpecification": []any{map[string]any{"id": "MemoryUsed"}}}},
	}
}

// TestTMF628Jobs drives the measurementCollectionJob resource through its
// operations, success and error paths, each exchange validated against
// the TMF628 v4 document.
func TestTMF628Jobs(t *testing.T) {
	env, res := newFacesEnv(t)
	api := newFace(t, env, tmf628.BasePath, apispec.TMF628).as("customer")

	r := api.call(t, "POST", "/measurementCollectionJob", tmfJob(res))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	job := obj(t, r)
	id := job["id"].(string)
	assert.Equal(t, r.header.Get("Location"), job["href"])
	assert.Equal(t, "unlocked", job["adminState"])
	assert.Equal(t, "inProgress", job["executionState"])
	assert.Equal(t, "g_1mn", job["granularity"])
	assert.Equal(t, "r_5mn", job["reportingPeriod"])
	assert.EqualValues(t, 3, job["jobPriority"])
	assert.Equal(t, "pmj:SyntheticCollector", job["producingApplicationId"])
	assert.EqualValues(t, 180, jsonPath(job["fileTransferData"].([]any)[0].(map[string]any), "retentionPeriod.amount"))
	assert.Len(t, job["performanceIndicatorSpecification"], 1)
	assert.Equal(t, "pm:MemoryMetrics", job["performanceIndicatorGroupSpecification"].([]any)[0].(map[string]any)["name"])
	assert.NotEmpty(t, job["trackingRecord"])

	// The same job through OSLC.
	g, _ := oslcJob(t, env, job["jobId"].(string))
	assert.Contains(t, strs(objects(g, mustIRI(t, job["jobId"].(string)), pmj("granularity"))), "PT1M")
	assert.Equal(t, []string{"customer-user"}, strs(objects(g, mustIRI(t, job["jobId"].(string)), "http://purl.org/dc/terms/creator")))

	t.Run("list", func(t *testing.T) {
		r := api.call(t, "GET", "/measurementCollectionJob", nil)
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Len(t, list(t, r), 1)
		assert.Equal(t, "1", r.header.Get("X-Total-Count"))
		r = api.call(t, "GET", "/measurementCollectionJob?adminState=locked", nil)
		assert.Empty(t, list(t, r))
		r = api.call(t, "GET", "/measurementCollectionJob?executionState=pending,inProgress&granularity=g_1mn&fields=adminState", nil)
		items := list(t, r)
		require.Len(t, items, 1)
		assert.Equal(t, "unlocked", items[0]["adminState"])
		assert.NotContains(t, items[0], "granularity", "fields keeps what it names")
		assert.Contains(t, items[0], "fileTransferData", "and what the schema requires")
		r = api.call(t, "GET", "/measurementCollectionJob?offset=1&limit=1", nil)
		assert.Empty(t, list(t, r))
		assert.Equal(t, "1", r.header.Get("X-Total-Count"))
		r = api.call(t, "GET", "/onDemandCollection", nil)
		assert.Empty(t, list(t, r), "a proactive job is no on-demand collection")
		r = api.call(t, "GET", "/measurementCollectionJob?color=red", nil)
		assert.Equal(t, 400, r.status)
		r = api.call(t, "GET", "/measurementCollectionJob?limit=-1", nil)
		assert.Equal(t, 400, r.status)
	})

	t.Run("get", func(t *testing.T) {
		r := api.call(t, "GET", "/measurementCollectionJob/"+id+"?fields=executionState", nil)
		require.Equal(t, 200, r.status)
		assert.Equal(t, "inProgress", obj(t, r)["executionState"])
		assert.NotContains(t, obj(t, r), "granularity")
		r = api.call(t, "GET", "/measurementCollectionJob/nosuchjob", nil)
		assert.Equal(t, 404, r.status)
		assert.Equal(t, "404", obj(t, r)["code"])
		r = api.call(t, "GET", "/onDemandCollection/"+id, nil)
		assert.Equal(t, 404, r.status)
	})

	t.Run("patch", func(t *testing.T) {
		ftd := []any{map[string]any{}}
		r := api.call(t, "PATCH", "/measurementCollectionJob/"+id, map[string]any{"fileTransferData": ftd, "adminState": "locked"})
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Equal(t, "locked", obj(t, r)["adminState"])
		assert.Equal(t, "inProgress", obj(t, r)["executionState"], "a suspended job is inProgress and locked")
		r = api.call(t, "PATCH", "/measurementCollectionJob/"+id, map[string]any{"fileTransferData": ftd, "adminState": "unlocked", "granularity": "g_5mn", "reportingPeriod": "r_15mn"})
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Equal(t, "unlocked", obj(t, r)["adminState"])
		assert.Equal(t, "g_5mn", obj(t, r)["granularity"])
		assert.Equal(t, "r_15mn", obj(t, r)["reportingPeriod"])
		// The monitored object and indicators the patch leaves out stay.
		assert.Len(t, obj(t, r)["performanceIndicatorSpecification"], 1)

		// Errors: semantically wrong, valid to the schema.
		for name, body := range map[string]map[string]any{
			"priority":    {"jobPriority": 42},
			"read-only":   {"creationTime": "2020-01-01T00:00:00Z"},
			"state":       {"executionState": "completed"},
			"granularity": {"granularity": "g_1y"},
			"unknown":     {"color": "red"},
			"indicator":   {"performanceIndicatorSpecification": []any{map[string]any{"id": "NoSuchMetric"}}},
		} {
			t.Run(name, func(t *testing.T) {
				body["fileTransferData"] = ftd
				r := api.call(t, "PATCH", "/measurementCollectionJob/"+id, body)
				assert.Equal(t, 400, r.status, "%s", r.body)
				assert.NotEmpty(t, obj(t, r)["message"])
			})
		}
		r = api.call(t, "PATCH", "/measurementCollectionJob/nosuchjob", map[string]any{"fileTransferData": ftd})
		assert.Equal(t, 404, r.status)
	})

	t.Run("create errors", func(t *testing.T) {
		bad := tmfJob(env.URL + "/oslc/resources/none")
		r := api.call(t, "POST", "/measurementCollectionJob", bad)
		assert.Equal(t, 400, r.status, "%s", r.body)
		assert.Contains(t, obj(t, r)["message"], "not a monitored resource")
		bad = tmfJob(res)
		bad["producingApplicationId"] = "pmj:NoCollector"
		r = api.call(t, "POST", "/measurementCollectionJob", bad)
		assert.Equal(t, 400, r.status, "%s", r.body)
	})

	t.Run("roles", func(t *testing.T) {
		r := api.as("governance").call(t, "POST", "/measurementCollectionJob", tmfJob(res))
		assert.Equal(t, 403, r.status, "%s", r.body)
		assert.Equal(t, "403", obj(t, r)["code"])
		r = api.as("governance").call(t, "GET", "/measurementCollectionJob/"+id, nil)
		assert.Equal(t, 200, r.status)
		r = api.as("").call(t, "GET", "/measurementCollectionJob", nil)
		assert.Equal(t, 401, r.status)
		assert.NotEmpty(t, r.header.Get("WWW-Authenticate"))
	})

	t.Run("tracking", func(t *testing.T) {
		r := api.call(t, "GET", "/trackingRecord?measurementJob="+id, nil)
		require.Equal(t, 200, r.status)
		trs := list(t, r)
		require.NotEmpty(t, trs)
		r = api.call(t, "GET", "/trackingRecord/"+trs[0]["id"].(string), nil)
		require.Equal(t, 200, r.status)
		assert.Equal(t, trs[0]["id"], obj(t, r)["id"])
		r = api.call(t, "GET", "/trackingRecord/nosuch", nil)
		assert.Equal(t, 404, r.status)
	})

	t.Run("cancel and delete", func(t *testing.T) {
		ftd := []any{map[string]any{}}
		r := api.call(t, "PATCH", "/measurementCollectionJob/"+id, map[string]any{"fileTransferData": ftd, "executionState": "cancelled"})
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Equal(t, "cancelled", obj(t, r)["executionState"])
		r = api.call(t, "PATCH", "/measurementCollectionJob/"+id, map[string]any{"fileTransferData": ftd, "adminState": "locked"})
		assert.Equal(t, 409, r.status, "a cancelled job cannot change: %s", r.body)
		r = api.call(t, "DELETE", "/measurementCollectionJob/"+id, nil)
		assert.Equal(t, 204, r.status)
		r = api.call(t, "GET", "/measurementCollectionJob/"+id, nil)
		assert.Equal(t, 404, r.status)
		r = api.call(t, "DELETE", "/measurementCollectionJob/"+id, nil)
		assert.Equal(t, 404, r.status)
	})
}

// TestTMF628OnDemand creates an on-demand collection, a bounded job.
func TestTMF628OnDemand(t *testing.T) {
	env, res := newFacesEnv(t)
	api := newFace(t, env, tmf628.BasePath, apispec.TMF628).as("customer")
	body := tmfJob(res)
	delete(body, "granularity")
	delete(body, "reportingPeriod")
	body["@type"] = "OnDemandCollection"
	body["granulatiry"] = "g_1mn"
	start := env.clock.Now().Add(time.Minute).Truncate(time.Minute)
	body["collectionPeriod"] = map[string]any{"startDateTime": start.Format(time.RFC3339), "endDateTime": start.Add(10 * time.Minute).Format(time.RFC3339)}
	r := api.call(t, "POST", "/onDemandCollection", body)
	require.Equal(t, 201, r.status, "%s", r.body)
	job := obj(t, r)
	assert.Equal(t, "OnDemandCollection", job["@type"])
	assert.Equal(t, "g_1mn", job["granulatiry"])
	assert.NotNil(t, jsonPath(job, "collectionPeriod.endDateTime"))
	r = api.call(t, "GET", "/onDemandCollection", nil)
	assert.Len(t, list(t, r), 1)
	r = api.call(t, "GET", "/measurementCollectionJob", nil)
	assert.Empty(t, list(t, r))

	delete(body, "collectionPeriod")
	r = api.call(t, "POST", "/onDemandCollection", body)
	assert.Equal(t, 400, r.status, "an on-demand collection needs an end: %s", r.body)
}

// TestTMF628Indicators lists the performance indicators: the pm metrics
// the collectors measure, grouped by their categories.
func TestTMF628Indicators(t *testing.T) {
	env, _ := newFacesEnv(t)
	api := newFace(t, env, tmf628.BasePath, apispec.TMF628).as("governance")
	r := api.call(t, "GET", "/performanceIndicatorSpecification", nil)
	require.Equal(t, 200, r.status)
	ins := list(t, r)
	require.NotEmpty(t, ins)
	byID := map[string]map[string]any{}
	for _, in := range ins {
		byID[in["id"].(string)] = in
	}
	require.Contains(t, byID, "CpuUsed")
	assert.Equal(t, "pm:CpuUsed", byID["CpuUsed"]["name"])
	r = api.call(t, "GET", "/performanceIndicatorSpecification/CpuUsed", nil)
	assert.Equal(t, 200, r.status)
	r = api.call(t, "GET", "/performanceIndicatorSpecification/NoSuch", nil)
	assert.Equal(t, 404, r.status)

	r = api.call(t, "GET", "/performanceIndicatorGroupSpecification", nil)
	require.Equal(t, 200, r.status)
	var mem map[string]any
	for _, g := range list(t, r) {
		if g["id"] == "MemoryMetrics" {
			mem = g
		}
	}
	require.NotNil(t, mem)
	assert.NotEmpty(t, mem["performanceIndicatorSpecification"])
	r = api.call(t, "GET", "/performanceIndicatorGroupSpecification/MemoryMetrics", nil)
	assert.Equal(t, 200, r.status)

	r = api.as("customer").call(t, "POST", "/performanceIndicatorSpecification", map[string]any{"name": "Mine"})
	assert.Equal(t, 405, r.status)
	r = api.as("customer").call(t, "DELETE", "/performanceIndicatorGroupSpecification/MemoryMetrics", nil)
	assert.Equal(t, 405, r.status)
}

// TestTMF628Hub registers listeners and checks the events they get, each
// validated against the listener operations of the document.
func TestTMF628Hub(t *testing.T) {
	env, res := newFacesEnv(t)
	api := newFace(t, env, tmf628.BasePath, apispec.TMF628).as("customer")
	all := newListener(t, apispec.TMF628, http.StatusCreated)
	creates := newListener(t, apispec.TMF628, http.StatusCreated)

	r := api.call(t, "POST", "/hub", map[string]any{"callback": all.URL})
	require.Equal(t, 201, r.status, "%s", r.body)
	allID := obj(t, r)["id"].(string)
	r = api.call(t, "POST", "/hub", map[string]any{"callback": creates.URL, "query": "eventType=MeasurementCollectionJobCreateEvent"})
	require.Equal(t, 201, r.status, "%s", r.body)
	r = api.call(t, "POST", "/hub", map[string]any{"callback": creates.URL, "query": "eventType=NoSuchEvent"})
	assert.Equal(t, 400, r.status)
	r = api.call(t, "POST", "/hub", map[string]any{"callback": "not a url"})
	assert.Equal(t, 400, r.status)

	r = api.call(t, "POST", "/hub", map[string]any{"callback": "http://localhost:9/x"})
	assert.Equal(t, 400, r.status, "the allow-list refuses the callback: %s", r.body)
	assert.Contains(t, obj(t, r)["message"], "callback")

	r = api.call(t, "POST", "/measurementCollectionJob", tmfJob(res))
	require.Equal(t, 201, r.status, "%s", r.body)
	id := obj(t, r)["id"].(string)
	env.delivered(t)
	ftd := []any{map[string]any{}}
	r = api.call(t, "PATCH", "/measurementCollectionJob/"+id, map[string]any{"fileTransferData": ftd, "jobPriority": 7})
	require.Equal(t, 200, r.status, "%s", r.body)
	env.clock.set(env.clock.Now().Add(time.Second)) // the tracking records of each step apart
	r = api.call(t, "PATCH", "/measurementCollectionJob/"+id, map[string]any{"fileTransferData": ftd, "adminState": "locked"})
	require.Equal(t, 200, r.status, "%s", r.body)
	env.delivered(t)
	r = api.call(t, "DELETE", "/measurementCollectionJob/"+id, nil)
	require.Equal(t, 204, r.status)
	env.delivered(t)

	got := all.types()
	assert.Equal(t, "MeasurementCollectionJobCreateEvent", got[0])
	assert.Contains(t, got, "MeasurementCollectionJobAttributeValueChangeEvent")
	assert.Contains(t, got, "MeasurementCollectionJobExecutionStateChangeEvent")
	assert.Equal(t, "MeasurementCollectionJobDeleteEvent", got[len(got)-1])
	assert.Equal(t, []string{"MeasurementCollectionJobCreateEvent"}, creates.types())
	assert.Contains(t, all.paths, "/listener/measurementCollectionJobCreateEvent")

	r = api.call(t, "DELETE", "/hub/"+allID, nil)
	assert.Equal(t, 204, r.status)
	r = api.call(t, "DELETE", "/hub/"+allID, nil)
	assert.Equal(t, 404, r.status)
}

// TestFacesUnknownPaths answers a path or method a face lacks in the
// face's error format.
func TestFacesUnknownPaths(t *testing.T) {
	env, _ := newFacesEnv(t)
	for _, c := range []struct{ method, path, code string }{
		{"GET", tmf628.BasePath + "/nosuchResource", "404"},
		{"PUT", tmf628.BasePath + "/measurementCollectionJob", "405"},
		{"GET", mef.BasePath + "/nosuchResource", "notFound"},
	} {
		r := env.do(t, c.method, c.path, "", "Authorization", "Role admin")
		require.Contains(t, r.header.Get("Content-Type"), "application/json", "%s %s: %s", c.method, c.path, r.body)
		assert.Equal(t, c.code, obj(t, r)["code"], "%s %s", c.method, c.path)
	}
}

// TestTMF628FilesReady: when a reporting period's report is ready, a
// listener hears MeasurementCollectionJobFilesReadyEvent with the job
// whose fileTransferData locates that report.
func TestTMF628FilesReady(t *testing.T) {
	env, res := newFacesEnv(t)
	api := newFace(t, env, tmf628.BasePath, apispec.TMF628).as("customer")
	l := newListener(t, apispec.TMF628, http.StatusCreated)
	r := api.call(t, "POST", "/hub", map[string]any{"callback": l.URL, "query": "eventType=MeasurementCollectionJobFilesReadyEvent"})
	require.Equal(t, 201, r.status, "%s", r.body)
	r = api.call(t, "POST", "/measurementCollectionJob", tmfJob(res))
	require.Equal(t, 201, r.status, "%s", r.body)
	id := obj(t, r)["id"].(string)
	env.advance(t, env.clock.Now().Add(11*time.Minute))
	env.delivered(t)

	require.Equal(t, []string{"MeasurementCollectionJobFilesReadyEvent", "MeasurementCollectionJobFilesReadyEvent"}, l.types(),
		"two reporting periods of five minutes ended")
	l.mu.Lock()
	ev := l.events[0]
	path := l.paths[0]
	l.mu.Unlock()
	assert.Equal(t, "/listener/measurementCollectionJobFilesReadyEvent", path)
	job := jsonPath(ev, "event.measurementCollectionJob").(map[string]any)
	assert.Equal(t, id, job["id"])
	loc := job["fileTransferData"].([]any)[0].(map[string]any)["fileLocation"].(string)
	assert.Contains(t, loc, "/oslc/reports/")
	csv := env.do(t, "GET", loc, "", "Accept", "text/csv", "Authorization", "Role customer")
	require.Equal(t, 200, csv.status, "%s", csv.body)
	assert.Contains(t, string(csv.body), "CpuUsed")
}
