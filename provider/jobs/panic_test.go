package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/vocab"
)

// logBuffer is a log destination safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// loggedEngine replaces the env's engine with one that logs to log and
// builds resources with managed.
func (v *env) loggedEngine(log *logBuffer, managed func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple) {
	e, err := New(Config{Store: boltsource.New(v.db), Base: base, Now: v.clk.now, Collectors: []collect.Collector{v.synth},
		RetryBudget: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(log, nil)), Managed: managed})
	require.NoError(v.t, err)
	require.NoError(v.t, e.Load(context.Background()))
	v.e = e
}

// reportOf returns the report of job whose period ends at end.
func (v *env) reportOf(job rdf.IRI, end string) rdf.IRI {
	for _, id := range v.subjects(pmjProducedBy, job) {
		if strings.HasPrefix(id.String(), base+"/oslc/reports/") && v.values(id, pmjPeriodEnd)[0] == end {
			return id
		}
	}
	return rdf.IRI{}
}

func TestCollectorPanicIsAFailedCollection(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	var log logBuffer
	v.loggedEngine(&log, nil)
	a, b := v.resource("a"), v.resource("b")
	var buggy atomic.Bool
	buggy.Store(true)
	v.synth.Fail = func(req collect.Request) error {
		if buggy.Load() && req.Targets[0].IRI == a {
			panic("collector bug")
		}
		return nil
	}
	bad, err := v.job(map[string][]rdf.Object{"monitoredObject": {a}, "reportingPeriod": {lit("PT1M", vocab.XSD+"duration")}})
	require.NoError(t, err)
	good, err := v.job(map[string][]rdf.Object{"monitoredObject": {b}})
	require.NoError(t, err)

	v.advance(start.Add(35 * time.Second)) // periods ending :20, :30
	assert.Len(t, v.records(good), 2, "the other job goes on")
	assert.Empty(t, v.records(bad))
	failed := v.tracking(bad, "CollectionFailed")
	require.Len(t, failed, 2, "each period's collection recorded as failed")
	for _, f := range failed {
		assert.Contains(t, v.values(f, vocab.DCDescription)[0], "collector panicked: collector bug")
		assert.Len(t, v.values(f, pmjMissed), 1)
	}
	logged := log.String()
	assert.Contains(t, logged, "collector panicked")
	assert.Contains(t, logged, "TestCollectorPanicIsAFailedCollection", "the stack is logged")

	// The bug fixed, the next periods are collected.
	buggy.Store(false)
	v.advance(start.Add(65 * time.Second)) // :40, :50, 1:00
	assert.Len(t, v.records(bad), 3)
	report := v.reportOf(bad, "2026-11-24T10:01:00Z")
	require.NotEqual(t, rdf.IRI{}, report)
	assert.Equal(t, []string{"3"}, v.values(report, vocab.PMJTerm("collectedPeriods")))
	assert.Equal(t, []string{"2"}, v.values(report, vocab.PMJTerm("missedPeriods")))
}

// TestEnginePanicDoesNotStopTheEngine: a panic elsewhere in a job's
// goroutine (here while building its records) is logged with its stack;
// the engine's loop goes on with the other jobs and the job's next
// periods.
func TestEnginePanicDoesNotStopTheEngine(t *testing.T) {
	start := time.Now().Truncate(time.Second)
	v := newEnv(t, start)
	v.clk = nil
	var log logBuffer
	var buggy atomic.Bool
	buggy.Store(true)
	a, b := v.resource("a"), v.resource("b")
	e, err := New(Config{Store: boltsource.New(v.db), Base: base, Collectors: []collect.Collector{v.synth}, RetryBudget: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&log, nil)),
		Managed: func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple {
			// The first job's records are j1-...
			if shape == "record" && buggy.Load() && strings.HasPrefix(ident, "j1-") {
				panic("record bug")
			}
			return nil
		}})
	require.NoError(t, err)
	require.NoError(t, e.Load(context.Background()))
	e.AllowGranularities(time.Second)
	v.e = e
	one := lit("PT1S", vocab.XSD+"duration")
	bad, err := v.job(map[string][]rdf.Object{"monitoredObject": {a}, "granularity": {one}})
	require.NoError(t, err)
	good, err := v.job(map[string][]rdf.Object{"monitoredObject": {b}, "granularity": {one}})
	require.NoError(t, err)
	e.Start()
	defer e.Close()
	require.Eventually(t, func() bool { return strings.Contains(log.String(), "record bug") }, 5*time.Second, 20*time.Millisecond)
	buggy.Store(false)
	require.Eventually(t, func() bool { return len(v.records(bad)) >= 2 }, 10*time.Second, 50*time.Millisecond, "the job's next periods are collected")
	assert.NotEmpty(t, v.records(good))
	assert.Contains(t, log.String(), "panic while running a job")
	assert.Contains(t, log.String(), "safeTick", "the stack is logged")
}
