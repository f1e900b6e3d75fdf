package provider_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/vocab"
)

// TestThresholdLockClearsAlarm: a PUT that locks a threshold clears the
// active alarm it raised, on behalf of the principal who put it, saying
// why; the threshold and the alarm change together.
func TestThresholdLockClearsAlarm(t *testing.T) {
	var bound string
	env := &jobEnv{}
	env.authn = auth.Chain{roleAuth{bound: &bound}}
	env = newJobEnvWith(t, env)
	as := func(role string, h ...string) []string {
		return append([]string{"Authorization", "Role " + role}, h...)
	}
	host := env.createResourceAs(t, "web01", as("admin"))
	r := env.do(t, "POST", "/oslc/thresholds", thresholdTTL(host, "pm:CpuUsed"), as("customer", "Content-Type", "text/turtle")...)
	require.Equal(t, 201, r.status, "%s", r.body)
	thr := r.header.Get("Location")
	r = env.do(t, "POST", "/oslc/records", cpuRecordTTL(host, jobEpoch, 99), as("customer", "Content-Type", "text/turtle")...)
	require.Equal(t, 201, r.status, "%s", r.body)
	active := "/oslc/alarms?oslc.where=" + url.QueryEscape("pmj:alarmState=pmj:Raised")
	r = env.do(t, "GET", active, "", as("customer", "Accept", "application/n-triples")...)
	ms := objects(graphOf(t, r, env.URL), mustIRI(t, env.URL+"/oslc/alarms"), vocab.RDFS+"member")
	require.Len(t, ms, 1)
	alarm := ms[0].String()

	r = env.do(t, "GET", thr, "", as("customer", "Accept", "application/n-triples")...)
	require.Equal(t, 200, r.status, "%s", r.body)
	body := string(r.body) + "<" + thr + "> <" + pmj("adminState") + "> <" + pmj("Locked") + "> .\n"
	r = env.do(t, "PUT", thr, body, as("customer", "Content-Type", "application/n-triples", "If-Match", r.header.Get("ETag"))...)
	require.Equal(t, 200, r.status, "%s", r.body)

	r = env.do(t, "GET", alarm, "", as("customer", "Accept", "application/n-triples")...)
	require.Equal(t, 200, r.status, "%s", r.body)
	g := graphOf(t, r, alarm)
	a := mustIRI(t, alarm)
	assert.Equal(t, pmj("Cleared"), one(t, g, a, pmj("alarmState")).String())
	assert.Equal(t, "customer-user", one(t, g, a, pmj("clearUser")).String())
	assert.Equal(t, "threshold locked", one(t, g, a, pmj("clearReason")).String())
	assert.Equal(t, thr, one(t, g, a, pmj("clearedBy")).String())
	r = env.do(t, "GET", active, "", as("customer", "Accept", "application/n-triples")...)
	assert.Empty(t, objects(graphOf(t, r, env.URL), mustIRI(t, env.URL+"/oslc/alarms"), vocab.RDFS+"member"))
}
