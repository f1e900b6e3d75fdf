// Package mef serves the MEF LSO Legato Performance Monitoring API
// (performanceJob with its cancel, modify, suspend and resume tasks,
// performanceProfile, performanceReport, trackingRecord, hub) as JSON over
// the provider's own resources: a performance job is the
// pmj:MeasurementJob the OSLC API serves, its states the engine's (which
// are MEF's), its reports the job's pmj:PerformanceReports.
//
// Performance profiles and the task resources are RDF resources of their
// own in the store, at their URL in this API (pmj:PerformanceProfile,
// pmj:JobTask; see resources.go): a profile is a template a job is
// created from (the job keeps its values and links the profile), and a
// task is carried out when it is created, its outcome stored with it and
// recorded in the job's tracking records. Listeners of the hub are
// subscriptions of the provider's event hub in the format FormatName
// (hub.go): they outlive the process, and hear of jobs, tasks and
// profiles changed through any API.
package mef

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/provider/oslc"
)

// BasePath is where the API lives under the provider's base URL.
const BasePath = "/mefApi/legato/performanceMonitoring/v2"

const maxBody = 1 << 20

// Server answers the MEF API.
type Server struct {
	b   *jobview.Backend
	hub *jobview.Hub
	log *slog.Logger
	now func() time.Time

	st Store
	mu sync.Mutex // serializes the changes of profiles
}

// New returns a Server over b, keeping its own resources in st. Its listeners are subscriptions of hub,
// in the format FormatName, which New registers: call it before the hub
// starts.
func New(b *jobview.Backend, st Store, hub *notify.Hub, log *slog.Logger, now func() time.Time) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{b: b, st: st, log: log, now: now}
	// Profiles change too, besides what is created and deleted.
	s.hub = &jobview.Hub{Notify: hub, Format: FormatName, EventTypes: eventTypes,
		Types: []notify.Type{notify.ResourceCreated, notify.ResourceChanged, notify.ResourceDeleted}}
	hub.RegisterFormat(FormatName, s.Format)
	return s
}

// Routes returns the API's routes.
func (s *Server) Routes() []jobview.Route {
	get := []string{http.MethodGet, http.MethodHead}
	post := []string{http.MethodPost}
	p := func(path string) string { return BasePath + path }
	rs := []jobview.Route{
		{Path: p("/performanceJob"), Methods: get, Op: auth.Read, Handler: s.listJobs},
		{Path: p("/performanceJob"), Methods: post, Op: auth.JobWrite, Handler: s.createJob},
		{Path: p("/performanceJob/{id}"), Methods: get, Op: auth.Read, Handler: s.getJob},
		{Path: p("/performanceProfile"), Methods: get, Op: auth.Read, Handler: s.listProfiles},
		{Path: p("/performanceProfile"), Methods: post, Op: auth.JobWrite, Handler: s.createProfile},
		{Path: p("/performanceProfile/{id}"), Methods: get, Op: auth.Read, Handler: s.getProfile},
		{Path: p("/performanceProfile/{id}"), Methods: []string{http.MethodPatch}, Op: auth.JobWrite, Handler: s.patchProfile},
		{Path: p("/performanceProfile/{id}"), Methods: []string{http.MethodDelete}, Op: auth.JobWrite, Handler: s.deleteProfile},
		{Path: p("/performanceReport"), Methods: get, Op: auth.Read, Handler: s.listReports},
		{Path: p("/performanceReport/{id}"), Methods: get, Op: auth.Read, Handler: s.getReport},
		{Path: p("/trackingRecord"), Methods: get, Op: auth.Read, Handler: s.listTracking},
		{Path: p("/trackingRecord/{id}"), Methods: get, Op: auth.Read, Handler: s.getTracking},
		{Path: p("/hub"), Methods: post, Op: auth.Read, Handler: s.register},
		{Path: p("/hub/{id}"), Methods: get, Op: auth.Read, Handler: s.getListener},
		{Path: p("/hub/{id}"), Methods: []string{http.MethodDelete}, Op: auth.Read, Handler: s.unregister},
	}
	for _, kind := range taskKinds {
		rs = append(rs,
			jobview.Route{Path: p("/" + kind + "PerformanceJob"), Methods: get, Op: auth.Read, Handler: s.listTasks(kind)},
			jobview.Route{Path: p("/" + kind + "PerformanceJob"), Methods: post, Op: auth.JobWrite, Handler: s.createTask(kind)},
			jobview.Route{Path: p("/" + kind + "PerformanceJob/{id}"), Methods: get, Op: auth.Read, Handler: s.getTask(kind)},
		)
	}
	return rs
}

// Error is the MEF Error (Error400, Error404, ... by code).
type Error struct {
	Code         string `json:"code"`
	Reason       string `json:"reason"`
	Message      string `json:"message,omitempty"`
	PropertyPath string `json:"propertyPath,omitempty"`
}

// codes are the MEF error codes by status.
var codes = map[int]string{
	http.StatusBadRequest:          "invalidBody",
	http.StatusUnauthorized:        "missingCredentials",
	http.StatusForbidden:           "accessDenied",
	http.StatusNotFound:            "notFound",
	http.StatusConflict:            "conflict",
	http.StatusUnprocessableEntity: "invalidValue",
	http.StatusInternalServerError: "internalError",
	http.StatusNotImplemented:      "notImplemented",
}

// Fail writes a MEF Error with status and message.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.failCode(w, status, "", "", msg)
}

func (s *Server) failCode(w http.ResponseWriter, status int, code, path, msg string) {
	if code == "" {
		code = codes[status]
		if status == http.StatusUnauthorized && strings.HasPrefix(msg, "authentication failed") {
			code = "invalidCredentials"
		}
	}
	if code == "" {
		// A status MEF has no code for: its text, as MEF spells codes.
		words := strings.Fields(http.StatusText(status))
		for i, w := range words {
			if i == 0 {
				w = strings.ToLower(w)
			}
			code += strings.ReplaceAll(w, "-", "")
		}
	}
	e := Error{Code: code, Reason: http.StatusText(status), Message: msg, PropertyPath: path}
	if status == http.StatusUnprocessableEntity {
		// MEF answers a 422 with every problem found: a list.
		writeJSON(w, status, []Error{e})
		return
	}
	writeJSON(w, status, e)
}

// apiError is an error of this package with its status and MEF code.
type apiError struct {
	status     int
	code, path string
	msg        string
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, code, path, format string, args ...any) error {
	return &apiError{status: status, code: code, path: path, msg: fmt.Sprintf(format, args...)}
}

// fail writes err. A job definition the engine refuses is a 422.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var de *jobs.DefinitionError
	switch {
	case errors.As(err, &ae):
		s.failCode(w, ae.status, ae.code, ae.path, ae.msg)
	case errors.Is(err, jobview.ErrNotFound), errors.Is(err, jobs.ErrNoJob):
		s.failCode(w, http.StatusNotFound, "", "", "no "+resourceName(r)+" with id "+mux.Vars(r)["id"])
	case errors.As(err, &de):
		s.failCode(w, http.StatusUnprocessableEntity, "invalidValue", "", de.Error())
	default:
		e := s.b.Error(r, err)
		status := e.Status
		if status == http.StatusBadRequest && e.Where == "body" {
			status = http.StatusUnprocessableEntity
		}
		s.failCode(w, status, "", "", e.Message)
	}
}

func resourceName(r *http.Request) string { return jobview.ResourceName(r, BasePath) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	jobview.WriteJSON(w, status, v, `{"code":"internalError","reason":"Internal Server Error"}`)
}

// readJSON reads a JSON body into v, refusing attributes v does not have.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errorf(http.StatusBadRequest, "invalidBody", "", "the body must be application/json, not %s", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return errorf(http.StatusBadRequest, "invalidBody", "", "cannot read the body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return errorf(http.StatusUnprocessableEntity, "unexpectedProperty", "", "%v", err)
		}
		return errorf(http.StatusBadRequest, "invalidBody", "", "the body is not the JSON expected: %v", err)
	}
	return nil
}

// page answers a list: items from offset, at most limit, with the
// X-Total-Count and X-Result-Count headers.
func page[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T) {
	q := r.URL.Query()
	offset, limit := 0, -1
	for _, k := range []string{"offset", "limit"} {
		if v := q.Get(k); v != "" {
			n, err := jobview.Count(k, v)
			if err != nil {
				s.failCode(w, http.StatusBadRequest, "invalidQuery", "", err.Error())
				return
			}
			if k == "offset" {
				offset = n
			} else {
				limit = n
			}
		}
	}
	writeJSON(w, http.StatusOK, jobview.Window(w, items, offset, limit))
}

// timeFilter reads the .gt and .lt parameters of name, and says whether t
// is within them.
func timeFilter(q map[string][]string, name string) (func(t time.Time) bool, error) {
	var gt, lt time.Time
	for _, x := range []struct {
		suffix string
		t      *time.Time
	}{{".gt", &gt}, {".lt", &lt}} {
		if vs := q[name+x.suffix]; len(vs) > 0 {
			t, err := time.Parse(time.RFC3339Nano, vs[0])
			if err != nil {
				return nil, errorf(http.StatusBadRequest, "invalidQuery", "", "%s%s: %q is not an RFC 3339 date-time", name, x.suffix, vs[0])
			}
			*x.t = t
		}
	}
	return func(t time.Time) bool {
		return (gt.IsZero() || t.After(gt)) && (lt.IsZero() || t.Before(lt))
	}, nil
}

func who(r *http.Request) string { return oslc.Who(r) }

func (s *Server) href(path string) string { return s.b.URL(BasePath + path) }

func mefTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
