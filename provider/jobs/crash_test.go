package jobs

import (
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// reports returns the job's reports by the end of their period.
func (v *env) reports(job rdf.IRI) map[string][]rdf.IRI {
	out := make(map[string][]rdf.IRI)
	for _, id := range v.subjects(pmjProducedBy, job) {
		if strings.HasPrefix(id.String(), base+"/oslc/reports/") {
			end := v.values(id, pmjPeriodEnd)[0]
			out[end] = append(out[end], id)
		}
	}
	return out
}

// TestCrashMidReportingPeriod: the provider dies in the middle of a
// reporting period and comes back before it ends. The interrupted
// period's report is closed at the restart with what it had and the
// periods it missed; the next report covers its own window only.
func TestCrashMidReportingPeriod(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	job, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}, "reportingPeriod": {lit("PT30S", vocab.XSD+"duration")}})
	require.NoError(t, err)
	// Periods ending :20, :30 (the report of 10:00:00-10:00:30), :40.
	v.advance(start.Add(42 * time.Second))
	require.Len(t, v.records(job), 3)

	// Killed at 10:00:45, back at 10:00:52: the engine is dropped without
	// Close, and a new one reads the same store.
	v.clk.set(start.Add(49 * time.Second))
	v.e = v.engine()
	v.advance(start.Add(95 * time.Second)) // periods ending 1:10, 1:20, 1:30

	reports := v.reports(job)
	for end, ids := range reports {
		assert.Len(t, ids, 1, "reports of the period ending %s", end)
	}
	interrupted := reports["2026-11-24T10:01:00Z"]
	require.Len(t, interrupted, 1, "the interrupted period's report")
	rep := interrupted[0]
	assert.Equal(t, []string{"2026-11-24T10:00:30Z"}, v.values(rep, pmjPeriodStart))
	assert.Equal(t, []string{"1"}, v.values(rep, vocab.PMJTerm("collectedPeriods")))
	assert.Equal(t, []string{"1"}, v.values(rep, vocab.PMJTerm("recordCount")))
	assert.Equal(t, []string{"2"}, v.values(rep, vocab.PMJTerm("missedPeriods")))
	assert.Equal(t, []string{"2026-11-24T10:00:40Z", "2026-11-24T10:00:50Z"}, v.values(rep, pmjMissed))

	next := reports["2026-11-24T10:01:30Z"]
	require.Len(t, next, 1)
	assert.Equal(t, []string{"2026-11-24T10:01:00Z"}, v.values(next[0], pmjPeriodStart))
	assert.Equal(t, []string{"3"}, v.values(next[0], vocab.PMJTerm("collectedPeriods")))
	assert.Equal(t, []string{"3"}, v.values(next[0], vocab.PMJTerm("recordCount")))
	assert.Equal(t, []string{"0"}, v.values(next[0], vocab.PMJTerm("missedPeriods")))
	assert.Empty(t, v.values(next[0], pmjMissed))
}

// TestReportOfAWindowLeftOffDuty: a reporting period longer than the
// daily interval ends off duty; its report is closed by the next period
// collected, not merged into the next day's.
func TestReportOfAWindowLeftOffDuty(t *testing.T) {
	start := time.Date(2026, 11, 24, 9, 59, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	job, err := v.job(map[string][]rdf.Object{
		"monitoredObject": {res},
		"granularity":     {lit("PT1M", vocab.XSD+"duration")},
		"reportingPeriod": {lit("PT1H", vocab.XSD+"duration")},
		"dailyInterval":   {lit("10:00-10:02", vocab.XSD+"string")},
	})
	require.NoError(t, err)
	v.advance(start.Add(5 * time.Minute)) // 10:01, 10:02
	v.tick(start.Add(24*time.Hour + 3*time.Minute))
	reports := v.reports(job)
	require.Len(t, reports["2026-11-24T11:00:00Z"], 1, "yesterday's report, by itself")
	assert.Equal(t, []string{"2"}, v.values(reports["2026-11-24T11:00:00Z"][0], vocab.PMJTerm("recordCount")))
}
