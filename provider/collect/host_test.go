package collect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// A pid above any pid_max Linux allows (2^22).
const missingPID = 1 << 30

func iri(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

// newTestHost returns a host collector with a short first CPU sample.
func newTestHost() *Host {
	h := NewHost()
	h.sample = 20 * time.Millisecond
	return h
}

func systemTarget(name string) Target {
	return Target{IRI: iri("http://example.org/host/" + name), Types: []rdf.IRI{classComputerSystem}}
}

func processTarget(name string, pid int) Target {
	return Target{
		IRI:   iri("http://example.org/process/" + name),
		Types: []rdf.IRI{classProcess},
		Props: map[string][]string{propProcessID: {strconv.Itoa(pid)}},
	}
}

// request asks for the minute that just ended.
func request(job string, ts ...Target) Request {
	end := time.Now()
	return Request{Job: iri("http://example.org/job/" + job), Start: end.Add(-time.Minute), End: end, Targets: ts}
}

// byMetric indexes the samples of resource res by metric, failing on
// duplicates.
func byMetric(t *testing.T, ss []Sample, res rdf.IRI) map[rdf.IRI]Sample {
	t.Helper()
	m := make(map[rdf.IRI]Sample)
	for _, s := range ss {
		if s.Resource != res {
			continue
		}
		_, dup := m[s.Metric]
		require.False(t, dup, "two samples of %s for %s", s.Metric, res)
		m[s.Metric] = s
	}
	return m
}

// spin keeps a CPU busy for d, so that process CPU use is not all zero.
func spin(d time.Duration) {
	x := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		x++
	}
	_ = x
}

func TestHostSystem(t *testing.T) {
	h := newTestHost()
	sys := systemTarget("a")
	ctx := context.Background()

	ss, err := h.Collect(ctx, request("j", sys))
	require.NoError(t, err)
	first := byMetric(t, ss, sys.IRI)

	// The first collection measures CPU over a short sample and has no
	// network error rate yet.
	require.Contains(t, first, metricCPUUsed)
	assert.NotContains(t, first, metricNetworkIOErrors)
	cpu := first[metricCPUUsed]
	assert.Equal(t, UnitPercent, cpu.Unit)
	assert.GreaterOrEqual(t, cpu.Value, 0.0)
	assert.LessOrEqual(t, cpu.Value, 100.0)

	require.Contains(t, first, metricRealMemoryUsed)
	assert.Equal(t, UnitByte, first[metricRealMemoryUsed].Unit)
	assert.Greater(t, first[metricRealMemoryUsed].Value, 0.0)
	require.Contains(t, first, metricVirtualMemoryUsed)
	assert.GreaterOrEqual(t, first[metricVirtualMemoryUsed].Value, 0.0) // no swap is 0
	require.Contains(t, first, metricDiskSpaceUsed)
	assert.Greater(t, first[metricDiskSpaceUsed].Value, 0.0)
	if s, ok := first[metricCPUSpeed]; ok { // not every VM tells
		assert.Equal(t, UnitMegahertz, s.Unit)
		assert.Greater(t, s.Value, 0.0)
	}
	for _, s := range ss {
		assert.Zero(t, s.Count)
	}

	// The second computes both rates from the first's counters, without a
	// sample of its own: one would outlast the deadline.
	// Some clock ticks must pass between the readings.
	time.Sleep(50 * time.Millisecond)
	h.sample = time.Hour
	ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ss, err = h.Collect(ctx2, request("j", sys))
	require.NoError(t, err)
	second := byMetric(t, ss, sys.IRI)
	require.Contains(t, second, metricCPUUsed)
	assert.GreaterOrEqual(t, second[metricCPUUsed].Value, 0.0)
	assert.LessOrEqual(t, second[metricCPUUsed].Value, 100.0)
	require.Contains(t, second, metricNetworkIOErrors)
	assert.Equal(t, UnitPerMinute, second[metricNetworkIOErrors].Unit)
	assert.GreaterOrEqual(t, second[metricNetworkIOErrors].Value, 0.0)
}

func TestHostProcess(t *testing.T) {
	h := newTestHost()
	self := processTarget("self", os.Getpid())
	ctx := context.Background()
	maxCPU := 100 * float64(runtime.NumCPU())

	for i := range 2 {
		spin(10 * time.Millisecond)
		ss, err := h.Collect(ctx, request("j", self))
		require.NoError(t, err)
		got := byMetric(t, ss, self.IRI)
		require.Len(t, got, 3, "call %d: %v", i, ss)
		assert.Equal(t, UnitPercent, got[metricCPUUsed].Unit)
		assert.GreaterOrEqual(t, got[metricCPUUsed].Value, 0.0)
		assert.LessOrEqual(t, got[metricCPUUsed].Value, maxCPU)
		rss, vms := got[metricRealMemoryUsed], got[metricVirtualMemoryUsed]
		assert.Equal(t, UnitByte, rss.Unit)
		assert.Greater(t, rss.Value, 0.0)
		assert.GreaterOrEqual(t, vms.Value, rss.Value)
	}
}

func TestHostMissingProcess(t *testing.T) {
	h := newTestHost()
	gone := processTarget("gone", missingPID)
	sys := systemTarget("a")
	ctx := context.Background()

	// With another target measured, a missing process is just left out.
	ss, err := h.Collect(ctx, request("j", gone, sys))
	require.NoError(t, err)
	assert.Empty(t, byMetric(t, ss, gone.IRI))
	assert.NotEmpty(t, byMetric(t, ss, sys.IRI))

	// When every target fails, the collection does.
	bad := []Target{
		gone,
		{IRI: iri("http://example.org/process/nopid"), Types: []rdf.IRI{classProcess}},
		processTarget("zero", 0),
		{IRI: iri("http://example.org/db"), Types: []rdf.IRI{classDatabase}},
	}
	for _, tc := range []struct {
		name    string
		targets []Target
		want    string
	}{
		{"gone", bad[:1], "process 1073741824 is not running"},
		{"no pid", bad[1:2], "no crtv:processId"},
		{"zero pid", bad[2:3], `bad crtv:processId "0"`},
		{"class", bad[3:], "neither a crtv:ComputerSystem nor a crtv:Process"},
		{"all", bad, "and 1 more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss, err := h.Collect(ctx, request("j", tc.targets...))
			assert.Empty(t, ss)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrNoSamples)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestHostWants(t *testing.T) {
	h := newTestHost()
	sys, self := systemTarget("a"), processTarget("self", os.Getpid())
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		metrics []rdf.IRI
		sys     []rdf.IRI // metrics wanted of sys, in order
		self    []rdf.IRI
	}{
		{"memory", []rdf.IRI{metricRealMemoryUsed}, []rdf.IRI{metricRealMemoryUsed}, []rdf.IRI{metricRealMemoryUsed}},
		{"disk", []rdf.IRI{metricDiskSpaceUsed}, []rdf.IRI{metricDiskSpaceUsed}, nil},
		{"two", []rdf.IRI{metricVirtualMemoryUsed, metricCPUUsed},
			[]rdf.IRI{metricCPUUsed, metricVirtualMemoryUsed}, []rdf.IRI{metricCPUUsed, metricVirtualMemoryUsed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := request("wants-"+tc.name, sys, self)
			req.Metrics = tc.metrics
			ss, err := h.Collect(ctx, req)
			require.NoError(t, err)
			var gotSys, gotSelf []rdf.IRI
			for _, s := range ss {
				if s.Resource == sys.IRI {
					gotSys = append(gotSys, s.Metric)
				} else {
					gotSelf = append(gotSelf, s.Metric)
				}
			}
			assert.Equal(t, tc.sys, gotSys)
			assert.Equal(t, tc.self, gotSelf)
		})
	}

	// A metric host does not offer gives nothing, and that is a failure.
	req := request("wants-none", sys, self)
	req.Metrics = []rdf.IRI{vocab.IRI(vocab.PM, "ResponseTime")}
	ss, err := h.Collect(ctx, req)
	assert.Empty(t, ss)
	assert.ErrorIs(t, err, ErrNoSamples)

	// The network error rate alone is not there yet on a first collection,
	// which is no failure.
	req = request("wants-net", sys)
	req.Metrics = []rdf.IRI{metricNetworkIOErrors}
	ss, err = h.Collect(ctx, req)
	assert.NoError(t, err)
	assert.Empty(t, ss)
}

func TestHostInstancePath(t *testing.T) {
	h := newTestHost()
	dir := systemTarget("dir")
	dir.Props = map[string][]string{propInstancePath: {t.TempDir()}}
	missing := systemTarget("missing")
	missing.Props = map[string][]string{propInstancePath: {"/no/such/directory"}}
	req := request("j", dir, missing)
	req.Metrics = []rdf.IRI{metricDiskSpaceUsed, metricRealMemoryUsed}

	ss, err := h.Collect(context.Background(), req)
	require.NoError(t, err)
	assert.Greater(t, byMetric(t, ss, dir.IRI)[metricDiskSpaceUsed].Value, 0.0)
	got := byMetric(t, ss, missing.IRI)
	assert.NotContains(t, got, metricDiskSpaceUsed)
	assert.Contains(t, got, metricRealMemoryUsed)
}

func TestHostPreviousReadings(t *testing.T) {
	h := newTestHost()
	a, b := systemTarget("a"), systemTarget("b")
	ctx := context.Background()
	hasNet := func(ss []Sample, res rdf.IRI) bool {
		_, ok := byMetric(t, ss, res)[metricNetworkIOErrors]
		return ok
	}

	// Jobs keep their own readings: job k's collection does not use up
	// job j's.
	ss, err := h.Collect(ctx, request("j", a))
	require.NoError(t, err)
	assert.False(t, hasNet(ss, a.IRI))
	ss, err = h.Collect(ctx, request("k", a))
	require.NoError(t, err)
	assert.False(t, hasNet(ss, a.IRI), "job k used job j's reading")
	ss, err = h.Collect(ctx, request("j", a, b))
	require.NoError(t, err)
	assert.True(t, hasNet(ss, a.IRI))
	assert.False(t, hasNet(ss, b.IRI))

	// A reading from long before the period is not used.
	late := request("j", a, b)
	late.Start = late.Start.Add(time.Hour)
	late.End = late.End.Add(time.Hour)
	ss, err = h.Collect(ctx, late)
	require.NoError(t, err)
	assert.False(t, hasNet(ss, a.IRI))

	// Targets a job no longer measures are forgotten, and so is a job.
	_, err = h.Collect(ctx, request("j", b))
	require.NoError(t, err)
	keys := func() []hostKey {
		h.mu.Lock()
		defer h.mu.Unlock()
		var ks []hostKey
		for k := range h.prev {
			ks = append(ks, k)
		}
		return ks
	}
	j, k := request("j").Job, request("k").Job
	assert.ElementsMatch(t, []hostKey{{j, b.IRI}, {k, a.IRI}}, keys())
	h.Forget(k)
	assert.ElementsMatch(t, []hostKey{{j, b.IRI}}, keys())
}

func TestHostProcessReused(t *testing.T) {
	h := newTestHost()
	self := processTarget("self", os.Getpid())
	req := request("j", self)
	_, err := h.Collect(context.Background(), req)
	require.NoError(t, err)

	// Pretend the pid belonged to another process at the last collection:
	// its counters must not be used, so a new sample is taken.
	key := hostKey{req.Job, self.IRI}
	h.mu.Lock()
	r := h.prev[key]
	r.created--
	r.busy = -1e9 // would make a huge CpuUsed if used
	h.prev[key] = r
	h.mu.Unlock()

	ss, err := h.Collect(context.Background(), request("j", self))
	require.NoError(t, err)
	cpu := byMetric(t, ss, self.IRI)[metricCPUUsed]
	assert.LessOrEqual(t, cpu.Value, 100*float64(runtime.NumCPU()))
}

func TestHostConcurrent(t *testing.T) {
	h := newTestHost()
	ts := []Target{systemTarget("a"), processTarget("self", os.Getpid())}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 4 {
		wg.Go(func() {
			for range 2 {
				if _, err := h.Collect(context.Background(), request(fmt.Sprint("job", i), ts...)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestHostCanceled(t *testing.T) {
	h := NewHost()
	h.sample = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := h.Collect(ctx, request("j", systemTarget("a")))
	assert.True(t, errors.Is(err, context.Canceled), "got %v; want context.Canceled", err)
}

func TestHostEmpty(t *testing.T) {
	ss, err := NewHost().Collect(context.Background(), request("j"))
	assert.NoError(t, err)
	assert.Empty(t, ss)
}

func TestHostZero(t *testing.T) {
	var h Host
	ss, err := h.Collect(context.Background(), request("j", systemTarget("a")))
	require.NoError(t, err)
	assert.NotEmpty(t, ss)
}
