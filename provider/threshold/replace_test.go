package threshold

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// counting counts the writes that reach the store, failing the next Load
// if fail is set.
type counting struct {
	failing
	loads, replaces int
}

func (c *counting) Load(ctx context.Context, rs []store.Resource) error {
	c.loads++
	return c.failing.Load(ctx, rs)
}

func (c *counting) Replace(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch string) (string, error) {
	c.replaces++
	return c.failing.Replace(ctx, id, g, ifMatch)
}

// TestReplaceClearsUnwatched: a threshold replaced so that it no longer
// watches a resource (or watches another metric, or is locked) clears
// that resource's active alarm, with who and why, in the one write of the
// threshold; the other resources' alarms stay; watched again, the
// resource starts armed.
func TestReplaceClearsUnwatched(t *testing.T) {
	host2 := mustIRI(base + "/oslc/resources/host2")
	withAdmin := func(g []rdf.Triple, state rdf.IRI) []rdf.Triple {
		return append(g, rdf.Triple{Subj: thrID, Pred: pAdmin, Obj: state})
	}
	withMetric := func(g []rdf.Triple, m rdf.IRI) []rdf.Triple {
		out := g[:0:0]
		for _, t := range g {
			if t.Pred == pIndicator {
				t.Obj = m
			}
			out = append(out, t)
		}
		return out
	}
	both := thresholdGraph(thrID, 90, 10, RisingIRI, host, host2)
	tests := []struct {
		name    string
		next    []rdf.Triple
		cleared []rdf.IRI // resources whose alarm is cleared
		reason  string
	}{
		{"host1 no longer watched", thresholdGraph(thrID, 90, 10, RisingIRI, host2), []rdf.IRI{host}, reasonUnwatched},
		{"metric changed", withMetric(both, vocab.IRI(vocab.PM, "RealMemoryUsed")), []rdf.IRI{host, host2}, reasonMetric},
		{"locked", withAdmin(both, locked), []rdf.IRI{host, host2}, reasonLocked},
		{"value changed only", thresholdGraph(thrID, 80, 10, RisingIRI, host, host2), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), nil)
			require.NoError(t, err)
			defer db.Close()
			cs := &counting{failing: failing{Store: boltsource.New(db)}}
			c := &clock{t0}
			e := New(Config{Store: cs, Base: base, Now: c.now})
			require.NoError(t, e.Load(ctx))
			st := e.Store()
			_, err = st.Create(ctx, thrID, both)
			require.NoError(t, err)
			require.NoError(t, st.Load(ctx, []store.Resource{recordGraph(1, host, t0, 95), recordGraph(2, host2, t0, 96)}))
			alarmOf := map[rdf.IRI]rdf.IRI{}
			v := &env{t: t, db: db, st: st}
			for id, g := range v.alarms() {
				alarmOf[objectOf(g, mustIRI(id), pAlarmed)] = mustIRI(id)
			}
			require.Len(t, alarmOf, 2)

			// A stale If-Match changes nothing.
			_, err = e.Replace(ctx, thrID, tt.next, `"stale"`, "carol")
			require.ErrorIs(t, err, store.ErrPreconditionFailed)
			// A failed write changes nothing either.
			cs.fail = tt.cleared != nil
			if cs.fail {
				require.Error(t, func() error { _, err := e.Replace(ctx, thrID, tt.next, "", "carol"); return err }())
				for _, g := range v.alarms() {
					assert.Equal(t, Raised.String(), value(g, pAlarmState))
				}
			}

			c.t = t0.Add(time.Hour)
			cs.loads, cs.replaces = 0, 0
			_, err = e.Replace(ctx, thrID, tt.next, "", "carol")
			require.NoError(t, err)
			if tt.cleared != nil {
				assert.Equal(t, 1, cs.loads+cs.replaces, "the threshold and its alarms in one write")
			}
			g, _, err := st.Get(ctx, thrID)
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.next, g, "the threshold is replaced")
			as := v.alarms()
			for res, id := range alarmOf {
				ag := as[id.String()]
				if !containsIRI(tt.cleared, res) {
					assert.Equal(t, Raised.String(), value(ag, pAlarmState), "alarm of %s", res)
					continue
				}
				assert.Equal(t, Cleared.String(), value(ag, pAlarmState), "alarm of %s", res)
				assert.Equal(t, "carol", value(ag, pClearUser))
				assert.Equal(t, tt.reason, value(ag, pClearReason))
				assert.Equal(t, thrID.String(), value(ag, pClearedBy))
				assert.Equal(t, "2026-12-01T10:00:00Z", value(ag, pClearedTime))
			}
			if tt.cleared == nil {
				return
			}
			// Watched again as before: the resources start armed, and the
			// next crossing raises a new alarm.
			_, err = e.Replace(ctx, thrID, both, "", "carol")
			require.NoError(t, err)
			require.NoError(t, st.Load(ctx, []store.Resource{recordGraph(3, host, t0.Add(2*time.Hour), 97)}))
			assert.Len(t, v.alarms(), 3)
		})
	}
}

func containsIRI(l []rdf.IRI, x rdf.IRI) bool {
	for _, i := range l {
		if i == x {
			return true
		}
	}
	return false
}
