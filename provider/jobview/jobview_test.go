package jobview

import (
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/notify"
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

func TestHubQueries(t *testing.T) {
	h := &Hub{EventTypes: []string{"aCreateEvent", "aDeleteEvent"}}
	all := h.ListenerOf(&notify.Subscription{Listener: notify.Listener{Callback: "http://listener.example/"}})
	creates := h.ListenerOf(&notify.Subscription{Listener: notify.Listener{Callback: "http://listener.example/", Query: "eventType=ACreateEvent"}})
	for _, typ := range []string{"aCreateEvent", "aDeleteEvent"} {
		assert.True(t, all.Wants(typ), typ)
	}
	assert.True(t, creates.Wants("aCreateEvent"))
	assert.False(t, creates.Wants("aDeleteEvent"))
	for _, bad := range []string{"eventType=nope", "state=done", "eventType=%zz"} {
		_, err := h.parseQuery(bad)
		assert.ErrorIs(t, err, ErrQuery, bad)
	}
	p := Post(creates, "ACreateEvent", []byte("{}"))
	assert.Equal(t, "http://listener.example/listener/aCreateEvent", p.URL)
}
