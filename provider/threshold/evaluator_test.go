package threshold

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const base = "http://pm.test"

var (
	host  = mustIRI(base + "/oslc/resources/host1")
	thrID = mustIRI(base + "/oslc/thresholds/cpu90")
	cpu   = vocab.IRI(vocab.PM, "CpuUsed")
	t0    = time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	lit   = func(s string, dt rdf.IRI) rdf.Literal { return rdf.NewTypedLiteral(s, dt) }
)

// clock is an injected clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func thresholdGraph(id rdf.IRI, value, offset float64, dir rdf.IRI, objects ...rdf.IRI) []rdf.Triple {
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: Class},
		{Subj: id, Pred: pIndicator, Obj: cpu},
		{Subj: id, Pred: pValue, Obj: number(value)},
		{Subj: id, Pred: pOffset, Obj: number(offset)},
		{Subj: id, Pred: pDirection, Obj: dir},
	}
	for _, o := range objects {
		g = append(g, rdf.Triple{Subj: id, Pred: pObject, Obj: o})
	}
	return g
}

// recordGraph is a record about res at time at with a CPU value.
func recordGraph(n int, res rdf.IRI, at time.Time, v float64) store.Resource {
	id := mustIRI(fmt.Sprintf("%s/oslc/records/r%d", base, n))
	m := mustIRI(id.String() + "#m1")
	return store.Resource{ID: id, Triples: []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: vocab.PMRecord},
		{Subj: id, Pred: vocab.DCIsPartOf, Obj: res},
		{Subj: id, Pred: vocab.DCDate, Obj: lit(at.Format(time.RFC3339), vocab.XSDDateTime)},
		{Subj: id, Pred: vocab.EMSObserves, Obj: m},
		{Subj: m, Pred: vocab.EMSMetric, Obj: cpu},
		{Subj: m, Pred: vocab.EMSNumericValue, Obj: number(v)},
	}}
}

type env struct {
	t    *testing.T
	path string
	db   *store.DB
	e    *Evaluator
	st   Store
	c    *clock
}

func open(t *testing.T, path string, c *clock) *env {
	t.Helper()
	db, err := store.Open(path, nil)
	require.NoError(t, err)
	e := New(Config{Store: boltsource.New(db), Base: base, Now: c.now})
	require.NoError(t, e.Load(context.Background()))
	return &env{t: t, path: path, db: db, e: e, st: e.Store(), c: c}
}

func (v *env) close() { require.NoError(v.t, v.db.Close()) }

// alarms returns the alarm resources, by IRI.
func (v *env) alarms() map[string][]rdf.Triple {
	out := make(map[string][]rdf.Triple)
	ctx := context.Background()
	var ids []rdf.IRI
	require.NoError(v.t, v.st.Resources(ctx, mustIRI(base+"/oslc/alarms/"), func(id rdf.IRI) bool {
		if !strings.HasPrefix(id.String(), base+"/oslc/alarms/") {
			return false
		}
		ids = append(ids, id)
		return true
	}))
	for _, id := range ids {
		g, _, err := v.st.Get(ctx, id)
		require.NoError(v.t, err)
		out[id.String()] = g
	}
	return out
}

func value(g []rdf.Triple, p rdf.IRI) string {
	for _, t := range g {
		if t.Pred == p {
			return t.Obj.String()
		}
	}
	return ""
}

// TestRestartBetweenRecords writes the walk-through's records through
// each write path, closing and reopening the store between them: the
// alarm is raised once, survives the restart, and is cleared once.
func TestRestartBetweenRecords(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pm.db")
	c := &clock{t: t0}
	v := open(t, path, c)
	_, err := v.st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host))
	require.NoError(t, err)

	r1 := recordGraph(1, host, t0, 85)
	_, err = v.st.Create(ctx, r1.ID, r1.Triples)
	require.NoError(t, err)
	assert.Empty(t, v.alarms())
	r2 := recordGraph(2, host, t0.Add(time.Minute), 95)
	require.NoError(t, v.st.(interface {
		Stage(context.Context, []store.Resource) error
	}).Stage(ctx, []store.Resource{r2}))
	as := v.alarms()
	require.Len(t, as, 1, "95 raises")
	v.close()

	// A restart: the state says crossed, so 95 again raises nothing.
	v = open(t, path, c)
	r3 := recordGraph(3, host, t0.Add(2*time.Minute), 95)
	require.NoError(t, v.st.Load(ctx, []store.Resource{r3}))
	r4 := recordGraph(4, host, t0.Add(3*time.Minute), 85)
	_, err = v.st.Create(ctx, r4.ID, r4.Triples)
	require.NoError(t, err)
	as = v.alarms()
	require.Len(t, as, 1, "no second alarm after the restart")
	for _, g := range as {
		assert.Equal(t, Raised.String(), value(g, pAlarmState))
	}
	v.close()

	v = open(t, path, c)
	defer v.close()
	r5 := recordGraph(5, host, t0.Add(4*time.Minute), 79)
	_, err = v.st.Create(ctx, r5.ID, r5.Triples)
	require.NoError(t, err)
	as = v.alarms()
	require.Len(t, as, 1)
	for _, g := range as {
		assert.Equal(t, Cleared.String(), value(g, pAlarmState), "79 clears")
		assert.Equal(t, r2.ID.String(), value(g, pRaisedBy))
		assert.Equal(t, r5.ID.String(), value(g, pClearedBy))
		assert.Equal(t, "95", value(g, pObserved))
		assert.Equal(t, "79", value(g, pClearedValue))
		assert.Equal(t, "2026-12-01T10:01:00+01:00", value(g, pRaisedTime), "the record's own time, with its offset")
		assert.Equal(t, "2026-12-01T10:04:00+01:00", value(g, pClearedTime))
	}
	ev, cr := v.e.Stats()
	assert.Equal(t, uint64(1), ev)
	assert.Equal(t, uint64(1), cr)
}

// failing fails its next write.
type failing struct {
	Store
	fail bool
}

func (f *failing) Load(ctx context.Context, rs []store.Resource) error {
	if f.fail {
		f.fail = false
		return errors.New("disk full")
	}
	return f.Store.Load(ctx, rs)
}

// TestFailedWriteKeepsState: a crossing whose write failed is not taken
// as made; written again, it raises its alarm.
func TestFailedWriteKeepsState(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), nil)
	require.NoError(t, err)
	defer db.Close()
	f := &failing{Store: boltsource.New(db)}
	e := New(Config{Store: f, Base: base, Now: (&clock{t0}).now})
	require.NoError(t, e.Load(ctx))
	st := e.Store()
	_, err = st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host))
	require.NoError(t, err)
	r := recordGraph(1, host, t0, 95)
	f.fail = true
	require.Error(t, st.Load(ctx, []store.Resource{r}))
	require.NoError(t, st.Load(ctx, []store.Resource{r}))
	var n int
	require.NoError(t, st.View(ctx, func(src query.Source) error {
		return src.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
			if strings.HasPrefix(id.String(), base+"/oslc/alarms/") {
				n++
			}
			return true
		})
	}))
	assert.Equal(t, 1, n)
}

// TestThresholdCache: thresholds created, replaced and deleted through
// the store take effect at the next record.
func TestThresholdCache(t *testing.T) {
	ctx := context.Background()
	v := open(t, filepath.Join(t.TempDir(), "pm.db"), &clock{t0})
	defer v.close()
	n := 0
	write := func(x float64) {
		n++
		r := recordGraph(n, host, t0.Add(time.Duration(n)*time.Minute), x)
		require.NoError(t, v.st.Load(ctx, []store.Resource{r}))
	}
	write(95) // no threshold yet
	_, err := v.st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host))
	require.NoError(t, err)
	write(95)
	require.Len(t, v.alarms(), 1)
	_, err = v.st.Replace(ctx, thrID, thresholdGraph(thrID, 99, 50, RisingIRI, host), "")
	require.NoError(t, err)
	write(60) // cleared at 99-50=49 only
	for _, g := range v.alarms() {
		assert.Equal(t, Raised.String(), value(g, pAlarmState))
	}
	require.NoError(t, v.st.Delete(ctx, thrID, ""))
	for _, g := range v.alarms() {
		assert.Equal(t, Cleared.String(), value(g, pAlarmState), "a deleted threshold's alarms are cleared")
		assert.Equal(t, orphanClearer, value(g, pClearUser))
	}
	_, err = v.st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, FallingIRI, host))
	require.NoError(t, err)
	write(10)
	assert.Len(t, v.alarms(), 2, "a threshold made again at the same IRI starts armed")
}

// TestAcknowledgeAndClear by hand record who and when; a threshold still
// crossed raises nothing new until it has cleared.
func TestAcknowledgeAndClear(t *testing.T) {
	ctx := context.Background()
	c := &clock{t0}
	v := open(t, filepath.Join(t.TempDir(), "pm.db"), c)
	defer v.close()
	_, err := v.st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host))
	require.NoError(t, err)
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(1, host, t0, 95)}))
	var id rdf.IRI
	for s := range v.alarms() {
		id = mustIRI(s)
	}
	c.t = t0.Add(time.Hour)
	g, _, err := v.e.Acknowledge(ctx, id, "", "alice")
	require.NoError(t, err)
	assert.Equal(t, "alice", value(g, pAckUser))
	assert.Equal(t, acknowledged.String(), value(g, pAckState))
	assert.Equal(t, "2026-12-01T10:00:00Z", value(g, pAckTime))
	g, _, err = v.e.Clear(ctx, id, "", "bob")
	require.NoError(t, err)
	assert.Equal(t, "bob", value(g, pClearUser))
	assert.Equal(t, Cleared.String(), value(g, pAlarmState))
	_, _, err = v.e.Clear(ctx, id, "", "bob")
	assert.ErrorIs(t, err, ErrAlarmCleared)
	_, _, err = v.e.Clear(ctx, thrID, "", "bob")
	assert.ErrorIs(t, err, ErrNotAlarm)
	// Still above: no new alarm; and the value clearing writes nothing
	// to the alarm cleared by hand.
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(2, host, t0.Add(time.Minute), 96)}))
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(3, host, t0.Add(2*time.Minute), 70)}))
	as := v.alarms()
	require.Len(t, as, 1)
	assert.Equal(t, "bob", value(as[id.String()], pClearUser))
	assert.Empty(t, value(as[id.String()], pClearedBy))
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(4, host, t0.Add(3*time.Minute), 91)}))
	assert.Len(t, v.alarms(), 2, "crossed again after clearing")
}

// TestParse refuses STRING-typed measures, naming them.
func TestParse(t *testing.T) {
	id := thrID
	cases := []struct {
		name string
		g    []rdf.Triple
		want string
	}{
		{"string measure", append(thresholdGraph(id, 1, 0, RisingIRI, host)[:1],
			rdf.Triple{Subj: id, Pred: pIndicator, Obj: vocab.PMAvailabilityStatus},
			rdf.Triple{Subj: id, Pred: pValue, Obj: number(1)},
			rdf.Triple{Subj: id, Pred: pObject, Obj: host}), "pm:availabilityStatus is a STRING-typed measure"},
		{"category", append(thresholdGraph(id, 1, 0, RisingIRI, host)[:1],
			rdf.Triple{Subj: id, Pred: pIndicator, Obj: vocab.IRI(vocab.PM, "MemoryMetrics")},
			rdf.Triple{Subj: id, Pred: pValue, Obj: number(1)},
			rdf.Triple{Subj: id, Pred: pObject, Obj: host}), "is not a pm metric"},
		{"no objects", thresholdGraph(id, 1, 0, RisingIRI), "needs monitored objects"},
		{"negative offset", thresholdGraph(id, 1, -1, RisingIRI, host), "must be zero or more"},
		{"both without offset", thresholdGraph(id, 1, 0, BothIRI, host), "needs an offset above zero"},
		{"bad direction", thresholdGraph(id, 1, 0, vocab.PMJTerm("Sideways"), host), "pmj:thresholdDirection"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(id, c.g)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	th, err := Parse(id, thresholdGraph(id, 90, 10, FallingIRI, host))
	require.NoError(t, err)
	assert.Equal(t, Spec{Falling, 90, 10}, th.Spec)
	assert.Equal(t, DefaultSeverity, th.Severity)
}

// TestAdhocRecordsNotEvaluated: the records of an ad-hoc collection
// aggregate records already evaluated; evaluating them again would raise
// alarms from the past.
func TestAdhocRecordsNotEvaluated(t *testing.T) {
	ctx := context.Background()
	v := open(t, filepath.Join(t.TempDir(), "pm.db"), &clock{t0})
	defer v.close()
	_, err := v.st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host))
	require.NoError(t, err)
	r := recordGraph(1, host, t0, 99)
	r.Triples = append(r.Triples, rdf.Triple{Subj: r.ID, Pred: pmjProducedBy, Obj: mustIRI(base + "/oslc/adhoc/a1")})
	require.NoError(t, v.st.Load(ctx, []store.Resource{r}))
	assert.Empty(t, v.alarms())
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(2, host, t0, 99)}))
	assert.Len(t, v.alarms(), 1)
}

// TestClearByHandSurvivesRestart: an alarm cleared by hand while its
// threshold stays crossed raises nothing new after a restart; once the
// value has cleared (and another restart), a crossing raises again.
func TestClearByHandSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pm.db")
	c := &clock{t0}
	v := open(t, path, c)
	_, err := v.st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host))
	require.NoError(t, err)
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(1, host, t0, 95)}))
	var id rdf.IRI
	for s := range v.alarms() {
		id = mustIRI(s)
	}
	_, _, err = v.e.Clear(ctx, id, "", "bob")
	require.NoError(t, err)
	v.close()

	v = open(t, path, c)
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(2, host, t0.Add(time.Minute), 97)}))
	require.Len(t, v.alarms(), 1, "still crossed: nothing new")
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(3, host, t0.Add(2*time.Minute), 50)}))
	v.close()

	v = open(t, path, c)
	defer v.close()
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(4, host, t0.Add(3*time.Minute), 91)}))
	as := v.alarms()
	require.Len(t, as, 2, "armed again: a new crossing raises")
	n := 0
	for _, g := range as {
		if value(g, pAlarmState) == Raised.String() {
			n++
			assert.Equal(t, mustIRI(fmt.Sprintf("%s/oslc/records/r4", base)).String(), value(g, pRaisedBy))
		}
	}
	assert.Equal(t, 1, n)
}

// TestIfMatchOnClear: a clear by hand with a stale ETag is refused and
// changes nothing.
func TestIfMatchOnClear(t *testing.T) {
	ctx := context.Background()
	v := open(t, filepath.Join(t.TempDir(), "pm.db"), &clock{t0})
	defer v.close()
	_, err := v.st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host))
	require.NoError(t, err)
	require.NoError(t, v.st.Load(ctx, []store.Resource{recordGraph(1, host, t0, 95)}))
	var id rdf.IRI
	for s := range v.alarms() {
		id = mustIRI(s)
	}
	_, etag, err := v.st.Get(ctx, id)
	require.NoError(t, err)
	_, _, err = v.e.Acknowledge(ctx, id, etag, "alice")
	require.NoError(t, err)
	_, _, err = v.e.Clear(ctx, id, etag, "bob")
	assert.ErrorIs(t, err, store.ErrPreconditionFailed)
	assert.Equal(t, Raised.String(), value(v.alarms()[id.String()], pAlarmState))
}
