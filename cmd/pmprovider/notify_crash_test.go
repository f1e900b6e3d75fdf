package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/store"
)

// TestKill9Subscriber kills the provider with SIGKILL while clients
// write records and a subscriber receives their events (refusing every
// seventh delivery, which is retried), restarts it, and checks what the
// subscriber got against the change log: every event committed before
// the kill (and after) is delivered, acknowledged writes included; each
// delivery is signed; a duplicate is only a re-sending of the same event
// id, first deliveries come in order, and no event is invented.
func TestKill9Subscriber(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary, for about 10 s")
	}
	dir := t.TempDir()
	c := &crashEnv{t: t, bin: filepath.Join(dir, "pmprovider"), data: filepath.Join(dir, "data"),
		extra: []string{"--collect-allow", "127.0.0.1", "--notify-retry", "20ms"}}
	build := exec.Command("go", "build", "-o", c.bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c.addr = l.Addr().String()
	l.Close()
	defer func() {
		if c.cmd != nil && c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
		}
		if t.Failed() {
			for i, l := range c.logs {
				t.Logf("log of run %d:\n%s", i+1, l)
			}
		}
	}()

	// The subscriber.
	type got struct {
		id, resource string
		acked        bool
	}
	var (
		rmu      sync.Mutex
		received []got
		badSig   int
		secret   string
		n        int
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m notify.Message
		json.Unmarshal(b, &m)
		rmu.Lock()
		defer rmu.Unlock()
		if !notify.Verify(secret, b, r.Header.Get(notify.SignatureHeader)) {
			badSig++
		}
		n++
		ok := n%7 != 0
		received = append(received, got{id: m.EventID, resource: m.Event.ID, acked: ok})
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	c.start()
	body := fmt.Sprintf(`{"callback": %q, "query": "eventType=ResourceCreated"}`, rcv.URL)
	rmu.Lock()
	resp, err := http.Post(c.base()+"/oslc/subscriptions", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	var sub struct{ Href, Secret string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&sub))
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)
	secret = sub.Secret
	rmu.Unlock()
	require.Len(t, secret, 64)

	host := c.mustPost("/oslc/resources", crashPrefixes+`<> a crtv:ComputerSystem ; dcterms:title "web01" ; crtv:fqdn "web01.example.org" .`)
	ws := c.startWriters(3, func(int) string { return host })
	time.Sleep(1500 * time.Millisecond)
	c.stop(syscall.SIGKILL)
	ackedBeforeKill := ws.ackedSoFar()
	c.start()
	time.Sleep(time.Second)
	want, _ := ws.stop()

	// Wait until every acknowledged write's event got through.
	deadline := time.Now().Add(20 * time.Second)
	for {
		rmu.Lock()
		have := map[string]bool{}
		for _, g := range received {
			if g.acked {
				have[g.resource] = true
			}
		}
		rmu.Unlock()
		missing := 0
		for _, loc := range want {
			if !have[loc] {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "%d of %d acknowledged writes never reached the subscriber", missing, len(want))
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // whatever else is on its way
	c.stop(syscall.SIGTERM)

	// The change log, against what the subscriber got.
	ctx := context.Background()
	db, err := store.Open(filepath.Join(c.data, "pm.db"), storeOptions(store.Options{Timeout: 5 * time.Second}))
	require.NoError(t, err)
	defer db.Close()
	type change struct {
		kind store.ChangeKind
		id   string
	}
	log := map[string]change{}
	var subOrder uint64
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		return sn.ChangesAfter(ctx, 0, func(ch store.Change) bool {
			log[strconv.FormatUint(ch.Order, 10)] = change{ch.Kind, ch.ID.String()}
			if ch.ID.String() == sub.Href {
				subOrder = ch.Order
			}
			return true
		})
	}))
	require.NotZero(t, subOrder)

	rmu.Lock()
	defer rmu.Unlock()
	assert.Zero(t, badSig, "deliveries with a bad signature")
	firstAck := map[string]int{}
	resends := 0
	var last uint64
	for i, g := range received {
		ch, ok := log[g.id]
		if !assert.True(t, ok, "event %s is in no change log entry: invented", g.id) {
			continue
		}
		assert.Equal(t, store.Created, ch.kind, "event %s", g.id)
		assert.Equal(t, ch.id, g.resource, "event %s names the resource of its change", g.id)
		if _, seen := firstAck[g.id]; seen {
			resends++ // at least once: the same id again
			continue
		}
		if g.acked {
			firstAck[g.id] = i
			o, _ := strconv.ParseUint(g.id, 10, 64)
			assert.Greater(t, o, last, "first deliveries come in order")
			last = o
		}
	}
	// Every record created after the subscription was delivered, whether
	// its write was acknowledged or cut short by the kill.
	for order, ch := range log {
		o, _ := strconv.ParseUint(order, 10, 64)
		if o > subOrder && ch.kind == store.Created && strings.HasPrefix(ch.id, c.base()+"/oslc/records/") {
			_, ok := firstAck[order]
			assert.True(t, ok, "event %s (%s) was committed and never delivered", order, ch.id)
		}
	}
	assert.Greater(t, ackedBeforeKill, 0)
	t.Logf("%d acknowledged writes (%d before the kill); %d deliveries, %d events, %d re-sent after being acknowledged",
		len(want), ackedBeforeKill, len(received), len(firstAck), resends)
}
