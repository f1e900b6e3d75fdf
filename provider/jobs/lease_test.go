package jobs

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
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

// lossy is a Store whose batch writes are lost once it is dead, as those
// of a process killed between a claim and the commit of what it claimed.
type lossy struct {
	Store
	mu   sync.Mutex
	dead bool
}

func (l *lossy) Load(ctx context.Context, rs []store.Resource) error {
	l.mu.Lock()
	dead := l.dead
	l.mu.Unlock()
	if dead {
		return errors.New("the process died before the commit")
	}
	return l.Store.Load(ctx, rs)
}

// TestLeaseClaimNotCommitted: the owner claims a period (its lease's
// compare-and-set succeeds) and dies before the period's records are
// committed. The engine that takes the job over must not take the period
// for written: it records it as missed, as every other period of the
// takeover window, and each period ends either collected or missed.
// (With the progress moved on by the claim itself, as the leases first
// did, the period was neither.)
func TestLeaseClaimNotCommitted(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	la := &lossy{Store: boltsource.New(v.db)}
	a, b := v.leased(la, "a"), v.leased(boltsource.New(v.db), "b")
	v.e = a
	job, err := v.job(map[string][]rdf.Object{"monitoredObject": {v.resource("h1")}, // every 10 s
		"reportingPeriod": {lit("PT30S", vocab.XSD+"duration")}})
	require.NoError(t, err)
	step := func(now time.Time, es ...*Engine) {
		v.clk.set(now)
		for _, e := range es {
			require.NoError(t, e.share(ctx, now))
			e.Tick(ctx, now)
		}
	}
	now := start
	for ; now.Before(start.Add(37 * time.Second)); now = now.Add(time.Second) {
		step(now, a, b)
	}
	require.True(t, a.Known(job))
	require.Len(t, v.records(job), 2, "periods ending :20, :30")
	// At 10:00:40 a claims the period ending then and dies before its
	// records are committed.
	la.mu.Lock()
	la.dead = true
	la.mu.Unlock()
	lost := start.Truncate(10 * time.Second).Add(40 * time.Second)
	for ; !now.After(lost); now = now.Add(time.Second) {
		step(now, a)
	}
	for ; now.Before(start.Add(80 * time.Second)); now = now.Add(time.Second) {
		step(now, b)
	}
	require.True(t, b.Known(job), "b took the job over")

	collected := map[time.Time]bool{}
	for _, r := range v.records(job) {
		end, err := time.Parse(time.RFC3339, v.values(r, vocab.DCDate)[0])
		require.NoError(t, err)
		collected[end.UTC()] = true
	}
	missed := map[time.Time]bool{}
	for _, tr := range v.tracking(job, "PeriodsMissed") {
		for _, m := range v.values(tr, pmjMissed) {
			ts, err := time.Parse(time.RFC3339, m)
			require.NoError(t, err)
			missed[ts.Add(10*time.Second).UTC()] = true // by its end
		}
	}
	assert.False(t, collected[lost], "the claimed period was never committed")
	assert.True(t, missed[lost], "the claimed, uncommitted period is recorded missed")
	for end := start.Truncate(10 * time.Second).Add(20 * time.Second); end.Before(start.Add(80 * time.Second)); end = end.Add(10 * time.Second) {
		assert.True(t, collected[end] != missed[end], "period ending %s: collected %v, missed %v", end.Format(time.TimeOnly), collected[end], missed[end])
	}
	// The report of the window the lost period is in counts it missed,
	// and counts each period of its window once.
	reps := v.reports(job)["2026-11-24T10:01:00Z"]
	require.Len(t, reps, 1)
	assert.Contains(t, v.values(reps[0], pmjMissed), "2026-11-24T10:00:30Z")
	c, m := v.values(reps[0], vocab.PMJTerm("collectedPeriods")), v.values(reps[0], vocab.PMJTerm("missedPeriods"))
	require.Len(t, c, 1)
	require.Len(t, m, 1)
	nc, _ := strconv.Atoi(c[0])
	nm, _ := strconv.Atoi(m[0])
	assert.Equal(t, 3, nc+nm, "the report of 10:00:30-10:01:00 counts %s collected and %s missed periods", c[0], m[0])
	assert.Len(t, v.values(reps[0], pmjRecord), nc, "a record per collected period")
}

// TestLeaseOperationsElsewhere: a client's suspend, resume, update,
// cancel and delete work on an engine that does not run the job: they
// are written to the store, the owner takes them up before its next
// period, and never writes over them.
func TestLeaseOperationsElsewhere(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	a, b := v.leased(boltsource.New(v.db), "a"), v.leased(boltsource.New(v.db), "b")
	v.e = a
	res := v.resource("h1")
	job, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}, "reportingPeriod": {lit("PT1M", vocab.XSD+"duration")}})
	require.NoError(t, err)
	other, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}})
	require.NoError(t, err)
	now := start
	run := func(until time.Duration) {
		for ; now.Before(start.Add(until)); now = now.Add(time.Second) {
			v.clk.set(now)
			for _, e := range []*Engine{a, b} {
				require.NoError(t, e.share(ctx, now))
				e.Tick(ctx, now)
			}
		}
		v.clk.set(now)
	}
	ends := func() []string {
		var out []string
		for _, r := range v.records(job) {
			out = append(out, v.values(r, vocab.DCDate)...)
		}
		sort.Strings(out)
		return out
	}
	admin := func() string { return v.values(job, vocab.PMJTerm("adminState"))[0] }
	run(33 * time.Second)
	require.True(t, a.Known(job))
	require.False(t, b.Known(job))
	assert.Equal(t, []string{"2026-11-24T10:00:20Z", "2026-11-24T10:00:30Z"}, ends())

	// Suspended on b at 10:00:33: a collects nothing more.
	g, _, err := b.Act(ctx, job, Suspend, "tester")
	require.NoError(t, err)
	assert.Contains(t, g, rdf.Triple{Subj: job, Pred: vocab.PMJTerm("adminState"), Obj: vocab.PMJTerm("Locked")})
	run(58 * time.Second)
	assert.Equal(t, vocab.PMJ+"Locked", admin())
	assert.Len(t, ends(), 2, "a collected a suspended job")
	assert.False(t, b.Known(job), "b does not run the job for acting on it")

	// Updated on b (a new title), with the job's ETag.
	g, etag, err := b.st.Get(ctx, job)
	require.NoError(t, err)
	g = stripLinks(job, g)
	for i, tr := range g {
		if tr.Subj == job && tr.Pred == vocab.DCTitle {
			g[i].Obj = lit("renamed", vocab.RDF+"XMLLiteral")
		}
	}
	_, _, err = b.Update(ctx, job, g, etag, "tester")
	require.NoError(t, err)
	_, _, err = b.Update(ctx, job, g, etag, "tester")
	assert.ErrorIs(t, err, store.ErrPreconditionFailed, "an update with a stale ETag")

	// Resumed on b at 10:01:00: a collects from the next boundary on.
	run(60 * time.Second)
	_, _, err = b.Act(ctx, job, Resume, "tester")
	require.NoError(t, err)
	run(93 * time.Second)
	assert.Equal(t, []string{"2026-11-24T10:00:20Z", "2026-11-24T10:00:30Z", "2026-11-24T10:01:20Z", "2026-11-24T10:01:30Z"}, ends())
	ra := a.runs[job]
	require.NotNil(t, ra)
	ra.mu.Lock()
	assert.Equal(t, "renamed", ra.def.Title, "a took the update up")
	ra.mu.Unlock()

	// Suspended on b again; a saves a state of its own before it took
	// that up: the client's change stands, and a takes it up.
	_, _, err = b.Act(ctx, job, Suspend, "tester")
	require.NoError(t, err)
	ra.mu.Lock()
	require.NoError(t, a.saveState(ctx, ra))
	assert.Equal(t, schedule.Locked, ra.job.Status.Admin)
	ra.mu.Unlock()
	assert.Equal(t, vocab.PMJ+"Locked", admin(), "a wrote over b's suspend")

	// Cancelled on b: a closes the report of the window under way.
	_, _, err = b.Act(ctx, job, Cancel, "tester")
	require.NoError(t, err)
	run(100 * time.Second)
	assert.Equal(t, []string{vocab.PMJ + "Cancelled"}, v.values(job, vocab.PMJTerm("executionState")))
	assert.Len(t, v.reports(job)["2026-11-24T10:02:00Z"], 1, "the cancelled job's last report")
	for _, ev := range []string{"SuspendedEvent", "ResumedEvent", "CancelledEvent", "Updated"} {
		want := map[string]int{"SuspendedEvent": 2}[ev]
		if want == 0 {
			want = 1
		}
		assert.Len(t, v.tracking(job, ev), want, "tracking records of %s", ev)
	}

	// Records pushed through b to a push job a runs are checked against
	// the job as stored.
	push, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}, "collector": {vocab.PMJTerm("PushCollector")},
		"performanceIndicator": {vocab.IRI(vocab.PM, "CpuUsed")}})
	require.NoError(t, err)
	require.True(t, a.Known(push))
	rec := vocab.IRI(base+"/oslc/records/", "pushed")
	m := vocab.IRI(rec.String()+"#", "m1")
	pushed := func(metric rdf.IRI) []rdf.Triple {
		return []rdf.Triple{{Subj: rec, Pred: vocab.DCIsPartOf, Obj: res}, {Subj: rec, Pred: vocab.EMSObserves, Obj: m}, {Subj: m, Pred: vocab.EMSMetric, Obj: metric}}
	}
	g, err = b.CheckPush(ctx, push, rec, pushed(vocab.IRI(vocab.PM, "CpuUsed")))
	require.NoError(t, err)
	assert.Contains(t, g, rdf.Triple{Subj: rec, Pred: PushedTo, Obj: push})
	_, err = b.CheckPush(ctx, push, rec, pushed(vocab.IRI(vocab.PM, "RealMemoryUsed")))
	var pe *PushError
	assert.ErrorAs(t, err, &pe, "a metric the job does not measure")
	_, err = b.CheckPush(ctx, job, rec, pushed(vocab.IRI(vocab.PM, "CpuUsed")))
	assert.ErrorAs(t, err, &pe, "a job that is not a push job")

	// Deleted on b: a forgets it, and the job's lease and progress go.
	require.True(t, a.Known(other))
	require.NoError(t, b.Delete(ctx, other, "", "tester"))
	run(103 * time.Second)
	assert.False(t, a.Known(other))
	for _, id := range []rdf.IRI{other, a.leaseID("j2"), a.progressID("j2")} {
		_, _, err := v.db.Get(ctx, id)
		assert.ErrorIs(t, err, store.ErrNotFound, "%s", id)
	}
	_, _, err = b.Act(ctx, other, Resume, "tester")
	assert.ErrorIs(t, err, ErrNoJob)
}

// sharing is a Store that runs engines' share passes right after a job
// or a lease is stored, as concurrent passes could see them.
type sharing struct {
	Store
	under   string // the IRIs whose creation runs the passes
	engines []**Engine
	now     func() time.Time
	errs    []error
	busy    bool
}

func (s *sharing) Create(ctx context.Context, id rdf.IRI, g []rdf.Triple) (string, error) {
	etag, err := s.Store.Create(ctx, id, g)
	if err == nil && !s.busy && strings.HasPrefix(id.String(), base+s.under) {
		s.busy = true
		defer func() { s.busy = false }()
		for _, e := range s.engines {
			if *e != nil {
				s.errs = append(s.errs, (*e).share(ctx, s.now()))
			}
		}
	}
	return etag, err
}

// TestLeaseCreateRacesShare: share passes that run while a job is being
// created, right after its lease or itself is stored, leave it to the
// creation: the
// creating engine's own pass does not take it up (which took the lease
// as this engine's own again, and so made the creation's claim fail),
// nor does another engine's.
func TestLeaseCreateRacesShare(t *testing.T) {
	for _, under := range []string{"/oslc/engine/leases/", "/oslc/jobs/"} {
		t.Run(under, func(t *testing.T) {
			ctx := context.Background()
			start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
			v := newEnv(t, start)
			var a, b *Engine
			st := &sharing{Store: boltsource.New(v.db), under: under, engines: []**Engine{&a, &b}, now: v.clk.now}
			a, b = v.leased(st, "a"), v.leased(boltsource.New(v.db), "b")
			v.e = a
			job, err := v.job(map[string][]rdf.Object{"monitoredObject": {v.resource("h1")}})
			require.NoError(t, err)
			require.NotEmpty(t, st.errs, "the passes ran under the creation")
			for _, err := range st.errs {
				assert.NoError(t, err)
			}
			assert.True(t, a.Known(job))
			assert.False(t, b.Known(job))
			for now := start; now.Before(start.Add(33 * time.Second)); now = now.Add(time.Second) {
				v.clk.set(now)
				for _, e := range []*Engine{a, b} {
					require.NoError(t, e.share(ctx, now))
					e.Tick(ctx, now)
				}
			}
			assert.Len(t, v.records(job), 2, "a runs the job it created: periods ending :20 and :30")
			assert.False(t, b.Known(job))
		})
	}
}
