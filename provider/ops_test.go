package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/ops"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// opsServer is a provider with role authentication (roleAuth) and its
// log, served over HTTP.
func opsServer(t *testing.T) (*httptest.Server, *provider.Server, *bytes.Buffer) {
	t.Helper()
	metrics := ops.NewMetrics()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{ObserveCommit: metrics.ObserveCommit}))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	log := &bytes.Buffer{}
	hs := httptest.NewUnstartedServer(nil)
	srv, err := provider.New(boltsource.New(db), provider.Config{
		BaseURL: "http://" + hs.Listener.Addr().String(), Authenticators: auth.Chain{roleAuth{bound: new(string)}},
		Metrics: metrics, AccessLog: true,
		Logger: slog.New(ops.LogHandler(slog.NewJSONHandler(log, nil))),
	})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	return hs, srv, log
}

func getAs(t *testing.T, url, role string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if role != "" {
		req.Header.Set("Authorization", "Role "+role)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestOpsEndpointsAndRoles(t *testing.T) {
	hs, srv, _ := opsServer(t)
	for _, c := range []struct {
		path string
		role string
		want int
	}{
		{"/healthz", "", 200},
		{"/readyz", "", 503}, // the job engine is not started
		{"/metrics", "", 401},
		{"/metrics", "agent", 403},
		{"/metrics", "governance", 200},
		{"/api/v1/labels", "", 401},
		{"/api/v1/labels", "agent", 403},
		{"/api/v1/labels", "governance", 200},
	} {
		t.Run(c.path+" as "+c.role, func(t *testing.T) {
			resp, body := getAs(t, hs.URL+c.path, c.role)
			assert.Equal(t, c.want, resp.StatusCode, body)
		})
	}
	srv.Start()
	defer srv.Close()
	resp, body := getAs(t, hs.URL+"/readyz", "")
	assert.Equal(t, 200, resp.StatusCode, body)
	srv.AddReadiness("sparql store", func(context.Context) error { return errors.New("connection refused") })
	resp, body = getAs(t, hs.URL+"/readyz", "")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Contains(t, body, "connection refused")
}

func TestRequestID(t *testing.T) {
	hs, _, log := opsServer(t)
	resp, _ := getAs(t, hs.URL+"/oslc/catalog", "governance", "X-Request-Id", "abc-123")
	assert.Equal(t, "abc-123", resp.Header.Get("X-Request-Id"), "a sane id runs through")
	resp, _ = getAs(t, hs.URL+"/oslc/catalog", "governance", "X-Request-Id", "no spaces, please")
	id := resp.Header.Get("X-Request-Id")
	assert.Regexp(t, `^[0-9a-f]{24}$`, id, "an insane one is replaced")
	resp, _ = getAs(t, hs.URL+"/nowhere", "governance")
	assert.NotEmpty(t, resp.Header.Get("X-Request-Id"), "errors have one too")
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		lines = append(lines, m)
	}
	require.Len(t, lines, 3)
	assert.Equal(t, "abc-123", lines[0]["request_id"])
	assert.Equal(t, id, lines[1]["request_id"])
	assert.Equal(t, "/oslc/catalog", lines[0]["route"])
	assert.Equal(t, float64(404), lines[2]["status"])
}

// TestMetricsScrapedByPrometheus checks /metrics with promtool check
// metrics, and has a real Prometheus scrape it and answer a query about
// it.
func TestMetricsScrapedByPrometheus(t *testing.T) {
	promtool, prometheus := tool(t, "promtool"), tool(t, "prometheus")
	hs, _, _ := opsServer(t)
	for range 3 {
		getAs(t, hs.URL+"/oslc/catalog", "governance")
	}
	_, body := getAs(t, hs.URL+"/metrics", "governance")
	for _, name := range []string{"pmprovider_http_requests_total", "pmprovider_http_request_duration_seconds_bucket", "pmprovider_store_size_bytes",
		"pmprovider_store_commit_duration_seconds", "pmprovider_jobs_lag_seconds", "pmprovider_jobs_missed_periods_total",
		"pmprovider_jobs_collector_failures_total", "pmprovider_notification_backlog", "pmprovider_store_staged_resources"} {
		assert.Contains(t, body, name)
	}
	assert.Contains(t, body, `pmprovider_http_requests_total{code="200",method="GET",route="/oslc/catalog"} 3`)
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(body)
	out, err := check.CombinedOutput()
	assert.NoError(t, err, "promtool check metrics:\n%s", out)

	// Prometheus scrapes with a bearer credential: roleAuth reads
	// "Role governance".
	dir := t.TempDir()
	port := freePort(t)
	target := strings.TrimPrefix(hs.URL, "http://")
	cfg := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: pmprovider
    authorization: {type: Role, credentials: governance}
    static_configs: [{targets: [%q]}]
`, target)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600))
	cmd := exec.Command(prometheus, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:"+port, "--log.level=warn")
	var plog bytes.Buffer
	cmd.Stdout, cmd.Stderr = &plog, &plog
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	q := "http://127.0.0.1:" + port + "/api/v1/query?query=" + url.QueryEscape(`pmprovider_http_requests_total{route="/oslc/catalog",code="200"}`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(q)
		if err == nil {
			var r struct {
				Data struct {
					Result []struct {
						Metric map[string]string `json:"metric"`
						Value  []any             `json:"value"`
					} `json:"result"`
				} `json:"data"`
			}
			err = json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			if err == nil && len(r.Data.Result) == 1 {
				assert.Equal(t, "pmprovider", r.Data.Result[0].Metric["job"])
				assert.Equal(t, "3", r.Data.Result[0].Value[1], "the three GETs of the catalog")
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus did not scrape the provider in 20 s; its log:\n%s", plog.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// tool returns the path of program, skipping the test without it unless
// PM_E2E_REQUIRED=1 or CI is set.
func tool(t testing.TB, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		msg := "this test needs " + program + " (Debian package prometheus); run make deps"
		if os.Getenv("CI") != "" || os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}
