package jobs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const base = "http://pm.test"

// clock is an injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type env struct {
	t     *testing.T
	db    *store.DB
	clk   *clock
	e     *Engine
	synth *collect.Synthetic
	n     int
}

func newEnv(t *testing.T, start time.Time) *env {
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), &store.Options{NoSync: true, TextPredicates: vocab.TextIndexed, Pairs: []store.Pair{store.Pair(vocab.MeasurePair)}})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	v := &env{t: t, db: db, clk: &clock{t: start}, synth: collect.NewSynthetic(7)}
	v.e = v.engine()
	return v
}

// engine returns a new engine over the env's store, as after a restart.
func (v *env) engine() *Engine {
	e, err := New(Config{Store: boltsource.New(v.db), Base: base, Now: v.clk.now, Collectors: []collect.Collector{v.synth}, RetryBudget: 20 * time.Millisecond})
	require.NoError(v.t, err)
	require.NoError(v.t, e.Load(context.Background()))
	return e
}

// resource stores a monitored resource and returns its IRI.
func (v *env) resource(name string) rdf.IRI {
	id := vocab.IRI(base+"/oslc/resources/", name)
	_, err := v.db.Create(context.Background(), id, []rdf.Triple{{Subj: id, Pred: vocab.RDFType, Obj: vocab.IRI(vocab.CRTV, "ComputerSystem")}})
	require.NoError(v.t, err)
	return id
}

func lit(s, dt string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.IRI(dt, "")) }

// job creates a job with the given extra properties (pmj local name ->
// object) and returns its IRI, or the error.
func (v *env) job(props map[string][]rdf.Object) (rdf.IRI, error) {
	v.n++
	ident := fmt.Sprintf("j%d", v.n)
	id := vocab.IRI(base+"/oslc/jobs/", ident)
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: vocab.PMJJob},
		{Subj: id, Pred: vocab.DCTitle, Obj: lit("job "+ident, vocab.RDF+"XMLLiteral")},
	}
	defaults := map[string][]rdf.Object{
		"collector":   {vocab.PMJTerm("SyntheticCollector")},
		"granularity": {lit("PT10S", vocab.XSD+"duration")},
	}
	for k, o := range defaults {
		if _, ok := props[k]; !ok {
			props[k] = o
		}
	}
	for k, os := range props {
		for _, o := range os {
			g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm(k), Obj: o})
		}
	}
	_, _, err := v.e.Create(context.Background(), id, ident, g, "tester")
	return id, err
}

func (v *env) tick(t time.Time) {
	v.clk.set(t)
	v.e.Tick(context.Background(), t)
}

// advance runs the engine second by second up to t, as the real clock
// would.
func (v *env) advance(t time.Time) {
	for now := v.clk.now().Truncate(time.Second).Add(time.Second); !now.After(t); now = now.Add(time.Second) {
		v.tick(now)
	}
	v.tick(t)
}

// subjects returns the resources under path with predicate p = o.
func (v *env) subjects(p rdf.IRI, o rdf.Object) []rdf.IRI {
	var out []rdf.IRI
	require.NoError(v.t, v.db.View(context.Background(), func(sn *store.Snapshot) error {
		return sn.Match(context.Background(), nil, p, o, func(t rdf.Triple) bool {
			out = append(out, t.Subj.(rdf.IRI))
			return true
		})
	}))
	return out
}

// values returns the objects of (s, p).
func (v *env) values(s rdf.IRI, p rdf.IRI) []string {
	g, _, err := v.db.Get(context.Background(), s)
	require.NoError(v.t, err)
	var out []string
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, s) && t.Pred == p {
			out = append(out, t.Obj.String())
		}
	}
	sort.Strings(out)
	return out
}

func (v *env) records(job rdf.IRI) []rdf.IRI {
	var out []rdf.IRI
	for _, id := range v.subjects(pmjProducedBy, job) {
		if strings.HasPrefix(id.String(), base+"/oslc/records/") {
			out = append(out, id)
		}
	}
	return out
}

func (v *env) tracking(job rdf.IRI, event string) []rdf.IRI {
	var out []rdf.IRI
	for _, id := range v.subjects(pmjProducedBy, job) {
		if strings.HasPrefix(id.String(), base+"/oslc/tracking/") {
			if ev := v.values(id, pmjEvent); len(ev) == 1 && ev[0] == vocab.PMJ+event {
				out = append(out, id)
			}
		}
	}
	return out
}

func TestRecordsCarryTheJobsTimezoneAcrossDST(t *testing.T) {
	// Europe/Berlin leaves summer time on 2026-10-25 at 03:00 CEST.
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	start := time.Date(2026, 10, 24, 22, 30, 0, 0, time.UTC) // 00:30 CEST
	v := newEnv(t, start)
	res := v.resource("h1")
	job, err := v.job(map[string][]rdf.Object{
		"monitoredObject":      {res},
		"granularity":          {lit("PT1H", vocab.XSD+"duration")},
		"performanceIndicator": {vocab.IRI(vocab.PM, "CpuUsed")},
		"timeZone":             {lit("Europe/Berlin", vocab.XSD+"string")},
	})
	require.NoError(t, err)
	for h := 1; h <= 4; h++ {
		v.tick(start.Add(time.Duration(h) * time.Hour))
	}
	var dates []string
	for _, r := range v.records(job) {
		dates = append(dates, v.values(r, vocab.DCDate)...)
	}
	sort.Strings(dates)
	// Hourly periods end at 02:00 CEST, then 02:00 again (CET, the
	// repeated hour) and 03:00 CET, each stamped with the offset in force.
	assert.Equal(t, []string{
		"2026-10-25T02:00:00+01:00", "2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00",
	}, dates)
	for _, d := range dates {
		tt, err := time.Parse(time.RFC3339, d)
		require.NoError(t, err)
		_, off := tt.In(berlin).Zone()
		_, got := tt.Zone()
		assert.Equal(t, off, got, d)
	}
}

func TestFailingCollectorFailsTheJobAndMissesPeriods(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	fail := errors.New("device unreachable")
	v.synth.Fail = func(collect.Request) error { return fail }
	job, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}, "reportingPeriod": {lit("PT1M", vocab.XSD+"duration")}})
	require.NoError(t, err)
	// Created at 10:00:03: the first whole period is 10:00:10-10:00:20.
	v.advance(start.Add(45 * time.Second)) // periods ending :20, :30, :40
	assert.Empty(t, v.records(job))
	assert.Equal(t, []string{vocab.PMJ + "Failed"}, v.values(job, vocab.PMJTerm("executionState")))
	reason := v.values(job, vocab.PMJTerm("stateReason"))
	require.Len(t, reason, 1)
	assert.Contains(t, reason[0], "device unreachable")
	assert.Len(t, v.tracking(job, "CollectionFailed"), 3)

	// Recovery: the next period is collected and the job is back in progress.
	v.synth.Fail = nil
	v.advance(start.Add(65 * time.Second)) // :50, 1:00
	assert.Len(t, v.records(job), 2)
	assert.Equal(t, []string{vocab.PMJ + "InProgress"}, v.values(job, vocab.PMJTerm("executionState")))
	// The report of 10:00–10:01 shows 2 collected and 3 missed periods.
	reports := v.subjects(pmjProducedBy, job)
	var report rdf.IRI
	for _, r := range reports {
		if strings.HasPrefix(r.String(), base+"/oslc/reports/") {
			report = r
		}
	}
	require.NotEqual(t, rdf.IRI{}, report)
	assert.Equal(t, []string{"3"}, v.values(report, vocab.PMJTerm("missedPeriods")))
	assert.Equal(t, []string{"2"}, v.values(report, vocab.PMJTerm("collectedPeriods")))
	assert.Len(t, v.values(report, pmjMissed), 3)
}

func TestRestartNeverRepeatsAndRecordsMissedPeriods(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	job, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}, "reportingPeriod": {lit("PT1M", vocab.XSD+"duration")}})
	require.NoError(t, err)
	v.advance(start.Add(30 * time.Second)) // :20, :30
	require.Len(t, v.records(job), 2)

	// Down from 10:00:33 to 10:02:05; a new engine over the same store.
	v.clk.set(start.Add(2*time.Minute + 2*time.Second))
	v.e = v.engine()
	missed := v.tracking(job, "PeriodsMissed")
	require.Len(t, missed, 1)
	// Periods starting 10:00:30 ... 10:02:00 (the one under way) were missed.
	assert.Len(t, v.values(missed[0], pmjMissed), 10)
	v.advance(start.Add(3 * time.Minute)) // collects from the 10:02:10 boundary on
	dates := map[string]int{}
	for _, r := range v.records(job) {
		for _, d := range v.values(r, vocab.DCDate) {
			dates[d]++
		}
	}
	for d, n := range dates {
		assert.Equal(t, 1, n, "period ending %s emitted %d times", d, n)
		assert.True(t, d <= "2026-11-24T10:00:30Z" || d >= "2026-11-24T10:02:20Z", "record for a period the provider was down in: %s", d)
	}
	assert.Len(t, dates, 2+5) // :20 :30, then 2:20 ... 3:00
	// The report of 10:00–10:01 was finished at restart with its missed periods.
	var found bool
	for _, r := range v.subjects(pmjProducedBy, job) {
		if strings.HasPrefix(r.String(), base+"/oslc/reports/") && v.values(r, pmjPeriodEnd)[0] == "2026-11-24T10:01:00Z" {
			found = true
			assert.Equal(t, []string{"3"}, v.values(r, vocab.PMJTerm("missedPeriods")))
			assert.Equal(t, []string{"2"}, v.values(r, vocab.PMJTerm("recordCount")))
		}
	}
	assert.True(t, found, "report for 10:00-10:01")
}

func TestStopTimeCompletesTheJob(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	job, err := v.job(map[string][]rdf.Object{
		"monitoredObject": {res},
		"jobType":         {vocab.PMJTerm("OnDemand")},
		"stopTime":        {lit("2026-11-24T10:01:00Z", vocab.XSD+"dateTime")},
	})
	require.NoError(t, err)
	v.advance(start.Add(5 * time.Minute))
	assert.Len(t, v.records(job), 5) // :20 ... 1:00
	assert.Equal(t, []string{vocab.PMJ + "Completed"}, v.values(job, vocab.PMJTerm("executionState")))
	_, _, err = v.e.Act(context.Background(), job, Resume, "tester")
	assert.ErrorIs(t, err, schedule.ErrNotAllowed)
}

func TestDailyIntervalsAndWeekdays(t *testing.T) {
	// Tuesday 2026-11-24; record 10:01-10:02 on Tuesdays only.
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	job, err := v.job(map[string][]rdf.Object{
		"monitoredObject": {res},
		"granularity":     {lit("PT1M", vocab.XSD+"duration")},
		"dailyInterval":   {lit("10:01-10:02", vocab.XSD+"string")},
		"weekDay":         {vocab.PMJTerm("Tuesday")},
	})
	require.NoError(t, err)
	v.advance(start.Add(5 * time.Minute))
	require.Len(t, v.records(job), 1)
	assert.Equal(t, []string{"2026-11-24T10:02:00Z"}, v.values(v.records(job)[0], vocab.DCDate))
	assert.Equal(t, []string{vocab.PMJ + "OffDuty"}, v.values(job, vocab.PMJTerm("duty")))
	v.tick(start.Add(24 * time.Hour)) // Wednesday: nothing
	assert.Len(t, v.records(job), 1)
}

func TestBadDefinitions(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	d := func(s string) rdf.Object { return lit(s, vocab.XSD+"duration") }
	s := func(s string) rdf.Object { return lit(s, vocab.XSD+"string") }
	dt := func(s string) rdf.Object { return lit(s, vocab.XSD+"dateTime") }
	tests := []struct {
		name  string
		props map[string][]rdf.Object
		want  string
	}{
		{"granularity", map[string][]rdf.Object{"granularity": {d("PT7S")}}, "pmj:granularity"},
		{"not a duration", map[string][]rdf.Object{"granularity": {d("10 seconds")}}, "not an xsd:duration"},
		{"reporting period", map[string][]rdf.Object{"reportingPeriod": {d("PT25S")}}, "pmj:reportingPeriod"},
		{"unaligned", map[string][]rdf.Object{"granularity": {d("PT1M")}, "dailyInterval": {s("08:00:30-09:00")}}, "pmj:dailyInterval"},
		{"overlap", map[string][]rdf.Object{"dailyInterval": {s("08:00-09:00"), s("08:30-10:00")}}, "overlap"},
		{"bad interval", map[string][]rdf.Object{"dailyInterval": {s("8 to 9")}}, "HH:MM-HH:MM"},
		{"stop before start", map[string][]rdf.Object{"startTime": {dt("2026-11-25T10:00:00Z")}, "stopTime": {dt("2026-11-25T09:00:00Z")}}, "pmj:stopTime"},
		{"horizon", map[string][]rdf.Object{"startTime": {dt("2027-01-10T10:00:00Z")}}, "pmj:startTime"},
		{"no timezone", map[string][]rdf.Object{"startTime": {dt("2026-11-25T10:00:00")}}, "timezone"},
		{"unknown metric", map[string][]rdf.Object{"performanceIndicator": {vocab.IRI(vocab.PM, "NoSuchMetric")}}, "pm:NoSuchMetric"},
		{"missing resource", map[string][]rdf.Object{"monitoredObject": {vocab.IRI(base+"/oslc/resources/", "nope")}}, "not a monitored resource"},
		{"unknown collector", map[string][]rdf.Object{"collector": {vocab.PMJTerm("SnmpCollector")}}, "pmj:collector"},
		{"time zone", map[string][]rdf.Object{"timeZone": {s("Mars/Olympus")}}, "pmj:timeZone"},
		{"on-demand unbounded", map[string][]rdf.Object{"jobType": {vocab.PMJTerm("OnDemand")}}, "stop time"},
		{"priority", map[string][]rdf.Object{"jobPriority": {lit("11", vocab.XSD+"integer")}}, "pmj:jobPriority"},
		{"admin state", map[string][]rdf.Object{"adminState": {vocab.PMJTerm("Sleeping")}}, "adminState"},
		{"no objects", map[string][]rdf.Object{"monitoredObject": nil}, "monitored objects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := tt.props["monitoredObject"]; !ok {
				tt.props["monitoredObject"] = []rdf.Object{res}
			}
			_, err := v.job(tt.props)
			var de *DefinitionError
			require.ErrorAs(t, err, &de)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	n := 0
	require.NoError(t, v.db.Resources(context.Background(), rdf.IRI{}, func(id rdf.IRI) bool {
		if strings.HasPrefix(id.String(), base+"/oslc/jobs/") {
			n++
		}
		return true
	}))
	assert.Zero(t, n, "no job stored")
}

func TestClassAndFilterSelectInstances(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	ctx := context.Background()
	for _, n := range []string{"db1", "db2", "web"} {
		id := vocab.IRI(base+"/oslc/resources/", n)
		class := vocab.IRI(vocab.CRTV, "Database")
		if n == "web" {
			class = vocab.IRI(vocab.CRTV, "SoftwareServer")
		}
		_, err := v.db.Create(ctx, id, []rdf.Triple{
			{Subj: id, Pred: vocab.RDFType, Obj: class},
			{Subj: id, Pred: vocab.IRI(vocab.CRTV, "name"), Obj: lit(n, vocab.XSD+"string")},
		})
		require.NoError(t, err)
	}
	job, err := v.job(map[string][]rdf.Object{
		"monitoredObjectClass": {vocab.IRI(vocab.CRTV, "Database")},
		"instanceFilter":       {lit(`crtv:name in ["db1","web"]`, vocab.XSD+"string")},
	})
	require.NoError(t, err)
	v.advance(start.Add(20 * time.Second))
	recs := v.records(job)
	require.Len(t, recs, 1)
	assert.Equal(t, []string{base + "/oslc/resources/db1"}, v.values(recs[0], vocab.DCIsPartOf))
}

func TestReportingModes(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	events, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}, "reportingPeriod": {lit("PT30S", vocab.XSD+"duration")}, "reportingMode": {vocab.PMJTerm("ReportEvents")}})
	require.NoError(t, err)
	both, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}, "reportingPeriod": {lit("PT30S", vocab.XSD+"duration")}, "reportingMode": {vocab.PMJTerm("ReportResourcesAndEvents")}})
	require.NoError(t, err)
	v.advance(start.Add(30 * time.Second)) // reporting period 10:00:00-10:00:30 ends

	kinds := func(job rdf.IRI) (reports, notes []rdf.IRI) {
		for _, id := range v.subjects(pmjProducedBy, job) {
			switch {
			case strings.HasPrefix(id.String(), base+"/oslc/reports/"):
				reports = append(reports, id)
			case strings.HasPrefix(id.String(), base+"/oslc/notifications/"):
				notes = append(notes, id)
			}
		}
		return reports, notes
	}
	reports, notes := kinds(events)
	assert.Empty(t, reports)
	require.Len(t, notes, 1)
	assert.Equal(t, []string{vocab.PMJ + "FilesReady"}, v.values(notes[0], pmjEvent))
	assert.Len(t, v.values(notes[0], pmjRecord), 2, "the event carries the period's records")

	reports, notes = kinds(both)
	require.Len(t, reports, 1)
	require.Len(t, notes, 1)
	assert.Equal(t, []string{reports[0].String()}, v.values(notes[0], vocab.PMJTerm("report")))
	assert.Equal(t, []string{"2026-11-24T10:00:30Z"}, v.values(notes[0], pmjPeriodEnd))
}

func TestReportsListTheirResources(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	a, b := v.resource("a"), v.resource("b")
	job, err := v.job(map[string][]rdf.Object{"monitoredObject": {a, b}, "reportingPeriod": {lit("PT1M", vocab.XSD+"duration")}})
	require.NoError(t, err)
	v.advance(start.Add(35 * time.Second))
	// A restart in the middle of the reporting period keeps what it knew.
	v.e = v.engine()
	v.advance(start.Add(time.Minute))
	var report rdf.IRI
	for _, id := range v.subjects(pmjProducedBy, job) {
		if strings.HasPrefix(id.String(), base+"/oslc/reports/") {
			report = id
		}
	}
	require.NotEqual(t, rdf.IRI{}, report)
	assert.Equal(t, []string{a.String(), b.String()}, v.values(report, vocab.PMJTerm("monitoredObject")))
	reports := v.subjects(vocab.PMJTerm("monitoredObject"), a)
	assert.Contains(t, reports, report, "found by resource")
}

// TestCloseRightAfterStart: Close waits for the writer's goroutines even
// when they have not begun to run (under -race, a WaitGroup counted from
// inside them raced with Close's Wait).
func TestCloseRightAfterStart(t *testing.T) {
	v := newEnv(t, time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC))
	for range 50 {
		e := v.engine()
		e.Start()
		e.Close()
	}
}
