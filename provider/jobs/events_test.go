package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// The event a subscriber gets as the engine commits a notification is the
// one a replay decodes from the store.
func TestEventsLiveAgreeWithReplay(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	gone := v.resource("h2")
	_, err := v.job(map[string][]rdf.Object{"monitoredObject": {res}, "reportingPeriod": {lit("PT30S", vocab.XSD+"duration")},
		"reportingMode": {vocab.PMJTerm("ReportEvents")}, "timeZone": {lit("Europe/Berlin", vocab.XSD+"string")}})
	require.NoError(t, err)
	_, err = v.job(map[string][]rdf.Object{"monitoredObject": {res}, "reportingPeriod": {lit("PT30S", vocab.XSD+"duration")},
		"reportingMode": {vocab.PMJTerm("ReportResourcesAndEvents")}})
	require.NoError(t, err)
	_, err = v.job(map[string][]rdf.Object{"monitoredObject": {gone}, "reportingPeriod": {lit("PT30S", vocab.XSD+"duration")},
		"reportingMode": {vocab.PMJTerm("ReportEvents")}})
	require.NoError(t, err)
	require.NoError(t, v.db.Delete(context.Background(), gone, ""))

	sub := v.e.Subscribe()
	defer sub.Cancel()
	v.advance(start.Add(3 * time.Minute))
	var live []Event
	for len(sub.C) > 0 {
		live = append(live, <-sub.C)
	}
	require.NotEmpty(t, live)

	s := v.e.Subscribe()
	defer s.Cancel()
	var replayed []Event
	_, err = v.e.Replay(context.Background(), s, 0, func(ev Event) error {
		replayed = append(replayed, ev)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, replayed, len(live))

	kinds := make(map[EventKind]int)
	for i := range live {
		want, got := live[i], replayed[i]
		assert.Equal(t, want.Seq, got.Seq)
		assert.Equal(t, want.ID, got.ID)
		assert.Equal(t, want.Kind, got.Kind)
		assert.Equal(t, want.Job, got.Job)
		assert.Equal(t, want.Report, got.Report)
		assert.Equal(t, want.Description, got.Description)
		assert.Equal(t, want.Records, got.Records)
		for _, p := range [][2]time.Time{{want.PeriodStart, got.PeriodStart}, {want.PeriodEnd, got.PeriodEnd}, {want.Date, got.Date}} {
			assert.Equal(t, p[0].Format(time.RFC3339Nano), p[1].Format(time.RFC3339Nano), "same instant and offset")
		}
		kinds[want.Kind]++
	}
	assert.NotZero(t, kinds[FilesReady])
	assert.NotZero(t, kinds[PreparationError])
}

func TestEventKindIRI(t *testing.T) {
	for _, tc := range []struct {
		kind EventKind
		want string
	}{
		{FilesReady, vocab.PMJ + "FilesReady"},
		{PreparationError, vocab.PMJ + "PreparationError"},
		{"http://example.org/ns#Other", "http://example.org/ns#Other"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			got := tc.kind.IRI()
			assert.Equal(t, tc.want, got.String())
			g := encodeNotification(Event{ID: vocab.IRI(base+"/oslc/notifications/", "n1"), Kind: tc.kind}, nil)
			assert.Equal(t, tc.kind, decodeNotification(vocab.IRI(base+"/oslc/notifications/", "n1"), 1, g).Kind)
		})
	}
}
