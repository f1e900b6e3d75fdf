// Package tmf628 serves the TM Forum TMF628 Performance Management API
// v4 (measurementCollectionJob, onDemandCollection, performance indicator
// specifications and groups, trackingRecord, hub) as JSON over the
// provider's own resources: a measurement collection job is the
// pmj:MeasurementJob the OSLC API serves, read and written through
// jobview, never a copy. Listeners of the hub are subscriptions of the
// provider's event hub in the format FormatName (hub.go): stored, so that
// they outlive the process, and given the events of jobs changed through
// any API, in order, with retries and a dead letter.
package tmf628

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/provider/oslc"
)

// BasePath is where the API lives under the provider's base URL (the
// specification's basePath).
const BasePath = "/tmf-api/performance/v4"

// maxBody bounds a request body.
const maxBody = 1 << 20

// Server answers the TMF628 API.
type Server struct {
	b   *jobview.Backend
	hub *jobview.Hub
	log *slog.Logger
}

// New returns a Server over b. Its listeners are subscriptions of hub,
// in the format FormatName, which New registers: call it before the hub
// starts.
func New(b *jobview.Backend, hub *notify.Hub, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{b: b, log: log}
	// Jobs are created and deleted, tracking records, reports and
	// notifications created: the changes the API announces.
	s.hub = &jobview.Hub{Notify: hub, Format: FormatName, EventTypes: eventTypes(),
		Types: []notify.Type{notify.ResourceCreated, notify.ResourceDeleted}}
	hub.RegisterFormat(FormatName, s.Format)
	return s
}

// Routes returns the API's routes.
func (s *Server) Routes() []jobview.Route {
	get := []string{http.MethodGet, http.MethodHead}
	p := func(path string) string { return BasePath + path }
	rs := []jobview.Route{
		{Path: p("/measurementCollectionJob"), Methods: get, Op: auth.Read, Handler: s.listJobs(false)},
		{Path: p("/measurementCollectionJob"), Methods: []string{http.MethodPost}, Op: auth.JobWrite, Handler: s.createJob(false)},
		{Path: p("/measurementCollectionJob/{id}"), Methods: get, Op: auth.Read, Handler: s.getJob(false)},
		{Path: p("/measurementCollectionJob/{id}"), Methods: []string{http.MethodPatch}, Op: auth.JobWrite, Handler: s.patchJob(false)},
		{Path: p("/measurementCollectionJob/{id}"), Methods: []string{http.MethodDelete}, Op: auth.JobWrite, Handler: s.deleteJob(false)},
		{Path: p("/onDemandCollection"), Methods: get, Op: auth.Read, Handler: s.listJobs(true)},
		{Path: p("/onDemandCollection"), Methods: []string{http.MethodPost}, Op: auth.JobWrite, Handler: s.createJob(true)},
		{Path: p("/onDemandCollection/{id}"), Methods: get, Op: auth.Read, Handler: s.getJob(true)},
		{Path: p("/onDemandCollection/{id}"), Methods: []string{http.MethodPatch}, Op: auth.JobWrite, Handler: s.patchJob(true)},
		{Path: p("/onDemandCollection/{id}"), Methods: []string{http.MethodDelete}, Op: auth.JobWrite, Handler: s.deleteJob(true)},
		{Path: p("/performanceIndicatorSpecification"), Methods: get, Op: auth.Read, Handler: s.listIndicators},
		{Path: p("/performanceIndicatorSpecification/{id}"), Methods: get, Op: auth.Read, Handler: s.getIndicator},
		{Path: p("/performanceIndicatorGroupSpecification"), Methods: get, Op: auth.Read, Handler: s.listGroups},
		{Path: p("/performanceIndicatorGroupSpecification/{id}"), Methods: get, Op: auth.Read, Handler: s.getGroup},
		{Path: p("/trackingRecord"), Methods: get, Op: auth.Read, Handler: s.listTracking},
		{Path: p("/trackingRecord/{id}"), Methods: get, Op: auth.Read, Handler: s.getTracking},
		{Path: p("/hub"), Methods: []string{http.MethodPost}, Op: auth.Read, Handler: s.register},
		{Path: p("/hub/{id}"), Methods: []string{http.MethodDelete}, Op: auth.Read, Handler: s.unregister},
	}
	// The indicators are the pm vocabulary's and the collectors': a
	// client cannot define new ones.
	for _, path := range []string{"/performanceIndicatorSpecification", "/performanceIndicatorGroupSpecification"} {
		rs = append(rs,
			jobview.Route{Path: p(path), Methods: []string{http.MethodPost}, Op: auth.Read, Handler: s.readOnly},
			jobview.Route{Path: p(path + "/{id}"), Methods: []string{http.MethodPatch, http.MethodDelete}, Op: auth.Read, Handler: s.readOnly},
		)
	}
	return rs
}

// Error is the TMF Error resource.
type Error struct {
	Code    string `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
	Status  string `json:"status,omitempty"`
	Type    string `json:"@type,omitempty"`
}

// Fail writes a TMF Error with status and message.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, Error{Code: strconv.Itoa(status), Reason: http.StatusText(status), Message: msg, Status: strconv.Itoa(status), Type: "Error"})
}

// apiError is an error with its HTTP status, made by this package.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// fail writes err: the package's own with their status, the rest as the
// OSLC API maps them (a job definition's faults are a 400, a state that
// refuses an operation a 409, ...).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		s.Fail(w, r, ae.status, ae.msg)
		return
	}
	if errors.Is(err, jobview.ErrNotFound) {
		s.Fail(w, r, http.StatusNotFound, "no "+resourceName(r)+" with id "+mux.Vars(r)["id"])
		return
	}
	e := s.b.Error(r, err)
	s.Fail(w, r, e.Status, e.Message)
}

func resourceName(r *http.Request) string { return jobview.ResourceName(r, BasePath) }

func (s *Server) readOnly(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD")
	s.Fail(w, r, http.StatusMethodNotAllowed, "performance indicators and their groups are those of the pm vocabulary that the provider's collectors measure: they cannot be created, changed or deleted")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	jobview.WriteJSON(w, status, v, `{"code":"500","reason":"Internal Server Error"}`)
}

// readObject reads a JSON object body into its attributes.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return nil, errorf(http.StatusUnsupportedMediaType, "the body must be application/json, not %s", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "cannot read the body: %v", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, errorf(http.StatusBadRequest, "the body is not a JSON object: %v", err)
	}
	return m, nil
}

// who names the client for audit trails.
func who(r *http.Request) string { return oslc.Who(r) }

// href is the absolute URL of a resource of the API.
func (s *Server) href(path string) string { return s.b.URL(BasePath + path) }
