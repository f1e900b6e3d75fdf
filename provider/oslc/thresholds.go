package oslc

import (
	"context"
	"errors"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/threshold"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/store"
)

// thresholdKinds returns the kinds of thresholds and of the alarms their
// crossings raise. Thresholds are written as jobs are (the role matrix
// counts them as job management); alarms are made by the evaluator alone,
// and changed only by AlarmAction.
func (s *Server) thresholdKinds() []*Kind {
	th := &Kind{Name: "thresholds", Title: "Thresholds", Shape: shapes.Lookup(shapes.ThresholdName),
		Types: []rdf.IRI{threshold.Class}, Implied: threshold.Class, fragments: "t", Preview: true, Jobs: true,
		Dialogs: []Dialog{
			{"select", "Select a threshold", "Threshold", "560px", "520px"},
			{"create", "Create a threshold", "Threshold", "600px", "680px"},
		}}
	check := func(id rdf.IRI, g []rdf.Triple) error {
		if err := validate(th, id, g); err != nil {
			return err
		}
		var de *threshold.DefinitionError
		if err := s.thresholds.Check(id, g); errors.As(err, &de) {
			return Errorf(http.StatusBadRequest, "body", "%s", de.Error())
		} else if err != nil {
			return err
		}
		return nil
	}
	th.validate = check
	th.create = func(ctx context.Context, n *newMember) ([]rdf.Triple, string, error) {
		g := dedupe(n.g)
		if err := check(n.id, g); err != nil {
			return nil, "", err
		}
		etag, err := s.store.Create(ctx, n.id, g)
		return g, etag, err
	}
	// A replacement that stops watching a resource clears its alarm on
	// behalf of who replaced it.
	th.replace = func(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch, who string) ([]rdf.Triple, string, error) {
		etag, err := s.thresholds.Replace(ctx, id, g, ifMatch, who)
		return g, etag, err
	}
	th.remove = func(ctx context.Context, id rdf.IRI, ifMatch, _ string) error {
		return s.store.Delete(ctx, id, ifMatch)
	}
	alarms := &Kind{Name: "alarms", Title: "Alarms", Shape: shapes.Lookup(shapes.AlarmName),
		Types: []rdf.IRI{threshold.AlarmClass}, Preview: true,
		Dialogs: []Dialog{{"select", "Select an alarm", "Alarm", "560px", "520px"}}}
	return []*Kind{th, alarms}
}

// Thresholds returns the server's threshold evaluator.
func (s *Server) Thresholds() *threshold.Evaluator { return s.thresholds }

// AlarmAction acknowledges or clears an alarm by hand (TMF642's
// acknowledge and clear), recording the authenticated principal and the
// time. If-Match, if given, must match the alarm's ETag. The body, if any,
// is ignored.
func (s *Server) AlarmAction(r *http.Request) (*Response, error) {
	id := s.iri("/oslc/alarms/" + mux.Vars(r)["id"])
	ifMatch := storeIfMatch(r.Header.Get("If-Match"))
	act := s.thresholds.Acknowledge
	if mux.Vars(r)["action"] == "clear" {
		act = s.thresholds.Clear
	}
	g, etag, err := act(r.Context(), id, ifMatch, who(r))
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, threshold.ErrNotAlarm):
		return nil, Errorf(http.StatusNotFound, "URL", "no alarm at %s", id)
	case errors.Is(err, threshold.ErrAlarmCleared):
		return nil, Errorf(http.StatusConflict, "URL", "the alarm %s is already cleared", id)
	case errors.Is(err, store.ErrPreconditionFailed):
		return nil, Errorf(http.StatusPreconditionFailed, "header If-Match", "the alarm has changed; GET it again and retry")
	case err != nil:
		return nil, err
	}
	resp := ok(id, g, Title(id, g))
	resp.Header = http.Header{}
	resp.Header.Set("ETag", etag)
	resp.Header.Set("Content-Location", id.String())
	return resp, nil
}
