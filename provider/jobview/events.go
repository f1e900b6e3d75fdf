package jobview

import (
	"context"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// ChangeKind is what a Change announces, in the terms the TM Forum and
// MEF events share.
type ChangeKind int

// The kinds of change.
const (
	Created ChangeKind = iota
	AttributeChanged
	StateChanged
	Deleted
	FilesReady
	PreparationError
)

var changeNames = [...]string{"create", "attributeValueChange", "stateChange", "delete", "filesReady", "preparationError"}

func (k ChangeKind) String() string { return changeNames[k] }

// A Change is something that happened to a job, from whichever face: a
// tracking record the engine wrote (creation, update, suspension, state
// change, deletion) or a notification it made (a report is ready, or
// could not be prepared).
type Change struct {
	Kind     ChangeKind
	Job      rdf.IRI
	At       time.Time
	Tracking *Tracking   // the record, for the first four kinds
	Event    *jobs.Event // the notification, for FilesReady and PreparationError
	// Action is the client's operation behind a state change: "suspend",
	// "resume", "cancel", or "" for the engine's own.
	Action string
}

// ChangeOf maps a tracking record to the change it records; ok is false
// for records no hub announces (collection failures, missed periods).
func ChangeOf(tr *Tracking) (c Change, ok bool) {
	c = Change{Job: tr.Job, At: tr.Date, Tracking: tr}
	switch tr.Event {
	case "Created":
		c.Kind = Created
	case "Deleted":
		c.Kind = Deleted
	case "Updated":
		c.Kind = AttributeChanged
	case "SuspendedEvent", "ResumedEvent", "CancelledEvent":
		c.Kind = StateChanged
		c.Action = map[string]string{"SuspendedEvent": jobs.Suspend, "ResumedEvent": jobs.Resume, "CancelledEvent": jobs.Cancel}[tr.Event]
	case "StateChanged":
		if tr.From == tr.To || tr.From == "" {
			return c, false // a creation's first states, or duty only
		}
		c.Kind = StateChanged
	default:
		return c, false
	}
	return c, true
}

// A Watcher finds the changes made since it last looked: the tracking
// records written since (a query on their dcterms:created), so that a
// change made through any face, or by the engine itself, is seen.
type Watcher struct {
	b    *Backend
	last time.Time
	seen map[string]bool // records at last
}

// NewWatcher returns a watcher that reports the changes recorded from now
// on.
func (b *Backend) NewWatcher(now time.Time) *Watcher {
	return &Watcher{b: b, last: now, seen: map[string]bool{}}
}

// Poll returns the changes recorded since the previous poll, oldest
// first.
func (w *Watcher) Poll(ctx context.Context) ([]Change, error) {
	where := parser.And(parser.Compare(vocab.DCCreated, parser.OpGE, DateTime(w.last.UTC())))
	ids, err := w.b.members(ctx, "tracking", where)
	if err != nil {
		return nil, err
	}
	var trs []*Tracking
	for _, id := range ids {
		if w.seen[id.String()] {
			continue
		}
		g, _, err := w.b.api.Member(ctx, id)
		if err != nil {
			continue
		}
		trs = append(trs, ReadTracking(id, g))
	}
	sortTracking(trs)
	var out []Change
	for _, tr := range trs {
		if tr.Created.After(w.last) {
			w.last, w.seen = tr.Created, map[string]bool{}
		}
		if c, ok := ChangeOf(tr); ok {
			out = append(out, c)
		}
	}
	// The next poll asks again from the last instant: the records of it
	// seen now are not news then.
	for _, tr := range trs {
		if tr.Created.Equal(w.last) {
			w.seen[tr.IRI.String()] = true
		}
	}
	return out, nil
}

// NotificationChange maps an engine notification to its change.
func NotificationChange(ev jobs.Event) Change {
	c := Change{Kind: FilesReady, Job: ev.Job, At: ev.Date, Event: &ev}
	if ev.Kind == jobs.PreparationError {
		c.Kind = PreparationError
	}
	return c
}
