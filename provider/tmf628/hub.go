package tmf628

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/jobview"
)

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
	l, err := s.hub.Register(in.Callback, in.Query)
	if err != nil {
		s.Fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Location", s.href("/hub/"+l.ID))
	writeJSON(w, http.StatusCreated, Subscription{ID: l.ID, Callback: l.Callback, Query: l.Query})
}

func (s *Server) unregister(w http.ResponseWriter, r *http.Request) {
	if !s.hub.Unregister(mux.Vars(r)["id"]) {
		s.Fail(w, r, http.StatusNotFound, "no listener with id "+mux.Vars(r)["id"])
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Notification is a TMF event: its payload holds the job as it is now
// (as it was last, for a deletion).
type Notification struct {
	EventID     string          `json:"eventId"`
	EventTime   string          `json:"eventTime"`
	EventType   string          `json:"eventType"`
	Description string          `json:"description,omitempty"`
	Event       json.RawMessage `json:"event"`
}

var eventSeq atomic.Int64

// render makes the TMF event of a change.
func (s *Server) render(ctx context.Context, c jobview.Change) []jobview.Event {
	ident := c.Job.String()[strings.LastIndexByte(c.Job.String(), '/')+1:]
	var j *Job
	if c.Kind != jobview.Deleted {
		jv, err := s.b.Job(ctx, ident)
		if err != nil {
			return nil
		}
		trs, _ := s.b.Tracking(ctx, jv.IRI)
		j = s.jobJSON(jv, trs, s.indicatorGroups())
	} else {
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
	payload, err := json.Marshal(map[string]any{key: j})
	if err != nil {
		return nil
	}
	n := Notification{
		EventID:   strconv.FormatInt(eventSeq.Add(1), 10),
		EventTime: tmfTime(c.At),
		EventType: res + eventSuffix[c.Kind],
		Event:     payload,
	}
	if c.Tracking != nil {
		n.Description = c.Tracking.Description
	} else if c.Event != nil {
		n.Description = c.Event.Description
	}
	body, err := json.Marshal(n)
	if err != nil {
		return nil
	}
	// The listener path is the event type with a lower-case initial:
	// /listener/measurementCollectionJobCreateEvent.
	return []jobview.Event{{Type: strings.ToLower(n.EventType[:1]) + n.EventType[1:], Body: body}}
}
