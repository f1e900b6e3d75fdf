package tmf628

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/provider/notify"
)

// FormatName is the notify format of the API's listeners: TMF628 events,
// POSTed to callback/listener/<eventType>.
const FormatName = "tmf628"

// The TMF event types, by kind of change, without their resource's
// prefix (MeasurementCollectionJob or OnDemandCollection).
var eventSuffix = map[jobview.ChangeKind]string{
	jobview.Created:          "CreateEvent",
	jobview.AttributeChanged: "AttributeValueChangeEvent",
	jobview.StateChanged:     "ExecutionStateChangeEvent",
	jobview.Deleted:          "DeleteEvent",
	jobview.FilesReady:       "FilesReadyEvent",
	jobview.PreparationError: "FilesPreparationErrorEvent",
}

func eventTypes() []string {
	var out []string
	for _, res := range []string{"MeasurementCollectionJob", "OnDemandCollection"} {
		for k := jobview.Created; k <= jobview.PreparationError; k++ {
			out = append(out, res+eventSuffix[k])
		}
	}
	return out
}

// Subscription is the TMF EventSubscription.
type Subscription struct {
	ID       string `json:"id"`
	Callback string `json:"callback"`
	Query    string `json:"query,omitempty"`
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	body, err := readObject(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		Callback string `json:"callback"`
		Query    string `json:"query"`
	}
	b, _ := json.Marshal(body)
	if err := json.Unmarshal(b, &in); err != nil || in.Callback == "" {
		s.Fail(w, r, http.StatusBadRequest, "callback: required, a string: the URL events are POSTed under (callback/listener/<eventType>)")
		return
	}
	l, err := s.hub.Register(r.Context(), in.Callback, in.Query, who(r))
	if errors.Is(err, jobview.ErrQuery) || errors.Is(err, notify.ErrCallback) {
		s.Fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", s.href("/hub/"+l.ID))
	writeJSON(w, http.StatusCreated, Subscription{ID: l.ID, Callback: l.Callback, Query: l.Query})
}

func (s *Server) unregister(w http.ResponseWriter, r *http.Request) {
	ok, err := s.hub.Unregister(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.Fail(w, r, http.StatusNotFound, "no listener with id "+mux.Vars(r)["id"])
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Notification is a TMF event: its payload holds the job as it is when
// the event is delivered (as it was last, for a deletion).
type Notification struct {
	EventID     string          `json:"eventId"`
	EventTime   string          `json:"eventTime"`
	EventType   string          `json:"eventType"`
	Description string          `json:"description,omitempty"`
	Event       json.RawMessage `json:"event"`
}

// renderTimeout bounds the reads that render one event.
const renderTimeout = 10 * time.Second

// Format is the API's notify format: the TMF event of a job's change,
// for the listeners whose query selects its type; other events are
// passed over.
func (s *Server) Format(ev *notify.Event, sub *notify.Subscription) (notify.Payload, error) {
	c, ok := s.b.Change(ev)
	if !ok {
		return notify.Payload{}, notify.ErrSkip
	}
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	l := s.hub.ListenerOf(sub)
	n, ok := s.render(ctx, ev.ID, c, l.Wants)
	if !ok {
		return notify.Payload{}, notify.ErrSkip
	}
	body, err := json.Marshal(n)
	if err != nil {
		return notify.Payload{}, err
	}
	return jobview.Post(l, n.EventType, body), nil
}

// render makes the TMF event of a change, if wants its type; false when
// it is not wanted or not announced.
func (s *Server) render(ctx context.Context, id string, c jobview.Change, wants func(string) bool) (Notification, bool) {
	ident := c.Job.String()[strings.LastIndexByte(c.Job.String(), '/')+1:]
	var j *Job
	if jv, err := s.b.Job(ctx, ident); err == nil && c.Kind != jobview.Deleted {
		trs, _ := s.b.Tracking(ctx, jv.IRI)
		j = s.jobJSON(jv, trs, s.indicatorGroups())
	} else {
		if err != nil && !errors.Is(err, jobview.ErrNotFound) {
			s.log.Warn("tmf628: read the job of an event; it is told from its tracking records", "job", c.Job.String(), "err", err)
		}
		// What is left of a deleted job is its IRI and tracking records.
		trs, _ := s.b.Tracking(ctx, c.Job)
		j = &Job{ID: ident, Href: s.href("/measurementCollectionJob/" + ident), JobID: c.Job.String(),
			AdminState: "unlocked", ExecutionState: "cancelled", Type: "MeasurementCollectionJob",
			FileTransferData: []FileTransferData{{TransportProtocol: "HTTP", FileLocation: s.b.URL("/oslc/reports")}}}
		for _, tr := range trs {
			j.TrackingRecord = append(j.TrackingRecord, s.trackingJSON(tr))
			if tr.To != "" {
				j.ExecutionState = ExecutionState(tr.To)
			}
		}
	}
	res, key := "MeasurementCollectionJob", "measurementCollectionJob"
	if j.Type == "OnDemandCollection" {
		res, key = "OnDemandCollection", "onDemandCollection"
	}
	n := Notification{EventID: id, EventTime: tmfTime(c.At), EventType: res + eventSuffix[c.Kind]}
	if !wants(n.EventType) {
		return n, false
	}
	switch c.Kind {
	case jobview.FilesReady:
		// The file that is ready: the period's report, as CSV.
		ftd := j.FileTransferData[0]
		ftd.FileFormat, ftd.FileLocation = "text/csv", c.Report.String()
		j.FileTransferData = []FileTransferData{ftd}
	case jobview.PreparationError:
		n.Description = c.Description
	}
	if c.Tracking != nil {
		n.Description = c.Tracking.Description
	}
	payload, err := json.Marshal(map[string]any{key: j})
	if err != nil {
		return n, false
	}
	n.Event = payload
	return n, true
}
