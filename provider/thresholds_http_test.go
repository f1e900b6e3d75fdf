package provider_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/vocab"
)

// thresholdTTL is a threshold on the CPU of res: rising at 90, offset 10.
func thresholdTTL(res string, metric string) string {
	return jobPrefixes + fmt.Sprintf(`<> a pmj:Threshold ;
  dcterms:title "CPU of web01" ;
  pmj:monitoredObject <%s> ;
  pmj:performanceIndicator %s ;
  pmj:thresholdDirection pmj:Rising ;
  pmj:thresholdValue 90.0 ;
  pmj:thresholdOffset 10.0 ;
  pmj:perceivedSeverity pmj:Critical .
`, res, metric)
}

// cpuRecordTTL is a record of res at time at with CPU value v.
func cpuRecordTTL(res string, at time.Time, v float64) string {
	return jobPrefixes + fmt.Sprintf(`<> a pm:PerformanceMonitoringRecord ;
  dcterms:date "%s"^^xsd:dateTime ;
  dcterms:isPartOf <%s> ;
  ems:observes [ a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue %g ] .
`, at.Format(time.RFC3339), res, v)
}

// TestThresholdWalkThrough is the README's walk-through over HTTP: a
// threshold on CPU ≥ 90 with offset 10 on a host; records 85, 95 (the
// alarm is raised), 85 (still raised) and 79 (cleared), POSTed and
// pushed; the alarm found by the queries an operator runs, linked from
// the host's page and preview while active, acknowledged by hand.
func TestThresholdWalkThrough(t *testing.T) {
	env := newJobEnv(t)
	host := env.createResource(t, "web01")

	// Discovery: the thresholds' factory and query capability.
	factory, thresholds := discover(t, env.testServer, vocab.PMJ+"Threshold")
	assert.Equal(t, env.URL+"/oslc/thresholds", factory)
	assert.Equal(t, env.URL+"/oslc/thresholds", thresholds)

	// A STRING-typed measure is refused, naming it.
	r := env.do(t, "POST", factory, thresholdTTL(host, "pm:availabilityStatus"), "Content-Type", "text/turtle", "Accept", "text/turtle")
	require.Equal(t, 400, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), "oslc:Error")
	assert.Contains(t, string(r.body), "pm:availabilityStatus is a STRING-typed measure")

	r = env.do(t, "POST", factory, thresholdTTL(host, "pm:CpuUsed"), "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	thr := r.header.Get("Location")
	require.True(t, strings.HasPrefix(thr, env.URL+"/oslc/thresholds/"), thr)

	// A push job for the host, for the last two records.
	job, _ := env.createJob(t, jobTTL([]string{host}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PushCollector"
		p["pmj:performanceIndicator"] = "pm:CpuUsed"
	}))

	at := time.Date(2026, 11, 24, 11, 0, 0, 0, time.FixedZone("", 3600))
	post := func(i int, v float64) string {
		r := env.do(t, "POST", "/oslc/records", cpuRecordTTL(host, at.Add(time.Duration(i)*time.Minute), v), "Content-Type", "text/turtle")
		require.Equal(t, 201, r.status, "%s", r.body)
		return r.header.Get("Location")
	}
	push := func(i int, v float64) string {
		r := env.do(t, "POST", job.String()+"/push", cpuRecordTTL(host, at.Add(time.Duration(i)*time.Minute), v), "Content-Type", "text/turtle")
		require.Equal(t, 201, r.status, "%s", r.body)
		return r.header.Get("Location")
	}
	active := func() []string {
		// Active alarms of the resource: an ordinary oslc.where.
		ms, _, _ := env.find(t, "/oslc/alarms", "oslc.where", fmt.Sprintf("pmj:alarmedObject=<%s> and pmj:alarmState=pmj:Raised", host))
		return ms
	}
	all := func() []string {
		ms, _, _ := env.find(t, "/oslc/alarms", "oslc.where", fmt.Sprintf("pmj:threshold=<%s>", thr))
		return ms
	}

	post(0, 85)
	assert.Empty(t, all(), "85 is below 90")
	rec95 := post(1, 95)
	got := active()
	require.Len(t, got, 1, "95 raises")
	alarm := got[0]
	push(2, 85)
	assert.Equal(t, []string{alarm}, active(), "85 is above the clearing value 80: still raised")

	// The alarm, with TMF642's fields.
	r = env.do(t, "GET", alarm, "", "Accept", "application/n-triples")
	require.Equal(t, 200, r.status)
	g := graphOf(t, r, alarm)
	a := mustIRI(t, alarm)
	for p, want := range map[string]string{
		pmj("threshold"):          thr,
		pmj("alarmedObject"):      host,
		pmj("indicatorName"):      "pm:CpuUsed",
		pmj("indicatorUnit"):      "http://dbpedia.org/resource/Percentage",
		pmj("observedValue"):      "95",
		pmj("thresholdDirection"): pmj("Rising"),
		pmj("perceivedSeverity"):  pmj("Critical"),
		pmj("alarmRaisedTime"):    "2026-11-24T11:01:00+01:00",
		pmj("alarmState"):         pmj("Raised"),
		pmj("ackState"):           pmj("AckUnacknowledged"),
		pmj("raisedBy"):           rec95,
		vocab.RDF + "type":        pmj("Alarm"),
	} {
		assert.Equal(t, want, one(t, g, a, p).String(), p)
	}

	// Queries: by severity, and raised in a time window.
	ms, _, _ := env.find(t, "/oslc/alarms", "oslc.where", "pmj:perceivedSeverity=pmj:Critical")
	assert.Equal(t, []string{alarm}, ms)
	ms, _, _ = env.find(t, "/oslc/alarms", "oslc.where", `pmj:alarmRaisedTime>="2026-11-24T10:00:00Z"^^xsd:dateTime and pmj:alarmRaisedTime<"2026-11-24T10:05:00Z"^^xsd:dateTime`)
	assert.Equal(t, []string{alarm}, ms, "11:01+01:00 is 10:01Z")
	ms, _, _ = env.find(t, "/oslc/alarms", "oslc.where", `pmj:alarmRaisedTime>="2026-11-24T10:05:00Z"^^xsd:dateTime`)
	assert.Empty(t, ms)
	ms, _, _ = env.find(t, "/oslc/alarms", "oslc.where", "pmj:perceivedSeverity=pmj:Minor")
	assert.Empty(t, ms)

	// The host's page and preview link the active alarm.
	r = env.do(t, "GET", host, "", "Accept", "text/html")
	require.Equal(t, 200, r.status)
	assert.Contains(t, string(r.body), "Active alarms")
	assert.Contains(t, string(r.body), alarm)
	r = env.do(t, "GET", host+"?preview=small", "")
	require.Equal(t, 200, r.status)
	assert.Contains(t, string(r.body), alarm)
	assert.Contains(t, string(r.body), "Active alarms")

	// Acknowledged by hand, by the principal.
	r = env.do(t, "POST", alarm+"/acknowledge", "", "Accept", "application/n-triples")
	require.Equal(t, 200, r.status, "%s", r.body)
	g = graphOf(t, r, alarm)
	assert.Equal(t, pmj("AckAcknowledged"), one(t, g, a, pmj("ackState")).String())
	assert.NotEmpty(t, one(t, g, a, pmj("ackUser")).String())
	assert.NotEmpty(t, one(t, g, a, pmj("ackTime")).String())

	rec79 := push(3, 79)
	assert.Empty(t, active(), "79 is below 80: cleared")
	require.Equal(t, []string{alarm}, all(), "one alarm in all")
	r = env.do(t, "GET", alarm, "", "Accept", "application/n-triples")
	require.Equal(t, 200, r.status)
	g = graphOf(t, r, alarm)
	assert.Equal(t, pmj("Cleared"), one(t, g, a, pmj("alarmState")).String())
	assert.Equal(t, "2026-11-24T11:03:00+01:00", one(t, g, a, pmj("alarmClearedTime")).String())
	assert.Equal(t, rec79, one(t, g, a, pmj("clearedBy")).String())
	assert.Equal(t, "79", one(t, g, a, pmj("clearedValue")).String())
	r = env.do(t, "GET", host, "", "Accept", "text/html")
	assert.NotContains(t, string(r.body), alarm, "the page shows active alarms only")

	// Clearing a cleared alarm is a conflict; an unknown one is not found.
	r = env.do(t, "POST", alarm+"/clear", "")
	assert.Equal(t, 409, r.status, "%s", r.body)
	r = env.do(t, "POST", "/oslc/alarms/nope/clear", "")
	assert.Equal(t, 404, r.status, "%s", r.body)

	// The pages and previews of the threshold and the alarm, and the
	// threshold's selection dialog.
	for _, u := range []string{thr, alarm} {
		r = env.do(t, "GET", u, "", "Accept", "text/html")
		require.Equal(t, 200, r.status, "%s", u)
		r = env.do(t, "GET", u+"?preview=large", "")
		require.Equal(t, 200, r.status, "%s", u)
		assert.Contains(t, string(r.body), "Severity", u)
	}
	r = env.do(t, "GET", "/ui/select/thresholds", "")
	require.Equal(t, 200, r.status, "%s", r.body)
	r = env.do(t, "GET", "/ui/select/thresholds/search?"+url.Values{"terms": {"web01"}}.Encode(), "")
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), thr)
}

// TestThresholdOnJobRecords: the records a job writes (staged by the
// engine) are evaluated with their own time and period: a threshold at
// the job's granularity raises one alarm per resource, written with the
// record that crossed; one at another granularity raises none.
func TestThresholdOnJobRecords(t *testing.T) {
	env := newJobEnv(t)
	a, b := env.createResource(t, "app01"), env.createResource(t, "app02")
	mk := func(gran string) string {
		body := jobPrefixes + fmt.Sprintf(`<> a pmj:Threshold ;
  pmj:monitoredObject <%s>, <%s> ;
  pmj:performanceIndicator pm:CpuUsed ;
  pmj:thresholdValue 0 ; pmj:thresholdOffset 1 ;
  pmj:granularity "%s"^^xsd:duration .
`, a, b, gran)
		r := env.do(t, "POST", "/oslc/thresholds", body, "Content-Type", "text/turtle")
		require.Equal(t, 201, r.status, "%s", r.body)
		return r.header.Get("Location")
	}
	at10s, at1m := mk("PT10S"), mk("PT1M")
	job, _ := env.createJob(t, jobTTL([]string{a, b}, nil))
	env.advance(t, jobEpoch.Add(45*time.Second))
	ms, g, _ := env.find(t, "/oslc/alarms", "oslc.where", fmt.Sprintf("pmj:threshold=<%s>", at10s), "oslc.select", "*")
	require.Len(t, ms, 2, "one alarm per resource: the first record crossed, none cleared")
	for _, m := range ms {
		id := mustIRI(t, m)
		assert.Equal(t, "PT10S", one(t, g, id, pmj("granularity")).String())
		rec := one(t, g, id, pmj("raisedBy")).String()
		r := env.do(t, "GET", rec, "", "Accept", "application/n-triples")
		require.Equal(t, 200, r.status)
		rg := graphOf(t, r, rec)
		assert.Equal(t, job.String(), one(t, rg, mustIRI(t, rec), pmj("producedBy")).String())
		assert.Equal(t, one(t, rg, mustIRI(t, rec), vocab.DCTerms+"date").String(), one(t, g, id, pmj("alarmRaisedTime")).String(), "the record's own time")
	}
	ms, _, _ = env.find(t, "/oslc/alarms", "oslc.where", fmt.Sprintf("pmj:threshold=<%s>", at1m))
	assert.Empty(t, ms, "no record of a one-minute period")
}

// TestThresholdRoles: thresholds are written, and alarms acknowledged and
// cleared, under the role policy of jobs; who acknowledged or cleared is
// the authenticated principal.
func TestThresholdRoles(t *testing.T) {
	var bound string
	env := &jobEnv{}
	env.authn = auth.Chain{roleAuth{bound: &bound}}
	env = newJobEnvWith(t, env)
	as := func(role string, h ...string) []string {
		return append([]string{"Authorization", "Role " + role}, h...)
	}
	host := env.createResourceAs(t, "web01", as("admin"))
	for _, role := range []string{"governance", "agent"} {
		r := env.do(t, "POST", "/oslc/thresholds", thresholdTTL(host, "pm:CpuUsed"), as(role, "Content-Type", "text/turtle")...)
		assert.Equal(t, 403, r.status, "%s: %s", role, r.body)
	}
	r := env.do(t, "POST", "/oslc/thresholds", thresholdTTL(host, "pm:CpuUsed"), as("customer", "Content-Type", "text/turtle")...)
	require.Equal(t, 201, r.status, "%s", r.body)
	r = env.do(t, "POST", "/oslc/records", cpuRecordTTL(host, jobEpoch, 99), as("customer", "Content-Type", "text/turtle")...)
	require.Equal(t, 201, r.status, "%s", r.body)
	r = env.do(t, "GET", "/oslc/alarms?oslc.where="+url.QueryEscape("pmj:alarmState=pmj:Raised"), "", as("governance", "Accept", "application/n-triples")...)
	require.Equal(t, 200, r.status, "governance reads alarms")
	ms := objects(graphOf(t, r, env.URL), mustIRI(t, env.URL+"/oslc/alarms"), vocab.RDFS+"member")
	require.Len(t, ms, 1)
	alarm := ms[0].String()
	for _, role := range []string{"governance", "agent"} {
		r = env.do(t, "POST", alarm+"/acknowledge", "", as(role)...)
		assert.Equal(t, 403, r.status, "%s: %s", role, r.body)
	}
	r = env.do(t, "POST", alarm+"/acknowledge", "", as("other-pss", "Accept", "application/n-triples")...)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, "other-pss-user", one(t, graphOf(t, r, alarm), mustIRI(t, alarm), pmj("ackUser")).String())
	r = env.do(t, "POST", alarm+"/clear", "", as("customer", "Accept", "application/n-triples")...)
	require.Equal(t, 200, r.status, "%s", r.body)
	g := graphOf(t, r, alarm)
	assert.Equal(t, "customer-user", one(t, g, mustIRI(t, alarm), pmj("clearUser")).String())
	assert.Equal(t, pmj("Cleared"), one(t, g, mustIRI(t, alarm), pmj("alarmState")).String())
}
