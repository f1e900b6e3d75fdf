package notify

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A Type is what an event announces. Its IRI is the pmj term of the same
// local name.
type Type string

// The types of event. Every change of a resource is one event: the most
// specific type that fits, else ResourceCreated, ResourceChanged or
// ResourceDeleted. A filter naming a generic type also takes the specific
// events of that kind of change (JobCreated is a ResourceCreated).
const (
	JobCreated       Type = "JobCreated"
	JobStateChanged  Type = "JobStateChanged" // from a tracking record with pmj:fromState ≠ pmj:toState
	JobDeleted       Type = "JobDeleted"
	ReportReady      Type = "ReportReady"      // a pmj:FilesReady notification
	PreparationError Type = "PreparationError" // a pmj:PreparationError notification
	ThresholdCrossed Type = "ThresholdCrossed" // an alarm was created (raised)
	ThresholdCleared Type = "ThresholdCleared" // an alarm was written and reads cleared
	ResourceCreated  Type = "ResourceCreated"
	ResourceChanged  Type = "ResourceChanged"
	ResourceDeleted  Type = "ResourceDeleted"
)

// Types lists every type, specific ones first.
var Types = []Type{JobCreated, JobStateChanged, JobDeleted, ReportReady, PreparationError,
	ThresholdCrossed, ThresholdCleared, ResourceCreated, ResourceChanged, ResourceDeleted}

// IRI is the pmj term of t.
func (t Type) IRI() rdf.IRI { return vocab.PMJTerm(string(t)) }

// ParseType reads a type from its name or its pmj IRI, in any case.
func ParseType(s string) (Type, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, vocab.PMJ), "pmj:")
	for _, t := range Types {
		if strings.EqualFold(s, string(t)) {
			return t, true
		}
	}
	return "", false
}

// generic is the generic type of a change of kind k.
func generic(k store.ChangeKind) Type {
	switch k {
	case store.Created:
		return ResourceCreated
	case store.Deleted:
		return ResourceDeleted
	}
	return ResourceChanged
}

// An Event is a change of a stored resource, told to subscribers. It is
// derived from one entry of the store's change log, which every write
// commits in its own transaction: an event is neither lost across a
// crash nor invented, and its ID, the entry's order, is the same at every
// delivery of it.
type Event struct {
	ID     string // the change log order, in decimal: stable, for dedupe
	Order  uint64
	Type   Type
	Change store.ChangeKind
	// Time is when the change was committed, or the time the resource
	// states for it (a tracking record's or notification's dcterms:date,
	// an alarm's raised or cleared time), with that time's offset.
	Time time.Time
	// Resource is what the event is about: the job for job events, the
	// alarmed resource for threshold events, else the changed resource.
	Resource rdf.IRI
	// Source is the resource whose change this is (a tracking record, a
	// notification, an alarm, or Resource itself).
	Source rdf.IRI
	// Data are the event's main properties, by short name.
	Data map[string]string
	// Graph is Source's triples as read when the event was derived; nil
	// once Source is deleted.
	Graph []rdf.Triple
}

// Is says whether ev is of type t, or t is ev's generic type.
func (ev *Event) Is(t Type) bool { return ev.Type == t || generic(ev.Change) == t }

// Message is the JSON body of an event as the default format sends it,
// in the shape of MEF's and TMF628's Event: eventId, eventTime, eventType
// and the resource as event {id, href}.
type Message struct {
	EventID   string            `json:"eventId"`
	EventTime string            `json:"eventTime"`
	EventType string            `json:"eventType"`
	Change    string            `json:"change"`
	Event     MessageResource   `json:"event"`
	Source    string            `json:"source,omitempty"`
	Data      map[string]string `json:"data,omitempty"`
}

// MessageResource names the resource of a Message.
type MessageResource struct {
	ID   string `json:"id"`
	Href string `json:"href"`
}

// Message returns ev's Message.
func (ev *Event) Message() Message {
	m := Message{
		EventID:   ev.ID,
		EventTime: ev.Time.Format(time.RFC3339Nano),
		EventType: string(ev.Type),
		Change:    ev.Change.String(),
		Event:     MessageResource{ID: ev.Resource.String(), Href: ev.Resource.String()},
		Data:      ev.Data,
	}
	if ev.Source != ev.Resource {
		m.Source = ev.Source.String()
	}
	return m
}

// JSON is ev's Message in JSON.
func (ev *Event) JSON() ([]byte, error) { return json.Marshal(ev.Message()) }

// Terms of the resources events are derived from.
var (
	pmjProducedBy = vocab.PMJTerm("producedBy")
	pmjEvent      = vocab.PMJTerm("event")
	pmjFromState  = vocab.PMJTerm("fromState")
	pmjToState    = vocab.PMJTerm("toState")
	pmjReport     = vocab.PMJTerm("report")
	pmjExecState  = vocab.PMJTerm("executionState")
	pmjAlarm      = vocab.PMJTerm("Alarm")
)

// deriver turns change log entries into events, reading the resources
// in the snapshot the entries were read in.
type deriver struct {
	base string // the provider's base URL, no trailing slash

	// Every subscription, stream and the Alertmanager pusher reads the
	// same new entries after a write; the events derived from them are
	// kept so that each entry's resource is read once, not once per
	// reader. An event depends only on the store's state, which every
	// write moves on with a change log entry: the kept events are those
	// of the state whose newest entry is newest.
	mu     sync.Mutex
	newest uint64
	events map[uint64]derived
}

// derived is an entry's event and whether it makes one.
type derived struct {
	ev Event
	ok bool
}

// maxDerived bounds the events a deriver keeps.
const maxDerived = 4 * batch

// event returns the event of c, read in sn, whose newest change log entry
// is newest; false when c makes none. The event's Data and Graph are
// shared between readers and must not be changed.
func (d *deriver) event(ctx context.Context, sn store.ChangeView, newest uint64, c store.Change) (Event, bool, error) {
	d.mu.Lock()
	if d.newest != newest {
		d.newest, d.events = newest, map[uint64]derived{}
	}
	got, hit := d.events[c.Order]
	d.mu.Unlock()
	if hit {
		return got.ev, got.ok, nil
	}
	ev, ok, err := d.derive(ctx, sn, c)
	if err != nil {
		return ev, ok, err
	}
	d.mu.Lock()
	if d.newest == newest && len(d.events) < maxDerived {
		d.events[c.Order] = derived{ev, ok}
	}
	d.mu.Unlock()
	return ev, ok, nil
}

// skipped says whether changes of id make no event: the hub's own
// subscriptions (a cursor's write would make an event to deliver, and so
// on), the vocabulary documents, rewritten at every start, and the
// engines' bookkeeping under /oslc/engine/ (a job's progress, a
// threshold's crossing state), which the events of jobs and alarms
// already tell.
func (d *deriver) skipped(id string) bool {
	path, ok := strings.CutPrefix(id, d.base)
	return !ok || strings.HasPrefix(path, subscriptionsPath+"/") || strings.HasPrefix(path, "/ns/") ||
		strings.HasPrefix(path, "/oslc/engine/")
}

// derive returns the event of c, read in sn; false when c makes none.
func (d *deriver) derive(ctx context.Context, sn store.ChangeView, c store.Change) (Event, bool, error) {
	if d.skipped(c.ID.String()) {
		return Event{}, false, nil
	}
	ev := Event{
		ID: strconv.FormatUint(c.Order, 10), Order: c.Order, Change: c.Kind, Time: c.Time.UTC(),
		Type: generic(c.Kind), Resource: c.ID, Source: c.ID, Data: map[string]string{},
	}
	if c.Kind != store.Deleted {
		g, _, err := sn.Get(ctx, c.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Deleted since: the change stays, its resource is gone.
		case err != nil:
			return ev, false, err
		default:
			ev.Graph = g
		}
	}
	path := strings.TrimPrefix(c.ID.String(), d.base)
	switch {
	case strings.HasPrefix(path, "/oslc/jobs/"):
		switch c.Kind {
		case store.Created:
			ev.Type = JobCreated
		case store.Deleted:
			ev.Type = JobDeleted
		}
		ev.setData("title", value(ev.Graph, c.ID, vocab.DCTitle))
		ev.setData("executionState", value(ev.Graph, c.ID, pmjExecState))
	case strings.HasPrefix(path, "/oslc/tracking/") && c.Kind == store.Created:
		from, to := value(ev.Graph, c.ID, pmjFromState), value(ev.Graph, c.ID, pmjToState)
		job, _ := object(ev.Graph, c.ID, pmjProducedBy).(rdf.IRI)
		if from != "" && to != "" && from != to && job != (rdf.IRI{}) {
			ev.Type, ev.Resource = JobStateChanged, job
			ev.setData("fromState", from)
			ev.setData("toState", to)
			ev.setData("trackingRecord", c.ID.String())
			ev.setTime(value(ev.Graph, c.ID, vocab.DCDate))
		}
	case strings.HasPrefix(path, "/oslc/notifications/") && c.Kind == store.Created:
		job, _ := object(ev.Graph, c.ID, pmjProducedBy).(rdf.IRI)
		kind := strings.TrimPrefix(value(ev.Graph, c.ID, pmjEvent), vocab.PMJ)
		if job == (rdf.IRI{}) || (kind != "FilesReady" && kind != "PreparationError") {
			break
		}
		ev.Type, ev.Resource = ReportReady, job
		if kind == "PreparationError" {
			ev.Type = PreparationError
		}
		ev.setData("notification", c.ID.String())
		ev.setData("report", value(ev.Graph, c.ID, pmjReport))
		ev.setData("periodStart", value(ev.Graph, c.ID, vocab.PMJTerm("periodStart")))
		ev.setData("periodEnd", value(ev.Graph, c.ID, vocab.PMJTerm("periodEnd")))
		ev.setData("description", value(ev.Graph, c.ID, vocab.DCDescription))
		ev.setTime(value(ev.Graph, c.ID, vocab.DCDate))
	case strings.HasPrefix(path, AlarmsPath+"/") || hasType(ev.Graph, c.ID, pmjAlarm):
		if c.Kind == store.Deleted || ev.Graph == nil {
			break
		}
		a := ReadAlarm(c.ID, ev.Graph)
		switch {
		case c.Kind == store.Created:
			ev.Type = ThresholdCrossed
			ev.setTime(a.Raised)
		case a.Cleared():
			// Only the newest write of the alarm shows the state it
			// wrote; an older one whose state was overwritten since is
			// a mere change.
			later, err := changedAfter(ctx, sn, c)
			if err != nil {
				return ev, false, err
			}
			if !later {
				ev.Type = ThresholdCleared
				ev.setTime(a.ClearedAt)
			}
		}
		if a.Resource != (rdf.IRI{}) {
			ev.Resource = a.Resource
		}
		for k, v := range a.data() {
			ev.setData(k, v)
		}
	}
	return ev, true, nil
}

// lookAhead bounds how far changedAfter reads the change log.
const lookAhead = 100000

// changedAfter says whether the change log holds a later change of c's
// resource (within lookAhead entries, beyond which it says yes).
func changedAfter(ctx context.Context, sn store.ChangeView, c store.Change) (bool, error) {
	found, n := false, 0
	err := sn.ChangesAfter(ctx, c.Order, func(l store.Change) bool {
		n++
		found = l.ID == c.ID || n > lookAhead
		return !found
	})
	return found, err
}

func (ev *Event) setData(k, v string) {
	if v != "" {
		ev.Data[k] = v
	}
}

// setTime sets the event's time from an xsd:dateTime the resource states.
func (ev *Event) setTime(lex string) {
	if t, err := time.Parse(time.RFC3339Nano, lex); err == nil {
		ev.Time = t
	}
}

// object returns the first object of (s, p) in g, or nil.
func object(g []rdf.Triple, s rdf.Subject, p rdf.IRI) rdf.Object {
	for _, t := range g {
		if t.Pred == p && rdf.TermsEqual(t.Subj, s) {
			return t.Obj
		}
	}
	return nil
}

// value returns the first object of (s, p) in g as a string: an IRI's
// text or a literal's lexical form; "" if none.
func value(g []rdf.Triple, s rdf.Subject, p rdf.IRI) string {
	if o := object(g, s, p); o != nil {
		return o.String()
	}
	return ""
}

// hasType says whether g types s as class.
func hasType(g []rdf.Triple, s rdf.Subject, class rdf.IRI) bool {
	for _, t := range g {
		if t.Pred == vocab.RDFType && t.Obj == class && rdf.TermsEqual(t.Subj, s) {
			return true
		}
	}
	return false
}
