package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const base = "http://pm.example"

// env is a store and a hub over it.
type env struct {
	t   *testing.T
	db  *boltsource.DB
	raw *store.DB
	hub *notify.Hub
	cfg notify.Config
}

func newEnv(t *testing.T, allow string) *env {
	t.Helper()
	raw, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { raw.Close() })
	e := &env{t: t, raw: raw, db: boltsource.New(raw)}
	e.cfg = notify.Config{Store: e.db, Base: base, Poll: 2 * time.Millisecond,
		Retry: notify.Retry{First: 5 * time.Millisecond, Max: 20 * time.Millisecond, Attempts: 3}}
	if allow != "" {
		e.cfg.Allow, err = collect.ParseAllowList(allow)
		require.NoError(t, err)
	}
	e.start()
	return e
}

func (e *env) start() {
	e.t.Helper()
	h, err := notify.New(e.cfg)
	require.NoError(e.t, err)
	require.NoError(e.t, h.Start())
	e.hub = h
	e.t.Cleanup(h.Close)
}

func iri(path string) rdf.IRI {
	i, err := rdf.NewIRI(base + path)
	if err != nil {
		panic(err)
	}
	return i
}

func lit(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }

// create stores a resource with a title.
func (e *env) create(path, title string, more ...rdf.Triple) rdf.IRI {
	e.t.Helper()
	id := iri(path)
	g := append([]rdf.Triple{{Subj: id, Pred: vocab.DCTitle, Obj: lit(title)}}, more...)
	_, err := e.db.Create(context.Background(), id, g)
	require.NoError(e.t, err)
	return id
}

// receiver is a webhook that records what it is sent and answers with
// what status says.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []delivery
	status func(d delivery) int
}

type delivery struct {
	id, typ, sig, attempt string
	body                  []byte
	msg                   notify.Message
}

func newReceiver(t *testing.T, status func(d delivery) int) *receiver {
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		d := delivery{id: req.Header.Get(notify.EventIDHeader), typ: req.Header.Get(notify.EventTypeHeader),
			sig: req.Header.Get(notify.SignatureHeader), attempt: req.Header.Get(notify.AttemptHeader), body: b}
		json.Unmarshal(b, &d.msg)
		r.mu.Lock()
		r.got = append(r.got, d)
		r.mu.Unlock()
		code := 204
		if r.status != nil {
			code = r.status(d)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// waitFor waits until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func filter(t *testing.T, where string, types ...string) notify.Filter {
	f, err := notify.ParseFilter(types, where)
	require.NoError(t, err)
	return f
}

func TestDeliveryInOrderSigned(t *testing.T) {
	e := newEnv(t, "127.0.0.1")
	rcv := newReceiver(t, nil)
	e.create("/oslc/resources/before", "made before the subscription")
	sub, secret, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL, Filter: filter(t, "", "ResourceCreated")})
	require.NoError(t, err)
	require.Len(t, secret, 64)
	var want []string
	for i := range 20 {
		want = append(want, e.create(fmt.Sprintf("/oslc/records/r%02d", i), fmt.Sprint("record ", i)).String())
	}
	waitFor(t, "20 deliveries", func() bool { return len(rcv.deliveries()) >= 20 })
	got := rcv.deliveries()
	require.Len(t, got, 20, "the resource made before the subscription is not sent")
	var last uint64
	for i, d := range got {
		assert.Equal(t, want[i], d.msg.Event.ID, "delivery %d", i)
		assert.Equal(t, "ResourceCreated", d.typ)
		assert.Equal(t, d.id, d.msg.EventID)
		assert.True(t, notify.Verify(secret, d.body, d.sig), "delivery %d: signature %q", i, d.sig)
		assert.False(t, notify.Verify("another secret", d.body, d.sig))
		var n uint64
		fmt.Sscan(d.id, &n)
		assert.Greater(t, n, last, "ids grow with the order of the changes")
		last = n
		_, err := time.Parse(time.RFC3339Nano, d.msg.EventTime)
		assert.NoError(t, err)
	}
	waitFor(t, "the status", func() bool { _, st, _ := e.hub.Lookup(sub.ID); return st.Delivered == 20 })
}

func TestRetryThenDeliver(t *testing.T) {
	e := newEnv(t, "127.0.0.1")
	fails := map[string]int{}
	var mu sync.Mutex
	rcv := newReceiver(t, func(d delivery) int {
		mu.Lock()
		defer mu.Unlock()
		if fails[d.id] < 2 {
			fails[d.id]++
			return 500
		}
		return 200
	})
	_, _, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL})
	require.NoError(t, err)
	a := e.create("/oslc/resources/a", "a")
	b := e.create("/oslc/resources/b", "b")
	waitFor(t, "6 attempts", func() bool { return len(rcv.deliveries()) >= 6 })
	got := rcv.deliveries()
	require.Len(t, got, 6)
	// Each event three times, the second only after the first got
	// through: the order holds across retries.
	for i, d := range got {
		wantRes := a
		if i >= 3 {
			wantRes = b
		}
		assert.Equal(t, wantRes.String(), d.msg.Event.ID, "attempt %d", i)
		assert.Equal(t, got[i/3*3].id, d.id, "a retry has the event's id")
		assert.Equal(t, fmt.Sprint(i%3+1), d.attempt)
	}
}

func TestDeadLetter(t *testing.T) {
	e := newEnv(t, "127.0.0.1")
	rcv := newReceiver(t, func(d delivery) int {
		if d.msg.Event.ID == iri("/oslc/resources/bad").String() {
			return 500
		}
		return 200
	})
	sub, _, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL})
	require.NoError(t, err)
	e.create("/oslc/resources/bad", "refused")
	e.create("/oslc/resources/good", "taken")
	waitFor(t, "the good one", func() bool {
		for _, d := range rcv.deliveries() {
			if d.msg.Event.ID == iri("/oslc/resources/good").String() {
				return true
			}
		}
		return false
	})
	got := rcv.deliveries()
	require.Len(t, got, 4, "3 attempts, then the next event")
	var st notify.Status
	waitFor(t, "the delivery counted", func() bool {
		_, st, _ = e.hub.Lookup(sub.ID)
		return st.Delivered == 1
	})
	assert.Equal(t, int64(1), st.DeadLettered)
	assert.Equal(t, []string{got[0].id}, st.DeadLetters)
	assert.Contains(t, st.LastError, "500")
	assert.Equal(t, int64(1), st.Delivered)

	// The status is stored: a restarted hub shows it as the closed one
	// left it (the cursor may have passed more entries meanwhile).
	e.hub.Close()
	_, st, ok := e.hub.Lookup(sub.ID)
	require.True(t, ok)
	e.start()
	_, st2, ok := e.hub.Lookup(sub.ID)
	require.True(t, ok)
	assert.Equal(t, st.DeadLetters, st2.DeadLetters)
	assert.GreaterOrEqual(t, st2.Cursor, st.Cursor, "the restarted hub goes on from where the closed one stopped")
}

func TestAllowList(t *testing.T) {
	e := newEnv(t, "")
	rcv := newReceiver(t, nil)
	// The default list refuses loopback.
	_, _, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL})
	require.ErrorIs(t, err, notify.ErrCallback)
	_, _, err = e.hub.Subscribe(context.Background(), notify.Listener{Callback: "ftp://example.org/x"})
	require.ErrorIs(t, err, notify.ErrCallback)
	assert.Empty(t, e.hub.Subscriptions())

	// At dial time: a callback allowed when registered that redirects
	// where the list does not allow is refused, and dead-lettered at
	// once, without retries.
	e2 := newEnv(t, "127.0.0.1:"+portOf(t, rcv.URL))
	other := newReceiver(t, nil)
	redirect := httptest.NewServer(http.RedirectHandler(other.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	_, _, err = e2.hub.Subscribe(context.Background(), notify.Listener{Callback: redirect.URL})
	require.ErrorIs(t, err, notify.ErrCallback, "the redirector's port is not listed")
	e3 := newEnv(t, "127.0.0.1:"+portOf(t, redirect.URL))
	sub, _, err := e3.hub.Subscribe(context.Background(), notify.Listener{Callback: redirect.URL})
	require.NoError(t, err)
	e3.create("/oslc/resources/x", "x")
	waitFor(t, "a dead letter", func() bool { _, st, _ := e3.hub.Lookup(sub.ID); return st.DeadLettered == 1 })
	_, st, _ := e3.hub.Lookup(sub.ID)
	assert.Contains(t, st.LastError, "allow-list")
	assert.Empty(t, other.deliveries())
}

func portOf(t *testing.T, u string) string {
	var host, port string
	_, err := fmt.Sscanf(u, "http://%s", &host)
	require.NoError(t, err)
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			port = host[i+1:]
			break
		}
	}
	return port
}

func TestFilterWhereAndTypes(t *testing.T) {
	e := newEnv(t, "127.0.0.1")
	rcv := newReceiver(t, nil)
	_, _, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL,
		Filter: filter(t, `dcterms:title="web01"`, "ResourceCreated", "ResourceDeleted")})
	require.NoError(t, err)
	e.create("/oslc/resources/db01", "db01")
	web := e.create("/oslc/resources/web01", "web01")
	_, err = e.db.Replace(context.Background(), web, []rdf.Triple{{Subj: web, Pred: vocab.DCTitle, Obj: lit("web01")}}, "")
	require.NoError(t, err)
	e.create("/oslc/resources/last", "web01")
	waitFor(t, "2 deliveries", func() bool { return len(rcv.deliveries()) >= 2 })
	time.Sleep(50 * time.Millisecond)
	got := rcv.deliveries()
	require.Len(t, got, 2, "db01 fails the where, the change is not a wanted type")
	assert.Equal(t, web.String(), got[0].msg.Event.ID)
	assert.Equal(t, "created", got[0].msg.Change)
}

func TestEventTypes(t *testing.T) {
	e := newEnv(t, "127.0.0.1")
	rcv := newReceiver(t, nil)
	_, _, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL})
	require.NoError(t, err)
	ctx := context.Background()
	job := e.create("/oslc/jobs/j1", "cpu job", rdf.Triple{Subj: iri("/oslc/jobs/j1"), Pred: vocab.RDFType, Obj: vocab.PMJJob})
	pmj := vocab.PMJTerm
	tr := iri("/oslc/tracking/t1")
	e.create("/oslc/tracking/t1", "state", rdf.Triple{Subj: tr, Pred: pmj("producedBy"), Obj: job},
		rdf.Triple{Subj: tr, Pred: pmj("event"), Obj: pmj("StateChanged")},
		rdf.Triple{Subj: tr, Pred: pmj("fromState"), Obj: pmj("Scheduled")},
		rdf.Triple{Subj: tr, Pred: pmj("toState"), Obj: pmj("InProgress")},
		rdf.Triple{Subj: tr, Pred: vocab.DCDate, Obj: rdf.NewTypedLiteral("2026-11-01T10:00:00+01:00", vocab.XSDDateTime)})
	n := iri("/oslc/notifications/n1")
	e.create("/oslc/notifications/n1", "ready", rdf.Triple{Subj: n, Pred: pmj("producedBy"), Obj: job},
		rdf.Triple{Subj: n, Pred: pmj("event"), Obj: pmj("FilesReady")},
		rdf.Triple{Subj: n, Pred: pmj("report"), Obj: iri("/oslc/reports/r1")})
	n2 := iri("/oslc/notifications/n2")
	e.create("/oslc/notifications/n2", "error", rdf.Triple{Subj: n2, Pred: pmj("producedBy"), Obj: job},
		rdf.Triple{Subj: n2, Pred: pmj("event"), Obj: pmj("PreparationError")})
	alarm := iri("/oslc/alarms/a1")
	host := iri("/oslc/resources/host")
	alarmGraph := func(state string, cleared bool) []rdf.Triple {
		g := []rdf.Triple{
			{Subj: alarm, Pred: vocab.RDFType, Obj: pmj("Alarm")},
			{Subj: alarm, Pred: pmj("threshold"), Obj: iri("/oslc/thresholds/t1")},
			{Subj: alarm, Pred: pmj("alarmedObject"), Obj: host},
			{Subj: alarm, Pred: pmj("metric"), Obj: vocab.IRI(vocab.PM, "CpuUsed")},
			{Subj: alarm, Pred: pmj("perceivedSeverity"), Obj: pmj("Critical")},
			{Subj: alarm, Pred: pmj("alarmState"), Obj: pmj(state)},
			{Subj: alarm, Pred: pmj("alarmRaisedTime"), Obj: rdf.NewTypedLiteral("2026-11-01T10:00:00Z", vocab.XSDDateTime)},
		}
		if cleared {
			g = append(g, rdf.Triple{Subj: alarm, Pred: pmj("alarmClearedTime"), Obj: rdf.NewTypedLiteral("2026-11-01T10:05:00Z", vocab.XSDDateTime)})
		}
		return g
	}
	_, err = e.db.Create(ctx, alarm, alarmGraph("Raised", false))
	require.NoError(t, err)
	waitFor(t, "the alarm", func() bool { return len(rcv.deliveries()) >= 5 })
	_, err = e.db.Replace(ctx, alarm, alarmGraph("Cleared", true), "")
	require.NoError(t, err)
	require.NoError(t, e.db.Delete(ctx, job, ""))
	waitFor(t, "8 events", func() bool { return len(rcv.deliveries()) >= 7 })
	got := rcv.deliveries()
	var types []string
	for _, d := range got {
		types = append(types, d.typ)
	}
	assert.Equal(t, []string{"JobCreated", "JobStateChanged", "ReportReady", "PreparationError", "ThresholdCrossed", "ThresholdCleared", "JobDeleted"}, types)
	assert.Equal(t, job.String(), got[1].msg.Event.ID, "a state change is about the job")
	assert.Equal(t, "2026-11-01T10:00:00+01:00", got[1].msg.EventTime, "with the tracking record's time and offset")
	assert.Equal(t, pmj("InProgress").String(), got[1].msg.Data["toState"])
	assert.Equal(t, iri("/oslc/reports/r1").String(), got[2].msg.Data["report"])
	assert.Equal(t, host.String(), got[4].msg.Event.ID, "an alarm event is about the alarmed resource")
	assert.Equal(t, "critical", got[4].msg.Data["severity"])
	assert.Equal(t, "2026-11-01T10:05:00Z", got[5].msg.EventTime)
}

func TestResumeAfterRestart(t *testing.T) {
	e := newEnv(t, "127.0.0.1")
	rcv := newReceiver(t, nil)
	_, _, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL})
	require.NoError(t, err)
	e.create("/oslc/resources/a", "a")
	waitFor(t, "a", func() bool { return len(rcv.deliveries()) == 1 })
	e.hub.Close()
	e.create("/oslc/resources/b", "b")
	e.create("/oslc/resources/c", "c")
	e.start()
	waitFor(t, "b and c", func() bool { return len(rcv.deliveries()) >= 3 })
	time.Sleep(30 * time.Millisecond)
	got := rcv.deliveries()
	require.Len(t, got, 3, "none sent twice after a clean stop")
	assert.Equal(t, iri("/oslc/resources/c").String(), got[2].msg.Event.ID)
}

func TestUnsubscribe(t *testing.T) {
	e := newEnv(t, "127.0.0.1")
	rcv := newReceiver(t, nil)
	sub, _, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL})
	require.NoError(t, err)
	require.NoError(t, e.hub.Unsubscribe(context.Background(), sub.ID))
	require.ErrorIs(t, e.hub.Unsubscribe(context.Background(), sub.ID), notify.ErrNotFound)
	e.create("/oslc/resources/a", "a")
	time.Sleep(30 * time.Millisecond)
	assert.Empty(t, rcv.deliveries())
	_, _, err = e.db.Get(context.Background(), sub.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
	e.hub.Close()
	e.start()
	assert.Empty(t, e.hub.Subscriptions())
}
