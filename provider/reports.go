package provider

import (
	"bytes"
	"mime"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/report"
)

// Media types of the report files, besides the RDF formats every
// resource has (package report writes the files).
const (
	// MediaCSV is a report as CSV: one row per resource, period and metric.
	MediaCSV = report.MediaCSV
	// Media3GPP is a report as a 3GPP TS 32.435 measCollecFile. Plain
	// application/xml stays RDF/XML, as for every other resource.
	Media3GPP = report.Media3GPP
)

// reportRoutes registers what this file and its siblings serve: report
// files, the event stream and ad-hoc collections. It runs before the
// generic routes, which it takes precedence over.
func (s *Server) reportRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/oslc/reports/{id}", s.handleReportFile).Methods(get...).MatcherFunc(wantsReportFile)
	r.HandleFunc("/oslc/events", s.handleEvents).Methods(get...)
	s.adhocRoutes(r)
}

// wantsReportFile matches the requests for a report file rather than an
// RDF representation.
func wantsReportFile(r *http.Request, _ *mux.RouteMatch) bool { return report.Negotiate(r) != "" }

// handleReportFile serves a report as CSV or as a 3GPP measCollecFile.
func (s *Server) handleReportFile(w http.ResponseWriter, r *http.Request) {
	id := s.requestIRI(r)
	rep, err := report.Read(r.Context(), s.store, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	mt := report.Negotiate(r)
	switch mt {
	case report.MediaCSV:
		err = report.WriteCSV(&buf, rep)
	default:
		err = report.Write3GPP(&buf, rep, s.base)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := report.FileName(strings.TrimPrefix(id.String(), s.base+"/oslc/reports/"), mt)
	h := w.Header()
	h.Set("Content-Type", mt+"; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	h.Add("Vary", "Accept")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}
