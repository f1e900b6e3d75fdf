package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/vocab"
)

// BenchmarkDeliveryLatency measures webhook delivery latency, from the
// return of a record's write to its event's arrival at the receiver, with
// the default poll interval, at 200 writes a second. It reports the 50th
// and 99th percentiles, and the 99th of the writes themselves.
func BenchmarkDeliveryLatency(b *testing.B) {
	e := newEnv(&testing.T{}, "127.0.0.1")
	e.hub.Close()
	e.cfg.Poll = notify.DefaultPoll
	e.start()
	var (
		mu      sync.Mutex
		written = map[string]time.Time{}
		lat     []time.Duration
		writes  []time.Duration
	)
	done := make(chan struct{}, b.N)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var m notify.Message
		json.NewDecoder(r.Body).Decode(&m)
		w.WriteHeader(http.StatusNoContent)
		mu.Lock()
		defer mu.Unlock()
		lat = append(lat, now.Sub(written[m.Event.ID]))
		done <- struct{}{}
	}))
	defer rcv.Close()
	_, _, err := e.hub.Subscribe(context.Background(), notify.Listener{Callback: rcv.URL})
	require.NoError(b, err)
	ctx := context.Background()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		<-tick.C
		id := iri(fmt.Sprintf("/oslc/records/b%d", i))
		// Held over the write, so that the receiver reads the time
		// after it is set.
		mu.Lock()
		start := time.Now()
		_, err := e.db.Create(ctx, id, []rdf.Triple{{Subj: id, Pred: vocab.DCTitle, Obj: lit("r")}})
		written[id.String()] = time.Now()
		writes = append(writes, time.Since(start))
		mu.Unlock()
		require.NoError(b, err)
	}
	for i := 0; i < b.N; i++ {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.Fatalf("%d of %d events arrived", i, b.N)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	// The write's own latency, for scale: a delivery waits for others.
	slices.Sort(writes)
	b.ReportMetric(float64(writes[len(writes)*99/100].Microseconds())/1000, "write-p99-ms")
}
