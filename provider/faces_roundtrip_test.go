package provider_test

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider/internal/apispec"
	"github.com/oslc-pm/pmprovider/provider/mef"
	"github.com/oslc-pm/pmprovider/provider/tmf628"
	"github.com/oslc-pm/pmprovider/vocab"
)

// TestFacesRoundTrip makes a job through TMF628, changes it through an
// OSLC PUT, suspends it through MEF, and reads it through all three: the
// same state and the same tracking records, because it is one resource.
func TestFacesRoundTrip(t *testing.T) {
	env := newJobEnv(t)
	res := env.createResource(t, "web1")
	tmf := newFace(t, env, tmf628.BasePath, apispec.TMF628)
	mefAPI := newFace(t, env, mef.BasePath, apispec.MEF)

	// 1. Create through TMF628.
	r := tmf.call(t, "POST", "/measurementCollectionJob", tmfJob(res))
	require.Equal(t, 201, r.status, "%s", r.body)
	id := obj(t, r)["id"].(string)
	job := mustIRI(t, obj(t, r)["jobId"].(string))
	assert.Equal(t, env.URL+"/oslc/jobs/"+id, job.String(), "the TMF job is the OSLC job")

	// 2. Change it through an OSLC PUT: granularity, reporting period and
	// priority.
	g, etag := env.getJob(t, job)
	set := func(pred string, o rdf.Object) {
		for i, tr := range g {
			if rdf.TermsEqual(tr.Subj, job) && tr.Pred.String() == pred {
				g[i].Obj = o
			}
		}
	}
	set(pmj("granularity"), rdf.NewTypedLiteral("PT5M", mustIRI(t, vocab.XSD+"duration")))
	set(pmj("reportingPeriod"), rdf.NewTypedLiteral("PT15M", mustIRI(t, vocab.XSD+"duration")))
	set(pmj("jobPriority"), rdf.NewTypedLiteral("6", mustIRI(t, vocab.XSD+"integer")))
	var buf bytes.Buffer
	require.NoError(t, codec.Encode(&buf, codec.Turtle, g, nil))
	env.clock.set(env.clock.Now().Add(time.Second))
	p := env.do(t, "PUT", job.String(), buf.String(), "Content-Type", "text/turtle", "If-Match", etag)
	require.Equal(t, 200, p.status, "%s", p.body)

	// 3. Suspend it through MEF.
	env.clock.set(env.clock.Now().Add(time.Second))
	r = mefAPI.call(t, "POST", "/suspendPerformanceJob", map[string]any{"performanceJob": map[string]any{"@type": "PerformanceJobRef", "id": id}})
	require.Equal(t, 201, r.status, "%s", r.body)
	require.Equal(t, "completed", obj(t, r)["state"])

	// 4. Read it through all three.
	r = tmf.call(t, "GET", "/measurementCollectionJob/"+id, nil)
	require.Equal(t, 200, r.status)
	tj := obj(t, r)
	assert.Equal(t, "locked", tj["adminState"])
	assert.Equal(t, "inProgress", tj["executionState"])
	assert.Equal(t, "g_5mn", tj["granularity"])
	assert.Equal(t, "r_15mn", tj["reportingPeriod"])
	assert.EqualValues(t, 6, tj["jobPriority"])

	r = mefAPI.call(t, "GET", "/performanceJob/"+id, nil)
	require.Equal(t, 200, r.status)
	mj := obj(t, r)
	assert.Equal(t, "suspended", mj["state"])
	assert.Equal(t, "5 minutes", jsonPath(mj, "performanceProfile.granularity"))
	assert.Equal(t, "15 minutes", jsonPath(mj, "performanceProfile.reportingPeriod"))
	assert.EqualValues(t, 6, jsonPath(mj, "performanceProfile.jobPriority"))

	g, _ = env.getJob(t, job)
	assert.Equal(t, []string{pmj("Locked")}, strs(objects(g, job, pmj("adminState"))))
	assert.Equal(t, []string{pmj("Suspended")}, strs(objects(g, job, pmj("executionState"))))
	assert.Equal(t, []string{"PT5M"}, strs(objects(g, job, pmj("granularity"))))

	// The same tracking records, in each API's terms.
	oslcIDs := []string{}
	oslcEvents := map[string]string{}
	for _, tr := range env.tracking(t, job) {
		ident := tr.id[strings.LastIndexByte(tr.id, '/')+1:]
		oslcIDs = append(oslcIDs, ident)
		oslcEvents[ident] = strings.TrimPrefix(tr.event, vocab.PMJ)
	}
	slices.Sort(oslcIDs)
	var tmfIDs, mefIDs []string
	tmfEvents := map[string]string{}
	for _, tr := range tj["trackingRecord"].([]any) {
		m := tr.(map[string]any)
		tmfIDs = append(tmfIDs, m["id"].(string))
		for _, c := range m["characteristic"].([]any) {
			if c.(map[string]any)["name"] == "event" {
				tmfEvents[m["id"].(string)] = c.(map[string]any)["value"].(string)
			}
		}
	}
	r = mefAPI.call(t, "GET", "/trackingRecord?relatedObjectId="+url.QueryEscape(id), nil)
	var mefOrder []string
	for _, tr := range list(t, r) {
		mefIDs = append(mefIDs, tr["id"].(string))
		assert.Equal(t, id, tr["relatedObjectId"])
	}
	mefOrder = slices.Clone(mefIDs)
	assert.Equal(t, tmfIDs, mefOrder, "TMF and MEF list the records in the same order")
	slices.Sort(tmfIDs)
	slices.Sort(mefIDs)
	assert.Equal(t, oslcIDs, tmfIDs)
	assert.Equal(t, oslcIDs, mefIDs)
	assert.Equal(t, oslcEvents, tmfEvents)
	var evs []string
	for _, e := range oslcEvents {
		evs = append(evs, e)
	}
	assert.Subset(t, evs, []string{"Created", "Updated", "SuspendedEvent"})

	// And the other way round: a job made through OSLC is a TMF and a
	// MEF job, and one deleted through TMF is gone from MEF.
	other, _ := env.createJob(t, jobTTL([]string{res}, nil))
	otherID := other.String()[strings.LastIndexByte(other.String(), '/')+1:]
	r = mefAPI.call(t, "GET", "/performanceJob/"+otherID, nil)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "10 second", jsonPath(obj(t, r), "performanceProfile.granularity"))
	assert.Equal(t, "Web tier", obj(t, r)["description"])
	r = tmf.call(t, "GET", "/measurementCollectionJob?fields=jobId", nil)
	var jobIDs []string
	for _, j := range list(t, r) {
		jobIDs = append(jobIDs, j["jobId"].(string))
	}
	assert.ElementsMatch(t, []string{job.String(), other.String()}, jobIDs)
	r = tmf.call(t, "DELETE", "/measurementCollectionJob/"+otherID, nil)
	require.Equal(t, 204, r.status)
	r = mefAPI.call(t, "GET", "/performanceJob/"+otherID, nil)
	assert.Equal(t, 404, r.status)
}
