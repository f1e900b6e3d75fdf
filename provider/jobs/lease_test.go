package jobs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// counting is a Store that counts the writes of every record, so that a
// period written twice shows even though its records' IRIs are the same.
type counting struct {
	Store
	mu     sync.Mutex
	writes map[string]int
}

func (c *counting) Load(ctx context.Context, rs []store.Resource) error {
	c.mu.Lock()
	for _, r := range rs {
		if strings.HasPrefix(r.ID.String(), base+"/oslc/records/") {
			c.writes[r.ID.String()]++
		}
	}
	c.mu.Unlock()
	return c.Store.Load(ctx, rs)
}

// leased returns an engine named instance sharing st's jobs by leases.
func (v *env) leased(st Store, instance string) *Engine {
	e, err := New(Config{Store: st, Base: base, Now: v.clk.now, Collectors: []collect.Collector{v.synth},
		RetryBudget: 20 * time.Millisecond, Lease: 5 * time.Second, Instance: instance})
	require.NoError(v.t, err)
	require.NoError(v.t, e.Load(context.Background()))
	return e
}

// TestLeaseTakeover: two engines share one store; the owner of a job
// stops (renews nothing, writes nothing) and the other takes the job over
// within one granularity period, records the periods between as missed,
// and no period is written twice, not even when the stale owner wakes up
// believing it still holds the job.
func TestLeaseTakeover(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	st := &counting{Store: boltsource.New(v.db), writes: make(map[string]int)}
	a, b := v.leased(st, "a"), v.leased(st, "b")
	v.e = a
	res := v.resource("h1")
	job, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}}) // every 10 s
	require.NoError(t, err)
	step := func(t time.Time, es ...*Engine) {
		v.clk.set(t)
		for _, e := range es {
			require.NoError(v.t, e.share(ctx, t))
			e.Tick(ctx, t)
		}
	}
	// a runs the job: periods ending :10, :20, :30; b only watches.
	now := start
	for ; now.Before(start.Add(33 * time.Second)); now = now.Add(time.Second) {
		step(now, a, b)
	}
	assert.True(t, a.Known(job))
	assert.False(t, b.Known(job), "b must not run a job a holds")
	died := now
	// a dies at 10:00:36.
	var took time.Time
	for ; now.Before(start.Add(80 * time.Second)); now = now.Add(time.Second) {
		step(now, b)
		if took.IsZero() && b.Known(job) {
			took = now
		}
	}
	require.False(t, took.IsZero(), "b never took the job over")
	assert.LessOrEqual(t, took.Sub(died), 10*time.Second, "takeover within one granularity period")

	// a wakes up believing it holds the lease: its claim of the next
	// period fails, and it writes nothing and drops the job.
	ra := a.runs[job]
	require.NotNil(t, ra)
	ra.lease.expires = now.Add(time.Hour)
	before := len(v.records(job))
	a.Tick(ctx, now)
	assert.False(t, a.Known(job), "the stale owner drops the job")
	assert.Len(t, v.records(job), before, "the stale owner wrote records")

	for id, n := range st.writes {
		assert.Equal(t, 1, n, "record %s written %d times", id, n)
	}
	// Every period ending :20 to 1:20 (the first started before the job) is either collected (one record,
	// the job watches one resource) or recorded missed, and the missed
	// ones lie between a's death and b's takeover.
	collected := map[string]bool{}
	for _, r := range v.records(job) {
		collected[v.values(r, vocab.DCDate)[0]] = true
	}
	missed := map[string]bool{}
	for _, tr := range v.tracking(job, "PeriodsMissed") {
		for _, m := range v.values(tr, pmjMissed) {
			ts, err := time.Parse(time.RFC3339, m)
			require.NoError(t, err)
			missed[ts.Add(10*time.Second).UTC().Format(time.RFC3339)] = true // by its end
			assert.True(t, !ts.Add(10*time.Second).Before(died.Truncate(10*time.Second)) && ts.Before(took), "missed period starting %s outside the takeover window", m)
		}
	}
	for end := start.Truncate(10 * time.Second).Add(20 * time.Second); end.Before(start.Add(80 * time.Second)); end = end.Add(10 * time.Second) {
		k := end.Format(time.RFC3339)
		assert.True(t, collected[k] != missed[k], "period ending %s: collected %v, missed %v", k, collected[k], missed[k])
	}
	t.Logf("died %s, taken over %s, missed %v", died.Format(time.TimeOnly), took.Format(time.TimeOnly), missed)
	assert.NotEmpty(t, missed, "the takeover window's periods are recorded missed")
}
