package collect

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

func urlTarget(name, prop, u string) Target {
	return Target{IRI: iri("http://example.org/site/" + name), Types: []rdf.IRI{classSoftwareServer},
		Props: map[string][]string{prop: {u}}}
}

// statusOf returns the availability status samples of res.
func statusOf(ss []Sample, res rdf.IRI) []rdf.IRI {
	var out []rdf.IRI
	for _, s := range ss {
		if s.Resource == res && s.Status != (rdf.IRI{}) {
			out = append(out, s.Status)
		}
	}
	return out
}

func TestHTTPProbe(t *testing.T) {
	var calls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		w.Write([]byte("hello"))
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tls := httptest.NewTLSServer(mux)
	defer tls.Close()

	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + l.Addr().String() + "/"
	l.Close()

	tests := []struct {
		name     string
		url      string
		client   *http.Client
		params   map[string][]string
		status   rdf.IRI
		code     float64 // 0: no status code measure
		minMilli float64
	}{
		{"ok", srv.URL + "/ok", nil, nil, StatusRunning, 200, 20},
		{"not found is running", srv.URL + "/missing", nil, nil, StatusRunning, 404, 0},
		{"5xx is not running", srv.URL + "/broken", nil, nil, StatusNotRunning, 503, 0},
		{"refused", refused, nil, nil, StatusNotRunning, 0, 0},
		{"timeout", srv.URL + "/slow", nil, map[string][]string{PropProbeTimeout: {"PT0.1S"}}, StatusNotRunning, 0, 0},
		{"tls trusted", tls.URL + "/ok", tls.Client(), nil, StatusRunning, 200, 20},
		{"tls untrusted", tls.URL + "/ok", nil, nil, StatusNotRunning, 0, 0},
		{"tls insecure", tls.URL + "/ok", nil, map[string][]string{PropTLSInsecure: {"true"}}, StatusRunning, 200, 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &HTTP{Client: tc.client, Allow: testServers}
			tg := urlTarget("a", PropProbeURL, tc.url)
			req := request("j", tg)
			req.Params = tc.params
			ss, err := h.Collect(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, []rdf.IRI{tc.status}, statusOf(ss, tg.IRI))
			m := byMetric(t, withoutStatus(ss), tg.IRI)
			if tc.code == 0 {
				assert.NotContains(t, m, MetricHTTPStatus)
				assert.NotContains(t, m, metricResponseTime, "no response, no response time")
				return
			}
			assert.Equal(t, tc.code, m[MetricHTTPStatus].Value)
			rt := m[metricResponseTime]
			assert.Equal(t, UnitMillisecond, rt.Unit)
			assert.GreaterOrEqual(t, rt.Value, tc.minMilli)
			assert.Less(t, rt.Value, 2000.0)
		})
	}
	assert.Equal(t, int32(probeAttempts), calls.Load(), "a probe without a response is tried %d times", probeAttempts)
}

func withoutStatus(ss []Sample) []Sample {
	var out []Sample
	for _, s := range ss {
		if s.Status == (rdf.IRI{}) {
			out = append(out, s)
		}
	}
	return out
}

func TestHTTPJobURLAndFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	h := NewHTTP()
	h.Allow = testServers

	// The job's URL serves every target without its own.
	tg := Target{IRI: iri("http://example.org/site/b")}
	req := request("j", tg)
	req.Params = map[string][]string{PropProbeURL: {srv.URL}}
	ss, err := h.Collect(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, []rdf.IRI{StatusRunning}, statusOf(ss, tg.IRI))

	// Nothing to probe is a failure of the collection, which the engine
	// retries and reports.
	_, err = h.Collect(context.Background(), request("j", tg))
	require.ErrorIs(t, err, ErrNoSamples)
	assert.Contains(t, err.Error(), "no pmj:probeURL")

	assert.Equal(t, []string{
		`pmj:probeURL: "ftp://x" is not an absolute http or https URL`,
		`pmj:probeTimeout: "soon" is not a positive xsd:duration such as PT5S`,
	}, h.CheckParams(map[string][]string{PropProbeURL: {"ftp://x"}, PropProbeTimeout: {"soon"}}))
	assert.Equal(t, "http://open-services.net/ns/perfmon#availabilityStatus", vocab.PMAvailabilityStatus.String())
}
