package mef

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobview"
)

// eventTypes are the notifications (mef_pm_notif.yaml) the hub sends.
// A deletion has none: MEF jobs are cancelled, not deleted.
var eventTypes = []string{
	"performanceJobCreateEvent", "performanceJobStateChangeEvent", "performanceJobAttributeValueChangeEvent",
	"performanceJobReportReadyEvent", "performanceJobReportPreparationErrorEvent",
}

// Subscription is the MEF EventSubscription.
type Subscription struct {
	ID       string `json:"id"`
	Callback string `json:"callback"`
	Query    string `json:"query,omitempty"`
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Callback string `json:"callback"`
		Query    string `json:"query"`
	}
	if err := readJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Callback == "" {
		s.failCode(w, http.StatusBadRequest, "invalidBody", "", "callback: required")
		return
	}
	l, err := s.hub.Register(in.Callback, in.Query)
	if err != nil {
		s.failCode(w, http.StatusBadRequest, "invalidBody", "", err.Error())
		return
	}
	w.Header().Set("Location", s.href("/hub/"+l.ID))
	writeJSON(w, http.StatusCreated, Subscription{ID: l.ID, Callback: l.Callback, Query: l.Query})
}

func (s *Server) getListener(w http.ResponseWriter, r *http.Request) {
	l := s.hub.Listener(mux.Vars(r)["id"])
	if l == nil {
		s.failCode(w, http.StatusNotFound, "", "", "no listener with id "+mux.Vars(r)["id"])
		return
	}
	writeJSON(w, http.StatusOK, Subscription{ID: l.ID, Callback: l.Callback, Query: l.Query})
}

func (s *Server) unregister(w http.ResponseWriter, r *http.Request) {
	if !s.hub.Unregister(mux.Vars(r)["id"]) {
		s.failCode(w, http.StatusNotFound, "", "", "no listener with id "+mux.Vars(r)["id"])
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

var eventSeq atomic.Int64

// notificationState is a job state as the notifications spell it.
func notificationState(s string) string {
	switch s {
	case "inProgress":
		return "in-progress"
	case "resourceUnavailable":
		return "resource-unavailable"
	}
	return s
}

// render makes the MEF notification of a change.
func (s *Server) render(ctx context.Context, c jobview.Change) []jobview.Event {
	id := lastSegment(c.Job.String())
	payload := map[string]any{"id": id, "href": s.href("/performanceJob/" + id)}
	var typ string
	switch c.Kind {
	case jobview.Created, jobview.AttributeChanged, jobview.StateChanged:
		typ = map[jobview.ChangeKind]string{jobview.Created: "performanceJobCreateEvent",
			jobview.AttributeChanged: "performanceJobAttributeValueChangeEvent", jobview.StateChanged: "performanceJobStateChangeEvent"}[c.Kind]
		j, err := s.b.Job(ctx, id)
		if err != nil {
			return nil // deleted meanwhile
		}
		payload["state"] = notificationState(State(j.State))
	case jobview.FilesReady:
		if c.Event.Report == (rdf.IRI{}) {
			return nil // no report: the job reports events only
		}
		typ = "performanceJobReportReadyEvent"
		rid := lastSegment(c.Event.Report.String())
		payload["reportId"], payload["reportHref"] = rid, s.href("/performanceReport/"+rid)
	case jobview.PreparationError:
		typ = "performanceJobReportPreparationErrorEvent"
		payload["reportPreparationFailedReason"] = c.Event.Description
	default:
		return nil
	}
	body, err := json.Marshal(map[string]any{
		"eventId":   strconv.FormatInt(eventSeq.Add(1), 10),
		"eventTime": mefTime(c.At),
		"eventType": typ,
		"event":     payload,
	})
	if err != nil {
		return nil
	}
	return []jobview.Event{{Type: typ, Body: body}}
}
