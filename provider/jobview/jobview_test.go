package jobview

import (
	"context"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSortTrackingChainsOneInstant(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tr := func(iri, event, from, to string, d time.Duration) *Tracking {
		i, _ := rdf.NewIRI("http://x/oslc/tracking/" + iri)
		return &Tracking{IRI: i, Event: event, From: from, To: to, Date: at.Add(d)}
	}
	// One request's records share their instant; their IRIs are hashes.
	trs := []*Tracking{
		tr("a", "ResumedEvent", "suspended", "inProgress", 0),
		tr("b", "StateChanged", "suspended", "pending", 0),
		tr("c", "Updated", "pending", "suspended", 0),
		tr("d", "Created", "", "acknowledged", -2*time.Second),
		tr("e", "SuspendedEvent", "acknowledged", "suspended", -time.Second),
	}
	sortTracking(trs)
	var got []string
	for _, x := range trs {
		got = append(got, x.Event)
	}
	assert.Equal(t, []string{"Created", "SuspendedEvent", "StateChanged", "Updated", "ResumedEvent"}, got)
}

func TestChangeOf(t *testing.T) {
	for _, c := range []struct {
		event, from, to string
		kind            ChangeKind
		ok              bool
	}{
		{"Created", "", "acknowledged", Created, true},
		{"Updated", "pending", "inProgress", AttributeChanged, true},
		{"SuspendedEvent", "inProgress", "suspended", StateChanged, true},
		{"StateChanged", "scheduled", "inProgress", StateChanged, true},
		{"StateChanged", "acknowledged", "acknowledged", 0, false},
		{"StateChanged", "", "acknowledged", 0, false},
		{"CollectionFailed", "inProgress", "inProgress", 0, false},
		{"Deleted", "inProgress", "", Deleted, true},
	} {
		t.Run(c.event+"/"+c.from+"/"+c.to, func(t *testing.T) {
			ch, ok := ChangeOf(&Tracking{Event: c.event, From: c.from, To: c.to})
			require.Equal(t, c.ok, ok)
			if ok {
				assert.Equal(t, c.kind, ch.Kind)
			}
		})
	}
}

type recorder struct{ got []string }

func (r *recorder) Deliver(_ context.Context, l *Listener, ev Event) error {
	r.got = append(r.got, l.ID+":"+ev.Type)
	return nil
}

func TestHubQueries(t *testing.T) {
	rec := &recorder{}
	h := &Hub{EventTypes: []string{"aCreateEvent", "aDeleteEvent"}, Delivery: rec,
		Render: func(_ context.Context, c Change) []Event {
			return []Event{{Type: map[ChangeKind]string{Created: "aCreateEvent", Deleted: "aDeleteEvent"}[c.Kind]}}
		}}
	all, err := h.Register("http://listener.example/", "")
	require.NoError(t, err)
	creates, err := h.Register("http://listener.example/", "eventType=ACreateEvent")
	require.NoError(t, err)
	for _, bad := range []struct{ callback, query string }{
		{"listener.example", ""},
		{"http://listener.example/", "eventType=nope"},
		{"http://listener.example/", "state=done"},
	} {
		_, err := h.Register(bad.callback, bad.query)
		assert.Error(t, err, "%+v", bad)
	}
	h.Publish(context.Background(), Change{Kind: Created})
	h.Publish(context.Background(), Change{Kind: Deleted})
	assert.Equal(t, []string{all.ID + ":aCreateEvent", creates.ID + ":aCreateEvent", all.ID + ":aDeleteEvent"}, rec.got)
	assert.True(t, h.Unregister(creates.ID))
	assert.False(t, h.Unregister(creates.ID))
	assert.Nil(t, h.Listener(creates.ID))
}
