package adhoc

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// existing is a Store that knows which resources exist and has no records.
type existing map[rdf.IRI]bool

func (m existing) Exists(_ context.Context, id rdf.IRI) (bool, error) { return m[id], nil }
func (m existing) Records(context.Context, store.RecordQuery, func(*store.Record) bool) error {
	return nil
}
func (m existing) Load(context.Context, []store.Resource) error { return errors.New("read-only") }

func TestParse(t *testing.T) {
	const base = "http://pm.example"
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	id := vocab.IRI(base+"/oslc/adhoc/", "a1")
	web := vocab.IRI(base+"/oslc/resources/", "web")
	rec := vocab.IRI(base+"/oslc/records/", "r1")
	b := &Builder{Store: existing{web: true, rec: true}, Base: base}
	dt := func(t time.Time) rdf.Literal { return rdf.NewTypedLiteral(t.Format(time.RFC3339), vocab.XSDDateTime) }
	str := func(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }
	dur := func(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDDuration) }
	request := func(edit map[string]rdf.Object) []rdf.Triple {
		props := map[string]rdf.Object{
			"monitoredObject": web,
			"granularity":     dur("PT1H"),
			"startTime":       dt(now.Add(-24 * time.Hour)),
			"stopTime":        dt(now),
		}
		for k, v := range edit {
			props[k] = v
		}
		var g []rdf.Triple
		for k, v := range props {
			if v != nil {
				g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm(k), Obj: v})
			}
		}
		return g
	}

	t.Run("valid", func(t *testing.T) {
		req, err := b.Parse(context.Background(), id, request(map[string]rdf.Object{
			"timeZone": str("Europe/Berlin"), "performanceIndicator": vocab.IRI(vocab.PM, "CpuUsed")}), now)
		require.NoError(t, err)
		assert.Equal(t, []rdf.IRI{web}, req.Objects)
		assert.Equal(t, time.Hour, req.Granularity)
		assert.Equal(t, "Europe/Berlin", req.Location.String())
		assert.Equal(t, map[rdf.IRI]bool{vocab.IRI(vocab.PM, "CpuUsed"): true}, req.Metrics)
		assert.True(t, req.Stop.Equal(now))
	})

	for _, tc := range []struct {
		name  string
		edit  map[string]rdf.Object
		fault string
	}{
		{"granularity too short", map[string]rdf.Object{"granularity": dur("PT1S")}, `pmj:granularity: "PT1S" is not an xsd:duration of at least PT1M`},
		{"granularity not a duration", map[string]rdf.Object{"granularity": str("hourly")}, `pmj:granularity: "hourly" is not an xsd:duration of at least PT1M`},
		{"unknown zone", map[string]rdf.Object{"timeZone": str("Mars/Olympus")}, `pmj:timeZone: "Mars/Olympus" is not an IANA time zone name`},
		{"local zone", map[string]rdf.Object{"timeZone": str("Local")}, `pmj:timeZone: "Local" is not an IANA time zone name`},
		{"stop before start", map[string]rdf.Object{"stopTime": dt(now.Add(-48 * time.Hour))}, "pmj:stopTime: must be after pmj:startTime"},
		{"no range", map[string]rdf.Object{"startTime": nil, "stopTime": nil}, "pmj:stopTime: must be after pmj:startTime"},
		{"future", map[string]rdf.Object{"stopTime": dt(now.Add(time.Minute))}, "pmj:stopTime: an ad-hoc collection reports on the past; the stop time is in the future"},
		{"too long", map[string]rdf.Object{"startTime": dt(now.Add(-MaxRange - time.Second))}, "pmj:stopTime: the time range is longer than 31 days"},
		{"unknown resource", map[string]rdf.Object{"monitoredObject": vocab.IRI(base+"/oslc/resources/", "nope")}, "pmj:monitoredObject: " + base + "/oslc/resources/nope is not a monitored resource of this provider"},
		{"not a monitored resource", map[string]rdf.Object{"monitoredObject": rec}, "pmj:monitoredObject: " + rec.String() + " is not a monitored resource of this provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Parse(context.Background(), id, request(tc.edit), now)
			var invalid *InvalidError
			require.ErrorAs(t, err, &invalid)
			assert.Equal(t, []string{tc.fault}, invalid.Faults)
			assert.Equal(t, "invalid ad-hoc collection: "+tc.fault, err.Error())
		})
	}

	t.Run("every fault listed", func(t *testing.T) {
		_, err := b.Parse(context.Background(), id, request(map[string]rdf.Object{"granularity": dur("PT1S"), "stopTime": dt(now.Add(-48 * time.Hour))}), now)
		var invalid *InvalidError
		require.ErrorAs(t, err, &invalid)
		assert.Len(t, invalid.Faults, 2)
	})
}

func TestOutcome(t *testing.T) {
	id := vocab.IRI("http://pm.example/oslc/adhoc/", "a1")
	report := vocab.IRI("http://pm.example/oslc/reports/", "a1")
	done := Outcome(id, &Result{Report: report, Sources: 24}, nil)
	assert.Equal(t, []rdf.Triple{
		{Subj: id, Pred: vocab.PMJTerm("report"), Obj: report},
		{Subj: id, Pred: vocab.PMJTerm("sourceRecordCount"), Obj: rdf.NewTypedLiteral("24", vocab.XSDInteger)},
		{Subj: id, Pred: vocab.PMJTerm("executionState"), Obj: vocab.PMJTerm("Completed")},
	}, done)
	failed := Outcome(id, nil, errors.New("disk full"))
	assert.Equal(t, []rdf.Triple{
		{Subj: id, Pred: vocab.PMJTerm("stateReason"), Obj: rdf.NewTypedLiteral("disk full", vocab.XSDString)},
		{Subj: id, Pred: vocab.PMJTerm("executionState"), Obj: vocab.PMJTerm("Failed")},
	}, failed)
}

// loads is a Store that counts what it loads.
type loads struct {
	existing
	n *int
}

func (l loads) Load(_ context.Context, rs []store.Resource) error { *l.n += len(rs); return nil }

func TestWriteStagesWhenItCan(t *testing.T) {
	rs := []store.Resource{{ID: vocab.IRI("http://pm.example/oslc/adhoc/", "a1")}}
	for _, tc := range []struct {
		name           string
		stage          bool
		staged, loaded int
	}{
		{"no stager", false, 0, 1},
		{"stager", true, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var staged, loaded int
			b := &Builder{Store: loads{n: &loaded}}
			if tc.stage {
				b.Stage = func(_ context.Context, rs []store.Resource) error { staged += len(rs); return nil }
			}
			require.NoError(t, b.Write(context.Background(), rs))
			assert.Equal(t, tc.staged, staged)
			assert.Equal(t, tc.loaded, loaded)
		})
	}
}
