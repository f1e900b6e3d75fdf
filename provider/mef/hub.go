package mef

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"context"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/store"
)

// FormatName is the notify format of the API's listeners: the
// notifications of mef_pm_notif.yaml, POSTed to
// callback/listener/<eventType>.
const FormatName = "mef"

// eventTypes are the notifications (mef_pm_notif.yaml) the hub sends.
// A job's deletion has none: MEF jobs are cancelled, not deleted. A
// performance report is a job's, announced by the job's report events.
var eventTypes = []string{
	"performanceJobCreateEvent", "performanceJobStateChangeEvent", "performanceJobAttributeValueChangeEvent",
	"performanceJobReportReadyEvent", "performanceJobReportPreparationErrorEvent",
	"cancelPerformanceJobStateChangeEvent", "modifyPerformanceJobStateChangeEvent",
	"resumePerformanceJobStateChangeEvent", "suspendPerformanceJobStateChangeEvent",
	"performanceProfileCreateEvent", "performanceProfileAttributeValueChangeEvent", "performanceProfileDeleteEvent",
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
	l, err := s.hub.Register(r.Context(), in.Callback, in.Query, who(r))
	switch {
	case errors.Is(err, jobview.ErrQuery):
		s.failCode(w, http.StatusBadRequest, "invalidQuery", "", err.Error())
		return
	case errors.Is(err, notify.ErrCallback):
		s.failCode(w, http.StatusBadRequest, "invalidBody", "", err.Error())
		return
	case err != nil:
		s.fail(w, r, err)
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
	ok, err := s.hub.Unregister(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.failCode(w, http.StatusNotFound, "", "", "no listener with id "+mux.Vars(r)["id"])
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

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

// renderTimeout bounds the reads that render one event.
const renderTimeout = 10 * time.Second

// Format is the API's notify format: the MEF notification of a job's
// change, or of a task or profile stored by the API, for the listeners
// whose query selects its type; other events are passed over.
func (s *Server) Format(ev *notify.Event, sub *notify.Subscription) (notify.Payload, error) {
	l := s.hub.ListenerOf(sub)
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	typ, payload, ok := s.render(ctx, ev)
	if !ok || !l.Wants(typ) {
		return notify.Payload{}, notify.ErrSkip
	}
	body, err := json.Marshal(map[string]any{
		"eventId":   ev.ID,
		"eventTime": mefTime(ev.Time),
		"eventType": typ,
		"event":     payload,
	})
	if err != nil {
		return notify.Payload{}, err
	}
	return jobview.Post(l, typ, body), nil
}

// render makes the type and payload of the MEF notification of ev.
func (s *Server) render(ctx context.Context, ev *notify.Event) (string, map[string]any, bool) {
	if typ, payload, ok := s.renderOwn(ev); ok {
		return typ, payload, true
	}
	c, ok := s.b.Change(ev)
	if !ok {
		return "", nil, false
	}
	id := lastSegment(c.Job.String())
	payload := map[string]any{"id": id, "href": s.href("/performanceJob/" + id)}
	var typ string
	switch c.Kind {
	case jobview.Created, jobview.AttributeChanged, jobview.StateChanged:
		typ = map[jobview.ChangeKind]string{jobview.Created: "performanceJobCreateEvent",
			jobview.AttributeChanged: "performanceJobAttributeValueChangeEvent", jobview.StateChanged: "performanceJobStateChangeEvent"}[c.Kind]
		switch {
		case c.Tracking != nil && c.Tracking.To != "":
			payload["state"] = notificationState(State(c.Tracking.To))
		default:
			if j, err := s.b.Job(ctx, id); err == nil {
				payload["state"] = notificationState(State(j.State))
			}
		}
	case jobview.FilesReady:
		typ = "performanceJobReportReadyEvent"
		rid := lastSegment(c.Report.String())
		payload["reportId"], payload["reportHref"] = rid, s.href("/performanceReport/"+rid)
	case jobview.PreparationError:
		typ = "performanceJobReportPreparationErrorEvent"
		payload["reportPreparationFailedReason"] = c.Description
	default:
		return "", nil, false
	}
	return typ, payload, true
}

// renderOwn makes the notification of a change of a resource the API
// stores itself: a task's creation, a profile's creation, change or
// deletion.
func (s *Server) renderOwn(ev *notify.Event) (string, map[string]any, bool) {
	path, ok := strings.CutPrefix(ev.Source.String(), s.href(""))
	if !ok {
		return "", nil, false
	}
	name, id, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", nil, false
	}
	payload := map[string]any{"id": id, "href": ev.Source.String()}
	if name == "performanceProfile" {
		switch ev.Change {
		case store.Created:
			return "performanceProfileCreateEvent", payload, true
		case store.Deleted:
			return "performanceProfileDeleteEvent", payload, true
		}
		return "performanceProfileAttributeValueChangeEvent", payload, true
	}
	for _, kind := range taskKinds {
		if name == kind+"PerformanceJob" && ev.Change == store.Created {
			// A task is carried out as it is made: its creation is its
			// change to its final state.
			return kind + "PerformanceJobStateChangeEvent", payload, true
		}
	}
	return "", nil, false
}
