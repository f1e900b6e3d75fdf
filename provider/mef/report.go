package mef

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobview"
)

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func sortByID[T any](xs []T, id func(T) string) {
	slices.SortFunc(xs, func(a, b T) int { return strings.Compare(id(a), id(b)) })
}

// Timeframe is a ReportingTimeframe.
type Timeframe struct {
	Start string `json:"reportingStartDate"`
	End   string `json:"reportingEndDate"`
}

// Report is a PerformanceReport: a job's report of one reporting period,
// its data at reportUrl (CSV, or RDF through the OSLC API).
type Report struct {
	ID               string     `json:"id"`
	Href             string     `json:"href"`
	CreationDate     string     `json:"creationDate"`
	LastModifiedDate string     `json:"lastModifiedDate,omitempty"`
	State            string     `json:"state"`
	FailureReason    string     `json:"failureReason,omitempty"`
	Description      string     `json:"description,omitempty"`
	Job              *JobRef    `json:"performanceJob,omitempty"`
	Timeframe        *Timeframe `json:"reportingTimeframe,omitempty"`
	ReportURL        *URL       `json:"reportUrl,omitempty"`
}

// URL is an AttachmentURL.
type URL struct {
	URL string `json:"url"`
}

func (s *Server) reportJSON(rp *jobview.Report) Report {
	out := Report{ID: rp.Ident, Href: s.href("/performanceReport/" + rp.Ident), CreationDate: mefTime(rp.Created),
		State: "completed", Description: rp.Title,
		Timeframe: &Timeframe{Start: mefTime(rp.Start), End: mefTime(rp.End)},
		ReportURL: &URL{URL: rp.IRI.String()}}
	if rp.Job != (rdf.IRI{}) {
		id := lastSegment(rp.Job.String())
		out.Job = &JobRef{ID: id, Href: s.href("/performanceJob/" + id), Type: "PerformanceJobRef"}
	}
	if rp.Collected == 0 && rp.Missed > 0 {
		out.State, out.FailureReason = "failed", "none of the granularity periods due was collected"
	}
	return out
}

func lastSegment(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

func (s *Server) listReports(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	created, err := timeFilter(q, "creationDate")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	starts, err := timeFilter(q, "reportingTimeframe.startDate")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ends, err := timeFilter(q, "reportingTimeframe.endDate")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var job rdf.IRI
	if v := q.Get("performanceJobId"); v != "" {
		j, err := s.b.Job(r.Context(), v)
		if err != nil {
			page(s, w, r, []Report{})
			return
		}
		job = j.IRI
	}
	rps, err := s.b.Reports(r.Context(), job)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out []Report
	for _, rp := range rps {
		v := s.reportJSON(rp)
		if created(rp.Created) && starts(rp.Start) && ends(rp.End) && match(q, "state", v.State) &&
			match(q, "granularity", intervalOf(rp.Granularity)) && match(q, "outputFormat", "csv") && match(q, "resultFormat", "attachment") {
			out = append(out, v)
		}
	}
	page(s, w, r, out)
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request) {
	rp, err := s.b.Report(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.reportJSON(rp))
}

// Tracking is a MEF TrackingRecord.
type Tracking struct {
	ID              string `json:"id"`
	CreationDate    string `json:"creationDate"`
	RelatedObjectID string `json:"relatedObjectId"`
	Description     string `json:"description,omitempty"`
	User            string `json:"user,omitempty"`
	System          string `json:"system,omitempty"`
}

func trackingJSON(tr *jobview.Tracking) Tracking {
	return Tracking{ID: tr.Ident, CreationDate: mefTime(tr.Date), RelatedObjectID: lastSegment(tr.Job.String()),
		Description: tr.Description, User: tr.Creator, System: "pmprovider"}
}

func (s *Server) listTracking(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	created, err := timeFilter(q, "creationDate")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var job rdf.IRI
	if v := q.Get("relatedObjectId"); v != "" {
		j, err := s.b.Job(r.Context(), v)
		if err == nil {
			job = j.IRI
		} else if job, err = rdf.NewIRI(s.b.URL("/oslc/jobs/" + v)); err != nil {
			page(s, w, r, []Tracking{})
			return
		}
	}
	trs, err := s.b.Tracking(r.Context(), job)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out []Tracking
	for _, tr := range trs {
		if created(tr.Date) && match(q, "user", tr.Creator) {
			out = append(out, trackingJSON(tr))
		}
	}
	page(s, w, r, out)
}

func (s *Server) getTracking(w http.ResponseWriter, r *http.Request) {
	tr, err := s.b.TrackingRecord(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, trackingJSON(tr))
}
