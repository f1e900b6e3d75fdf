package notify_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

const alertmanagerBin = "/usr/bin/prometheus-alertmanager"

// startAlertmanager runs Debian's Alertmanager on a free loopback port
// with its own configuration and storage, and returns its URL.
func startAlertmanager(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(alertmanagerBin); err != nil {
		msg := alertmanagerBin + " is missing: apt-get install prometheus-alertmanager (.ci/install-deps.sh)"
		if os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	require.NoError(t, os.WriteFile(cfg, []byte("route:\n  receiver: none\n  group_wait: 1s\nreceivers:\n  - name: none\n"), 0o644))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(alertmanagerBin, "--config.file="+cfg, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "http://" + addr
	waitFor(t, "the alertmanager", func() bool {
		resp, err := http.Get(url + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return url
}

// gettableAlert is what GET /api/v2/alerts answers of an alert.
type gettableAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

func alerts(t *testing.T, url string, active bool) []gettableAlert {
	q := "?active=true&silenced=false&inhibited=false&unprocessed=true"
	if !active {
		q = "?active=false&silenced=true&inhibited=true&unprocessed=false"
	}
	resp, err := http.Get(url + "/api/v2/alerts" + q)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out []gettableAlert
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// TestAlertmanager raises an alarm (a stored resource in the agreed
// shape), reads the alert back from a real Alertmanager, clears the
// alarm and sees the alert resolved there.
func TestAlertmanager(t *testing.T) {
	am := startAlertmanager(t)
	e := newEnv(t, "127.0.0.1")
	e.hub.Close()
	e.cfg.Alertmanager, e.cfg.AlertResend = am, time.Hour
	e.start()

	ctx := context.Background()
	pmj := vocab.PMJTerm
	host := e.create("/oslc/resources/web01", "web01.example.org")
	th := e.create("/oslc/thresholds/t1", "CPU above 90")
	alarm := iri("/oslc/alarms/a1")
	raised := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	g := []rdf.Triple{
		{Subj: alarm, Pred: vocab.RDFType, Obj: pmj("Alarm")},
		{Subj: alarm, Pred: pmj("threshold"), Obj: th},
		{Subj: alarm, Pred: pmj("alarmedObject"), Obj: host},
		{Subj: alarm, Pred: pmj("metric"), Obj: vocab.IRI(vocab.PM, "CpuUsed")},
		{Subj: alarm, Pred: pmj("perceivedSeverity"), Obj: pmj("Critical")},
		{Subj: alarm, Pred: pmj("observedValue"), Obj: rdf.NewTypedLiteral("95", vocab.XSDInteger)},
		{Subj: alarm, Pred: pmj("alarmState"), Obj: pmj("Raised")},
		{Subj: alarm, Pred: pmj("alarmRaisedTime"), Obj: rdf.NewTypedLiteral(raised.Format(time.RFC3339), vocab.XSDDateTime)},
	}
	_, err := e.db.Create(ctx, alarm, g)
	require.NoError(t, err)

	var got []gettableAlert
	waitFor(t, "the alert", func() bool { got = alerts(t, am, true); return len(got) == 1 })
	a := got[0]
	assert.Equal(t, "CPU above 90", a.Labels["alertname"])
	assert.Equal(t, host.String(), a.Labels["resource"])
	assert.Equal(t, "pm:CpuUsed", a.Labels["metric"])
	assert.Equal(t, "critical", a.Labels["severity"])
	assert.Equal(t, alarm.String(), a.Labels["alarm"])
	assert.Equal(t, "web01.example.org", a.Annotations["resource_title"])
	assert.Contains(t, a.Annotations["summary"], "95")
	assert.True(t, a.StartsAt.Equal(raised), "startsAt %s; want %s", a.StartsAt, raised)
	assert.Equal(t, "active", a.Status.State)

	cleared := time.Now().UTC().Truncate(time.Second)
	g = append(g[:6:6],
		rdf.Triple{Subj: alarm, Pred: pmj("alarmState"), Obj: pmj("Cleared")},
		rdf.Triple{Subj: alarm, Pred: pmj("alarmRaisedTime"), Obj: rdf.NewTypedLiteral(raised.Format(time.RFC3339), vocab.XSDDateTime)},
		rdf.Triple{Subj: alarm, Pred: pmj("alarmClearedTime"), Obj: rdf.NewTypedLiteral(cleared.Format(time.RFC3339), vocab.XSDDateTime)})
	_, err = e.db.Replace(ctx, alarm, g, "")
	require.NoError(t, err)
	// An alert whose endsAt has passed is resolved: the API lists only
	// unresolved alerts, so it leaves the list.
	waitFor(t, "the alert resolved", func() bool { return len(alerts(t, am, true)) == 0 })
	assert.Empty(t, alerts(t, am, false), "nor is it inactive (silenced, inhibited)")
}
