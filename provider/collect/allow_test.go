package collect

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testServers allows the collectors of tests to reach httptest servers.
var testServers = mustAllow("127.0.0.1/32")

func mustAllow(s string) *AllowList {
	a, err := ParseAllowList(s)
	if err != nil {
		panic(err)
	}
	return a
}

func TestAllowList(t *testing.T) {
	tests := []struct {
		list    string
		addr    string
		refused string // "" when allowed, else a part of the error
	}{
		{"any", "93.184.215.14:80", ""},
		{"any", "10.1.2.3:9100", ""},
		{"any", "[2001:db8::1]:443", ""},
		{"any", "127.0.0.1:8080", "a loopback address"},
		{"any", "127.9.9.9:8080", "a loopback address"},
		{"any", "[::1]:8080", "a loopback address"},
		{"any", "[::ffff:127.0.0.1]:8080", "a loopback address"},
		{"any", "169.254.169.254:80", "a link-local address"},
		{"any", "[fe80::1]:80", "a link-local address"},
		{"any", "0.0.0.0:80", "an unspecified address"},
		{"any", "0.1.2.3:80", "an unspecified address"},
		{"any", "[::]:80", "an unspecified address"},
		{"any", "239.1.2.3:80", "a multicast address"},
		{"any", "[fd00:ec2::254]:80", "a cloud metadata address"},
		{"127.0.0.1/32", "127.0.0.1:8080", ""},
		{"127.0.0.1/32", "127.0.0.2:8080", "a loopback address"},
		{"127.0.0.1/32", "93.184.215.14:80", "not in the collectors' allow-list"},
		{"10.0.0.0/8, metrics.example.org", "10.200.0.1:80", ""},
		{"10.0.0.0/8", "192.168.1.1:80", "not in the collectors' allow-list"},
		{"any, 127.0.0.1:9100", "127.0.0.1:9100", ""},
		{"any, 127.0.0.1:9100", "127.0.0.1:9101", "a loopback address"},
		{"any, 127.0.0.1:9100", "93.184.215.14:80", ""},
		{"any, [::1]:9100", "[::1]:9100", ""},
		{"169.254.169.254", "169.254.169.254:80", ""},
	}
	for _, tt := range tests {
		t.Run(tt.list+" "+tt.addr, func(t *testing.T) {
			a, err := ParseAllowList(tt.list)
			require.NoError(t, err)
			err = a.checkAddr(netip.MustParseAddrPort(tt.addr).Addr(), netip.MustParseAddrPort(tt.addr).Port())
			if tt.refused == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrNotAllowed)
			assert.Contains(t, err.Error(), tt.refused)
			assert.Contains(t, err.Error(), "--collect-allow", "says what the operator can do")
		})
	}

	names := mustAllow("metrics.example.org, *.corp.example, exporter:9100")
	assert.True(t, names.namedAllowed("metrics.example.org", 80))
	assert.True(t, names.namedAllowed("METRICS.example.org.", 443))
	assert.True(t, names.namedAllowed("db.corp.example", 80))
	assert.False(t, names.namedAllowed("corp.example", 80))
	assert.False(t, names.namedAllowed("evilcorp.example", 80))
	assert.True(t, names.namedAllowed("exporter", 9100))
	assert.False(t, names.namedAllowed("exporter", 9101))

	for _, bad := range []string{"", " , ", "10.0.0.0/33", "exa mple.org", "host:0", "host:99999", "http://x/"} {
		_, err := ParseAllowList(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// counting is a test server that counts the requests it gets.
func counting(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestCollectorsStayOffLoopbackByDefault: a job's URL on the provider's
// own host (here an httptest server on 127.0.0.1) is not fetched unless
// the operator lists it.
func TestCollectorsStayOffLoopbackByDefault(t *testing.T) {
	srv, hits := counting(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write([]byte("node_memory_MemTotal_bytes 4e9\nnode_memory_MemAvailable_bytes 1e9\n"))
	})
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	tests := []struct {
		name string
		c    func(*AllowList) Collector
		prop string
	}{
		{"http", func(a *AllowList) Collector { h := NewHTTP(); h.Allow = a; return h }, PropProbeURL},
		{"prometheus", func(a *AllowList) Collector { p := NewPrometheus(); p.Allow = a; return p }, PropScrapeURL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, u := range []string{srv.URL + "/internal-admin", "http://localhost:" + port + "/internal-admin"} {
				hits.Store(0)
				_, err := tc.c(nil).Collect(context.Background(), request("j", urlTarget("a", tc.prop, u)))
				require.ErrorIs(t, err, ErrNoSamples, u)
				assert.Contains(t, err.Error(), "loopback")
				assert.Contains(t, err.Error(), "--collect-allow")
				assert.Zero(t, hits.Load(), "%s fetched", u)
			}

			hits.Store(0)
			ss, err := tc.c(testServers).Collect(context.Background(), request("j", urlTarget("a", tc.prop, srv.URL+"/metrics")))
			require.NoError(t, err)
			assert.NotEmpty(t, ss)
			assert.NotZero(t, hits.Load())

			// A name the operator lists is trusted with what it resolves to.
			ss, err = tc.c(mustAllow("localhost:"+port)).Collect(context.Background(), request("j", urlTarget("a", tc.prop, "http://localhost:"+port+"/metrics")))
			require.NoError(t, err)
			assert.NotEmpty(t, ss)
		})
	}
}

// TestNameResolvingToRefusedAddress: the addresses a connection goes to
// are checked after resolution, so a name (here "localhost", past the
// URL checks) that resolves, or is rebound, to a loopback address is
// refused.
func TestNameResolvingToRefusedAddress(t *testing.T) {
	srv, hits := counting(t, nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	_, err := DefaultAllowList.dial(context.Background(), "tcp", "localhost:"+port)
	require.ErrorIs(t, err, ErrNotAllowed)
	assert.Contains(t, err.Error(), "loopback")
	assert.Zero(t, hits.Load())

	conn, err := testServers.dial(context.Background(), "tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	conn.Close()
}

// TestRedirectToRefusedHost: a redirect is followed only where a first
// request could go.
func TestRedirectToRefusedHost(t *testing.T) {
	inner, hits := counting(t, nil)
	_, innerPort, _ := net.SplitHostPort(inner.Listener.Addr().String())
	for _, to := range []string{inner.URL + "/secret", "http://localhost:" + innerPort + "/secret"} {
		outer := httptest.NewServer(http.RedirectHandler(to, http.StatusFound))
		t.Cleanup(outer.Close)
		// Only the outer server is allowed.
		allow := mustAllow("any," + outer.Listener.Addr().String())
		for _, c := range []struct {
			c    Collector
			prop string
		}{{&HTTP{Allow: allow}, PropProbeURL}, {&Prometheus{Allow: allow}, PropScrapeURL}} {
			_, err := c.c.Collect(context.Background(), request("j", urlTarget("a", c.prop, outer.URL+"/")))
			require.ErrorIs(t, err, ErrNoSamples, "%s to %s", c.c.Name(), to)
			assert.Contains(t, err.Error(), "loopback")
			assert.Zero(t, hits.Load(), "%s followed a redirect to %s", c.c.Name(), to)
		}
	}
}

// TestJobsNamingRefusedURLsAreRefused: the collectors tell the engine, when
// a job is created, which of its URLs they may not fetch.
func TestJobsNamingRefusedURLsAreRefused(t *testing.T) {
	h, p := NewHTTP(), NewPrometheus()
	for _, u := range []string{"http://127.0.0.1:9100/metrics", "http://localhost:9100/metrics", "http://[::1]/", "http://169.254.169.254/latest/meta-data/"} {
		faults := h.CheckParams(map[string][]string{PropProbeURL: {u}})
		require.Len(t, faults, 1, u)
		assert.True(t, strings.HasPrefix(faults[0], "pmj:probeURL: "+u+": "), faults[0])
		assert.Contains(t, faults[0], "--collect-allow")
		assert.Len(t, p.CheckParams(map[string][]string{PropScrapeURL: {u}}), 1, u)
	}
	assert.Empty(t, h.CheckParams(map[string][]string{PropProbeURL: {"http://93.184.215.14/"}}))

	tg := urlTarget("a", PropScrapeURL, "http://127.0.0.1:9100/metrics")
	faults := p.CheckTargets(context.Background(), []Target{tg}, nil)
	require.Len(t, faults, 1)
	assert.Contains(t, faults[0], "pmj:monitoredObject: "+tg.IRI.String()+": its pmj:scrapeURL http://127.0.0.1:9100/metrics: 127.0.0.1:9100 is a loopback address")
	p.Allow = mustAllow("any,127.0.0.1:9100")
	assert.Empty(t, p.CheckTargets(context.Background(), []Target{tg}, nil))
	assert.Empty(t, h.CheckTargets(context.Background(), []Target{tg}, nil), "not the http collector's URL")
}
