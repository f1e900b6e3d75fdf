package jobview

import (
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/store"
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

// A Change is something that happened to a job, from whichever face:
// its creation or deletion, a tracking record the engine wrote (an
// update, a suspension, a state change) or a notification it made (a
// report is ready, or could not be prepared).
type Change struct {
	Kind     ChangeKind
	Job      rdf.IRI
	At       time.Time
	Tracking *Tracking // the record, for attribute and state changes
	// Action is the client's operation behind a state change: "suspend",
	// "resume", "cancel", or "" for the engine's own.
	Action string
	// Report is the report that is ready (FilesReady).
	Report rdf.IRI
	// Description says why, for a PreparationError.
	Description string
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

// Change maps an event of the provider's hub to the change of a job it
// announces; ok is false for events of other resources, and for those
// the faces do not announce.
//
// A job's creation and deletion are the events of the job resource
// itself; an attribute or state change is the event of the tracking
// record that says so, for the job resource is written again for the
// engine's own bookkeeping too, and only the record tells an update from
// a suspension. The tracking records of a creation and a deletion are
// passed over: the job's own events said it first.
//
// Files are ready when a job's report is created, whatever the job's
// pmj:reportMode: a job that reports resources only makes no
// notification, and the ReportReady notification of a job that makes
// both would announce the same report again; one that reports events
// only has no file to announce. A PreparationError is the engine's
// notification.
func (b *Backend) Change(ev *notify.Event) (c Change, ok bool) {
	path, under := strings.CutPrefix(ev.Source.String(), b.api.URL(""))
	if !under {
		return c, false
	}
	switch {
	case ev.Type == notify.JobCreated || ev.Type == notify.JobDeleted:
		if strings.Contains(strings.TrimPrefix(path, "/oslc/jobs/"), "/") {
			return c, false
		}
		c = Change{Kind: Created, Job: ev.Resource, At: ev.Time}
		if ev.Type == notify.JobDeleted {
			c.Kind = Deleted
		}
		return c, true
	case strings.HasPrefix(path, "/oslc/tracking/"):
		if ev.Change != store.Created || ev.Graph == nil {
			return c, false
		}
		c, ok = ChangeOf(ReadTracking(ev.Source, ev.Graph))
		return c, ok && c.Kind != Created && c.Kind != Deleted
	case strings.HasPrefix(path, "/oslc/reports/"):
		if ev.Change != store.Created || ev.Graph == nil {
			return c, false
		}
		rp := ReadReport(ev.Source, ev.Graph)
		if !strings.HasPrefix(rp.Job.String(), b.api.URL("/oslc/jobs/")) {
			return c, false // an ad-hoc collection's
		}
		return Change{Kind: FilesReady, Job: rp.Job, At: ev.Time, Report: ev.Source}, true
	case ev.Type == notify.PreparationError:
		return Change{Kind: PreparationError, Job: ev.Resource, At: ev.Time, Description: ev.Data["description"]}, true
	}
	return c, false
}
