package oslc

import (
	"bytes"
	"mime"
	"net/http"
	"strings"

	"github.com/oslc-pm/pmprovider/provider/report"
)

// WantsReportFile tells whether r asks for a report file (CSV or 3GPP)
// rather than an RDF representation.
func WantsReportFile(r *http.Request) bool { return report.Negotiate(r) != "" }

// ReportFile serves a report as CSV or as a 3GPP measCollecFile.
func (s *Server) ReportFile(w http.ResponseWriter, r *http.Request) {
	id := s.RequestIRI(r)
	rep, err := report.Read(r.Context(), s.store, id)
	if err != nil {
		s.WriteError(w, r, err)
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
		s.WriteError(w, r, err)
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
