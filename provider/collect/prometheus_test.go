package collect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// nodeExporter serves node-exporter-style metrics whose counters the test
// advances between scrapes.
type nodeExporter struct {
	mu             sync.Mutex
	idle, user     [2]float64 // per cpu
	rxErrs, txErrs float64
	memAvail       float64
	fail           bool
}

func (n *nodeExporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		http.Error(w, "down", 500)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintf(w, `# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} %g
node_cpu_seconds_total{cpu="0",mode="user"} %g
node_cpu_seconds_total{cpu="1",mode="idle"} %g
node_cpu_seconds_total{cpu="1",mode="user"} %g
# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.
# TYPE node_memory_MemTotal_bytes gauge
node_memory_MemTotal_bytes 8.589934592e+09
# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.
# TYPE node_memory_MemAvailable_bytes gauge
node_memory_MemAvailable_bytes %g
# TYPE node_memory_SwapTotal_bytes gauge
node_memory_SwapTotal_bytes 1e+09
# TYPE node_memory_SwapFree_bytes gauge
node_memory_SwapFree_bytes 7.5e+08
# HELP node_filesystem_size_bytes Filesystem size in bytes.
# TYPE node_filesystem_size_bytes gauge
node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1e+11
node_filesystem_size_bytes{device="/dev/sdb1",fstype="ext4",mountpoint="/data"} 5e+11
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 4e+10
node_filesystem_avail_bytes{device="/dev/sdb1",fstype="ext4",mountpoint="/data"} 1e+11
# TYPE node_network_receive_errs_total counter
node_network_receive_errs_total{device="eth0"} %g
node_network_receive_errs_total{device="lo"} 0
# TYPE node_network_transmit_errs_total counter
node_network_transmit_errs_total{device="eth0"} %g
node_network_transmit_errs_total{device="lo"} 0
# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{code="200"} 1000
http_requests_total{code="500"} 10
`, n.idle[0], n.user[0], n.idle[1], n.user[1], n.memAvail, n.rxErrs, n.txErrs)
}

func (n *nodeExporter) advance(f func(n *nodeExporter)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f(n)
}

func TestPrometheusNodeExporter(t *testing.T) {
	ne := &nodeExporter{idle: [2]float64{1000, 2000}, user: [2]float64{500, 500}, memAvail: 6e9}
	srv := httptest.NewServer(ne)
	defer srv.Close()
	p := NewPrometheus()
	p.Allow = testServers
	root := urlTarget("node1", PropScrapeURL, srv.URL+"/metrics")
	data := urlTarget("node2", PropScrapeURL, srv.URL+"/metrics")
	data.Props[propInstancePath] = []string{"/data"}
	ctx := context.Background()

	// First scrape: gauges only, counters need a previous scrape.
	req := request("j", root, data)
	ss, err := p.Collect(ctx, req)
	require.NoError(t, err)
	m := byMetric(t, ss, root.IRI)
	assert.Equal(t, 8.589934592e9-6e9, m[metricRealMemoryUsed].Value)
	assert.Equal(t, UnitByte, m[metricRealMemoryUsed].Unit)
	assert.Equal(t, 2.5e8, m[metricVirtualMemoryUsed].Value)
	assert.Equal(t, 6e10, m[metricDiskSpaceUsed].Value, "the filesystem at /")
	assert.Equal(t, 4e11, byMetric(t, ss, data.IRI)[metricDiskSpaceUsed].Value, "the filesystem at crtv:instancePath")
	assert.NotContains(t, m, metricCPUUsed)
	assert.NotContains(t, m, metricNetworkIOErrors)

	// A period later: 30 s idle and 10 s user per CPU is 25 % busy.
	ne.advance(func(n *nodeExporter) {
		n.idle[0] += 30
		n.idle[1] += 30
		n.user[0] += 10
		n.user[1] += 10
		n.rxErrs += 6
		n.txErrs += 3
	})
	time.Sleep(50 * time.Millisecond)
	req2 := req
	req2.Start, req2.End = req.End, req.End.Add(time.Minute)
	ss, err = p.Collect(ctx, req2)
	require.NoError(t, err)
	m = byMetric(t, ss, root.IRI)
	require.Contains(t, m, metricCPUUsed)
	assert.InDelta(t, 25.0, m[metricCPUUsed].Value, 1e-9)
	assert.Equal(t, UnitPercent, m[metricCPUUsed].Unit)
	require.Contains(t, m, metricNetworkIOErrors)
	assert.Greater(t, m[metricNetworkIOErrors].Value, 0.0, "9 errors over the time between the scrapes, per minute")
	assert.Equal(t, UnitPerMinute, m[metricNetworkIOErrors].Unit)

	// A counter reset counts from zero, never negative.
	ne.advance(func(n *nodeExporter) { n.rxErrs, n.txErrs = 1, 0 })
	ss, err = p.Collect(ctx, req2)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, byMetric(t, ss, root.IRI)[metricNetworkIOErrors].Value, 0.0)

	// After Forget, counters start over.
	p.Forget(req.Job)
	ss, err = p.Collect(ctx, req2)
	require.NoError(t, err)
	assert.NotContains(t, byMetric(t, ss, root.IRI), metricCPUUsed)

	// A failing endpoint fails the collection: the engine retries it.
	ne.advance(func(n *nodeExporter) { n.fail = true })
	_, err = p.Collect(ctx, req2)
	require.ErrorIs(t, err, ErrNoSamples)
	assert.Contains(t, err.Error(), "500")
}

func TestPrometheusJobMapping(t *testing.T) {
	ne := &nodeExporter{memAvail: 2e9}
	srv := httptest.NewServer(ne)
	defer srv.Close()
	p := NewPrometheus()
	p.Allow = testServers
	tg := Target{IRI: iri("http://example.org/app")}
	req := request("j", tg)
	req.Params = map[string][]string{
		PropScrapeURL: {srv.URL},
		PropMetricMapping: {`pm:RealMemoryUsed [dbpedia:Byte] = sum(node_memory_MemAvailable_bytes) * 2
pm:RequestFailures = sum(http_requests_total{code=~"5.."})`},
	}
	req.Metrics = []rdf.IRI{metricRealMemoryUsed, vocab.IRI(vocab.PM, "RequestFailures")}
	ss, err := p.Collect(context.Background(), req)
	require.NoError(t, err)
	m := byMetric(t, ss, tg.IRI)
	assert.Equal(t, 4e9, m[metricRealMemoryUsed].Value, "the job's rule replaces the built-in one")
	assert.Equal(t, 10.0, m[vocab.IRI(vocab.PM, "RequestFailures")].Value)
	assert.Len(t, m, 2, "only the metrics asked for")

	ms := p.MetricsFor(req.Params)
	assert.Len(t, ms, len(defaultRules)+1)
}

func TestParseRule(t *testing.T) {
	for _, r := range defaultRules {
		again, err := ParseRule(r.String())
		require.NoError(t, err, r.String())
		assert.Equal(t, r.String(), again.String())
	}
	bad := []struct{ rule, msg string }{
		{"CpuUsed = sum(x)", "expected a prefixed name"},
		{"foo:CpuUsed = sum(x)", `unknown prefix "foo"`},
		{"pm:CpuUsed sum(x)", "expected = after the metric"},
		{"pm:CpuUsed = avg(x)", "expected a number, ( or sum("},
		{"pm:CpuUsed = sum(x{a~\"b\"})", "expected =, !=, =~ or !~"},
		{"pm:CpuUsed = sum(x{a=~\"(\"})", "bad regular expression"},
		{"pm:CpuUsed = sum(x) )", "unexpected text"},
		{"pm:CpuUsed [dbpedia:Byte = sum(x)", "expected ] after the unit"},
		{"pm:CpuUsed = (1 + sum(x)", "expected )"},
	}
	for _, tc := range bad {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := ParseRule(tc.rule)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func FuzzParseRule(f *testing.F) {
	for _, r := range defaultRules {
		f.Add(r.String())
	}
	f.Add("pm:X = -(1/0)")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			return
		}
		again, err := ParseRule(r.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, r.String(), err)
		}
		if again.String() != r.String() {
			t.Fatalf("%q: printed %q, then %q", s, r.String(), again.String())
		}
	})
}
