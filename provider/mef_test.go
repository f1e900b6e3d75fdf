package provider_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/internal/apispec"
	"github.com/oslc-pm/pmprovider/provider/mef"
)

// mefJob is a MEF performanceJob of resource: the synthetic collector's
// CPU every minute, reported every five.
func mefJob(resource string) map[string]any {
	return map[string]any{
		"description":            "Web tier",
		"producingApplicationId": "pmj:SyntheticCollector",
		"performanceProfile": map[string]any{
			"@type": "PerformanceProfileValue", "jobType": "proactive", "granularity": "1 minute", "reportingPeriod": "5 minutes",
			"jobPriority": 4, "outputFormat": "csv", "resultFormat": "attachment",
		},
		"servicePayloadSpecificAttributes": map[string]any{
			"@type": mef.PayloadType, "monitoredObject": []any{resource}, "performanceIndicator": []any{"pm:CpuUsed"},
		},
	}
}

// TestMEFJobs drives performanceJob, its tasks, performanceProfile,
// trackingRecord and performanceReport, success and error paths, each
// exchange validated against the MEF Legato document.
func TestMEFJobs(t *testing.T) {
	env, res := newFacesEnv(t)
	api := newFace(t, env, mef.BasePath, apispec.MEF).as("customer")

	r := api.call(t, "POST", "/performanceJob", mefJob(res))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	job := obj(t, r)
	id := job["id"].(string)
	assert.Equal(t, "inProgress", job["state"])
	assert.Equal(t, "1 minute", jsonPath(job, "performanceProfile.granularity"))
	assert.Equal(t, "5 minutes", jsonPath(job, "performanceProfile.reportingPeriod"))
	assert.Equal(t, "Web tier", job["description"])

	t.Run("list and get", func(t *testing.T) {
		r := api.call(t, "GET", "/performanceJob?state=inProgress&granularity=1%20minute", nil)
		require.Equal(t, 200, r.status)
		assert.Len(t, list(t, r), 1)
		r = api.call(t, "GET", "/performanceJob?state=suspended", nil)
		assert.Empty(t, list(t, r))
		r = api.call(t, "GET", "/performanceJob/"+id, nil)
		assert.Equal(t, 200, r.status)
		r = api.call(t, "GET", "/performanceJob/nosuch", nil)
		assert.Equal(t, 404, r.status)
		assert.Equal(t, "notFound", obj(t, r)["code"])
		r = api.call(t, "GET", "/performanceJob?offset=-1", nil)
		assert.Equal(t, 400, r.status)
	})

	t.Run("create errors", func(t *testing.T) {
		bad := mefJob(res)
		bad["performanceProfile"].(map[string]any)["granularity"] = "1 year"
		r := api.call(t, "POST", "/performanceJob", bad)
		assert.Equal(t, 422, r.status, "%s", r.body)
		assert.Equal(t, "performanceProfile.granularity", list(t, r)[0]["propertyPath"])
		bad = mefJob(env.URL + "/oslc/resources/none")
		r = api.call(t, "POST", "/performanceJob", bad)
		assert.Equal(t, 422, r.status, "%s", r.body)
		bad = mefJob(res)
		bad["performanceProfile"] = map[string]any{"@type": "PerformanceProfileRef", "id": "nosuch"}
		r = api.call(t, "POST", "/performanceJob", bad)
		assert.Equal(t, 422, r.status, "%s", r.body)
		assert.Equal(t, "referenceNotFound", list(t, r)[0]["code"])
		r = api.as("governance").call(t, "POST", "/performanceJob", mefJob(res))
		assert.Equal(t, 403, r.status)
		assert.Equal(t, "accessDenied", obj(t, r)["code"])
		r = api.as("").call(t, "GET", "/performanceJob", nil)
		assert.Equal(t, 401, r.status)
		assert.Equal(t, "missingCredentials", obj(t, r)["code"])
	})

	t.Run("tasks", func(t *testing.T) {
		ref := map[string]any{"@type": "PerformanceJobRef", "id": id}
		r := api.call(t, "POST", "/suspendPerformanceJob", map[string]any{"performanceJob": ref, "suspensionReason": "maintenance"})
		require.Equal(t, 201, r.status, "%s", r.body)
		assert.Equal(t, "completed", obj(t, r)["state"])
		task := obj(t, r)["id"].(string)
		r = api.call(t, "GET", "/performanceJob/"+id, nil)
		assert.Equal(t, "suspended", obj(t, r)["state"])
		r = api.call(t, "GET", "/suspendPerformanceJob/"+task, nil)
		assert.Equal(t, 200, r.status, "%s", r.body)
		r = api.call(t, "GET", "/suspendPerformanceJob?performanceJobId="+id, nil)
		assert.Len(t, list(t, r), 1)
		r = api.call(t, "POST", "/resumePerformanceJob", map[string]any{"performanceJob": ref})
		require.Equal(t, 201, r.status, "%s", r.body)
		r = api.call(t, "GET", "/performanceJob/"+id, nil)
		assert.Equal(t, "inProgress", obj(t, r)["state"])

		r = api.call(t, "POST", "/modifyPerformanceJob", map[string]any{"performanceJob": ref,
			"performanceProfile": map[string]any{"granularity": "5 minutes", "reportingPeriod": "15 minutes"}})
		require.Equal(t, 201, r.status, "%s", r.body)
		assert.Equal(t, "completed", obj(t, r)["state"], "%s", r.body)
		r = api.call(t, "GET", "/performanceJob/"+id, nil)
		assert.Equal(t, "5 minutes", jsonPath(obj(t, r), "performanceProfile.granularity"))
		r = api.call(t, "POST", "/modifyPerformanceJob", map[string]any{"performanceJob": ref,
			"performanceProfile": map[string]any{"jobPriority": 99}})
		require.Equal(t, 201, r.status, "%s", r.body)
		assert.Equal(t, "declined", obj(t, r)["state"])

		r = api.call(t, "POST", "/cancelPerformanceJob", map[string]any{"performanceJob": map[string]any{"@type": "PerformanceJobRef", "id": "nosuch"}})
		assert.Equal(t, 422, r.status)
		r = api.call(t, "POST", "/cancelPerformanceJob", map[string]any{"performanceJob": ref, "cancellationReason": "done"})
		require.Equal(t, 201, r.status, "%s", r.body)
		r = api.call(t, "GET", "/performanceJob/"+id, nil)
		assert.Equal(t, "cancelled", obj(t, r)["state"])
		r = api.call(t, "POST", "/resumePerformanceJob", map[string]any{"performanceJob": ref})
		require.Equal(t, 201, r.status, "%s", r.body)
		assert.Equal(t, "declined", obj(t, r)["state"], "a cancelled job cannot be resumed")
		assert.NotEmpty(t, obj(t, r)["resumptionDeniedReason"])
		r = api.call(t, "GET", "/cancelPerformanceJob/nosuch", nil)
		assert.Equal(t, 404, r.status)
	})

	t.Run("tracking", func(t *testing.T) {
		r := api.call(t, "GET", "/trackingRecord?relatedObjectId="+id, nil)
		require.Equal(t, 200, r.status)
		trs := list(t, r)
		require.NotEmpty(t, trs)
		assert.Equal(t, id, trs[0]["relatedObjectId"])
		r = api.call(t, "GET", "/trackingRecord/"+trs[0]["id"].(string), nil)
		assert.Equal(t, 200, r.status)
		r = api.call(t, "GET", "/trackingRecord/nosuch", nil)
		assert.Equal(t, 404, r.status)
	})
}

// TestMEFProfiles makes a profile and a job from it.
func TestMEFProfiles(t *testing.T) {
	env, res := newFacesEnv(t)
	api := newFace(t, env, mef.BasePath, apispec.MEF).as("customer")
	r := api.call(t, "POST", "/performanceProfile", map[string]any{"jobType": "proactive", "granularity": "1 minute", "reportingPeriod": "15 minutes", "outputFormat": "csv", "resultFormat": "attachment", "description": "every minute"})
	require.Equal(t, 201, r.status, "%s", r.body)
	pid := obj(t, r)["id"].(string)
	assert.Equal(t, "active", obj(t, r)["state"])
	r = api.call(t, "PATCH", "/performanceProfile/"+pid, map[string]any{"jobPriority": 2})
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.EqualValues(t, 2, obj(t, r)["jobPriority"])
	r = api.call(t, "PATCH", "/performanceProfile/"+pid, map[string]any{"granularity": "1 year"})
	assert.Equal(t, 400, r.status, "%s", r.body)
	r = api.call(t, "GET", "/performanceProfile?jobType=proactive", nil)
	assert.Len(t, list(t, r), 1)
	r = api.call(t, "GET", "/performanceProfile/"+pid, nil)
	assert.Equal(t, 200, r.status)

	job := mefJob(res)
	job["performanceProfile"] = map[string]any{"@type": "PerformanceProfileRef", "id": pid}
	r = api.call(t, "POST", "/performanceJob", job)
	require.Equal(t, 201, r.status, "%s", r.body)
	assert.Equal(t, "15 minutes", jsonPath(obj(t, r), "performanceProfile.reportingPeriod"))
	assert.EqualValues(t, 2, jsonPath(obj(t, r), "performanceProfile.jobPriority"))
	r = api.call(t, "GET", "/performanceJob?performanceProfileId="+pid, nil)
	assert.Len(t, list(t, r), 1)
	r = api.call(t, "DELETE", "/performanceProfile/"+pid, nil)
	assert.Equal(t, 422, r.status, "a profile in use stays: %s", r.body)
	assert.Equal(t, "performanceProfileInUse", list(t, r)[0]["code"])
	r = api.call(t, "DELETE", "/performanceProfile/nosuch", nil)
	assert.Equal(t, 404, r.status)
}

// TestMEFReports runs a job through reporting periods and reads its
// reports, and the notifications a listener gets.
func TestMEFReports(t *testing.T) {
	env, res := newFacesEnv(t)
	api := newFace(t, env, mef.BasePath, apispec.MEF).as("customer")
	l := newListener(t, apispec.MEFNotifications, http.StatusNoContent)
	r := api.call(t, "POST", "/hub", map[string]any{"callback": l.URL})
	require.Equal(t, 201, r.status, "%s", r.body)
	hub := obj(t, r)["id"].(string)
	r = api.call(t, "GET", "/hub/"+hub, nil)
	assert.Equal(t, 200, r.status)
	r = api.call(t, "GET", "/hub/nosuch", nil)
	assert.Equal(t, 404, r.status)

	body := mefJob(res)
	r = api.call(t, "POST", "/performanceJob", body)
	require.Equal(t, 201, r.status, "%s", r.body)
	id := obj(t, r)["id"].(string)
	env.delivered(t)
	env.advance(t, env.clock.Now().Add(11*time.Minute))
	env.delivered(t)

	r = api.call(t, "GET", "/performanceReport?performanceJobId="+id, nil)
	require.Equal(t, 200, r.status)
	rps := list(t, r)
	require.Len(t, rps, 2, "two reporting periods of five minutes ended")
	assert.Equal(t, "completed", rps[0]["state"])
	r = api.call(t, "GET", "/performanceReport/"+rps[0]["id"].(string), nil)
	require.Equal(t, 200, r.status)
	rp := obj(t, r)
	assert.Equal(t, id, jsonPath(rp, "performanceJob.id"))
	url := jsonPath(rp, "reportUrl.url").(string)
	csv := env.do(t, "GET", url, "", "Accept", "text/csv", "Authorization", "Role customer")
	assert.Equal(t, 200, csv.status)
	assert.Contains(t, string(csv.body), "CpuUsed")
	r = api.call(t, "GET", "/performanceReport/nosuch", nil)
	assert.Equal(t, 404, r.status)

	assert.Contains(t, l.types(), "performanceJobCreateEvent")
	assert.Contains(t, l.types(), "performanceJobReportReadyEvent", "a report-mode job's report is ready")
	r = api.call(t, "DELETE", "/hub/"+hub, nil)
	assert.Equal(t, 204, r.status)
}

// TestMEFStoredResources: profiles, tasks and the ids a client gives a
// job are stored, so that a restart keeps them, and their changes reach
// the hub's listeners as the notifications of mef_pm_notif.yaml.
func TestMEFStoredResources(t *testing.T) {
	env, res := newFacesEnv(t)
	api := newFace(t, env, mef.BasePath, apispec.MEF).as("customer")
	l := newListener(t, apispec.MEFNotifications, http.StatusNoContent)
	r := api.call(t, "POST", "/hub", map[string]any{"callback": l.URL})
	require.Equal(t, 201, r.status, "%s", r.body)

	r = api.call(t, "POST", "/performanceProfile", map[string]any{"jobType": "proactive", "granularity": "1 minute", "reportingPeriod": "15 minutes", "outputFormat": "csv", "resultFormat": "attachment", "buyerProfileId": "B-7"})
	require.Equal(t, 201, r.status, "%s", r.body)
	profile := obj(t, r)
	pid := profile["id"].(string)
	r = api.call(t, "PATCH", "/performanceProfile/"+pid, map[string]any{"jobPriority": 2})
	require.Equal(t, 200, r.status, "%s", r.body)
	job := mefJob(res)
	job["performanceProfile"] = map[string]any{"@type": "PerformanceProfileRef", "id": pid}
	job["buyerJobId"], job["consumingApplicationId"] = "PO-42", "grafana"
	r = api.call(t, "POST", "/performanceJob", job)
	require.Equal(t, 201, r.status, "%s", r.body)
	id := obj(t, r)["id"].(string)
	assert.Equal(t, "PO-42", obj(t, r)["buyerJobId"])
	ref := map[string]any{"@type": "PerformanceJobRef", "id": id}
	r = api.call(t, "POST", "/suspendPerformanceJob", map[string]any{"performanceJob": ref, "suspensionReason": "maintenance"})
	require.Equal(t, 201, r.status, "%s", r.body)
	suspend := obj(t, r)
	r = api.call(t, "POST", "/modifyPerformanceJob", map[string]any{"performanceJob": ref, "buyerJobId": "PO-43",
		"performanceProfile": map[string]any{"granularity": "5 minutes"}})
	require.Equal(t, 201, r.status, "%s", r.body)
	modify := obj(t, r)
	require.Equal(t, "completed", modify["state"], "%s", r.body)

	// Through OSLC, the job holds what the client said.
	g, _ := oslcJob(t, env, env.URL+"/oslc/jobs/"+id)
	jobIRI := mustIRI(t, env.URL+"/oslc/jobs/"+id)
	assert.Equal(t, []string{"PO-43"}, strs(objects(g, jobIRI, pmj("buyerJobId"))))
	assert.Equal(t, []string{"grafana"}, strs(objects(g, jobIRI, pmj("consumingApplicationId"))))
	assert.Equal(t, []string{profile["href"].(string)}, strs(objects(g, jobIRI, pmj("performanceProfile"))))

	env.delivered(t)
	assert.Subset(t, l.types(), []string{"performanceProfileCreateEvent", "performanceProfileAttributeValueChangeEvent",
		"performanceJobCreateEvent", "suspendPerformanceJobStateChangeEvent", "modifyPerformanceJobStateChangeEvent", "performanceJobStateChangeEvent"})

	// A restart keeps them all.
	env.srv.Notify().Close()
	env.boot(t, env.clock.Now().Add(time.Minute))
	env.startHub(t)
	r = api.call(t, "GET", "/performanceProfile/"+pid, nil)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.EqualValues(t, 2, obj(t, r)["jobPriority"])
	assert.Equal(t, "B-7", obj(t, r)["buyerProfileId"])
	assert.Equal(t, "15 minutes", obj(t, r)["reportingPeriod"])
	r = api.call(t, "GET", "/performanceProfile?buyerProfileId=B-7", nil)
	assert.Len(t, list(t, r), 1)
	r = api.call(t, "GET", "/suspendPerformanceJob/"+suspend["id"].(string), nil)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, suspend, obj(t, r))
	r = api.call(t, "GET", "/modifyPerformanceJob/"+modify["id"].(string), nil)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, modify, obj(t, r))
	r = api.call(t, "GET", "/suspendPerformanceJob?performanceJobId="+id, nil)
	assert.Len(t, list(t, r), 1)
	r = api.call(t, "GET", "/suspendPerformanceJob/"+modify["id"].(string), nil)
	assert.Equal(t, 404, r.status, "a modification is no suspension")
	r = api.call(t, "GET", "/performanceJob?buyerJobId=PO-43&consumingApplicationId=grafana&performanceProfileId="+pid, nil)
	assert.Len(t, list(t, r), 1)
	r = api.call(t, "GET", "/performanceJob?buyerJobId=PO-42", nil)
	assert.Empty(t, list(t, r))
	r = api.call(t, "DELETE", "/performanceProfile/"+pid, nil)
	assert.Equal(t, 422, r.status, "still in use after the restart: %s", r.body)

	// The listener registered before the restart hears of changes after.
	r = api.call(t, "POST", "/cancelPerformanceJob", map[string]any{"performanceJob": ref})
	require.Equal(t, 201, r.status, "%s", r.body)
	r = api.call(t, "POST", "/performanceProfile", map[string]any{"jobType": "proactive", "outputFormat": "csv", "resultFormat": "attachment"})
	require.Equal(t, 201, r.status, "%s", r.body)
	r = api.call(t, "DELETE", "/performanceProfile/"+obj(t, r)["id"].(string), nil)
	require.Equal(t, 204, r.status, "%s", r.body)
	env.delivered(t)
	assert.Subset(t, l.types(), []string{"cancelPerformanceJobStateChangeEvent", "performanceProfileDeleteEvent"})
}
