package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// chromiumPath is where Debian's chromium is; CHROMIUM overrides it.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// TestBrowser runs the end-to-end suite in e2e/ (Playwright's
// playwright-core driving headless chromium) against a provider on
// localhost seeded here, with outside pages on two other origins: one the
// provider lets frame its dialogs, one it does not. Without chromium,
// node or e2e/node_modules it is skipped, except in CI (CI set) or under
// make test (PM_E2E_REQUIRED=1), where it fails: make test installs them
// first (.ci/install-deps.sh). PM_E2E_GREP runs only the tests whose names
// match it.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	e2e, err := filepath.Abs("../e2e")
	require.NoError(t, err)
	var missing []string
	if _, err := os.Stat(chromiumPath()); err != nil {
		missing = append(missing, chromiumPath())
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core")); err != nil {
		missing = append(missing, "e2e/node_modules (npm ci in e2e)")
	}
	if len(missing) > 0 {
		msg := "browser tests need " + strings.Join(missing, ", ") + "; run make deps"
		if os.Getenv("CI") != "" || os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	pages := http.FileServer(http.Dir(filepath.Join(e2e, "outside")))
	outside := httptest.NewServer(pages)
	defer outside.Close()
	stranger := httptest.NewServer(pages)
	defer stranger.Close()

	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	defer db.Close()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	srv, err := provider.New(boltsource.New(db), provider.Config{
		BaseURL: base,
		UI:      provider.UIConfig{FrameAncestors: []string{"'self'", outside.URL}},
	})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	defer hs.Close()
	srv.Start()
	defer srv.Close()
	ts := &testServer{Server: hs, db: db}

	web := seedResource(t, ts, "web01 front end", "web01")
	db01 := seedResource(t, ts, "db01 orders database", "db01")
	const points = 12
	now := time.Now().UTC()
	for i := 0; i < points; i++ {
		seedRecord(t, ts, web, now.Add(-time.Duration(points-i)*10*time.Minute), 20+float64(i*i%37), 1<<30+float64(i)*1e7)
	}

	artifacts := filepath.Join(e2e, "artifacts")
	require.NoError(t, os.MkdirAll(artifacts, 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	args := []string{"--test", "--test-concurrency=1", "--test-reporter=spec"}
	if p := os.Getenv("PM_E2E_GREP"); p != "" {
		// Only the tests whose names match: for working on one of them.
		args = append(args, "--test-name-pattern="+p)
	}
	cmd := exec.CommandContext(ctx, node, append(args, "tests/")...)
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(),
		"PM_BASE="+base,
		"PM_OUTSIDE="+outside.URL,
		"PM_STRANGER="+stranger.URL,
		"PM_RESOURCE="+web,
		"PM_DB="+db01,
		fmt.Sprintf("PM_POINTS=%d", points),
		"PM_ARTIFACTS="+artifacts,
		"CHROMIUM="+chromiumPath(),
	)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("e2e suite (%s):\n%s", time.Since(start).Round(time.Millisecond), out)
	require.NoError(t, err, "e2e suite failed")
}

func seedResource(t testing.TB, ts *testServer, title, name string) string {
	t.Helper()
	r := ts.do(t, "POST", "/oslc/resources", fmt.Sprintf(`<> a <http://open-services.net/ns/crtv#ComputerSystem> ;
  <http://purl.org/dc/terms/title> %q ; <http://open-services.net/ns/crtv#name> %q .`, title, name), "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	return r.header.Get("Location")
}

func seedRecord(t testing.TB, ts *testServer, resource string, at time.Time, cpu, mem float64) {
	t.Helper()
	r := ts.do(t, "POST", "/oslc/records", fmt.Sprintf(`@prefix pm: <http://open-services.net/ns/perfmon#> .
@prefix ems: <http://open-services.net/ns/ems#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a pm:PerformanceMonitoringRecord ;
  dcterms:date %q^^xsd:dateTime ;
  dcterms:isPartOf <%s> ;
  pm:availabilityStatus pm:Running ;
  ems:observes [ a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue %g ] ,
               [ a ems:Measure ; ems:metric pm:RealMemoryUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Byte> ; ems:numericValue %g ] .
`, at.Format(time.RFC3339), resource, cpu, mem), "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
}
