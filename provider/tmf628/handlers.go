package tmf628

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/vocab"
)

// job reads job id and its tracking records, as the API shows it.
func (s *Server) job(ctx context.Context, id string, onDemand bool) (*Job, error) {
	j, err := s.b.Job(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := jobKindError(onDemand, j, id); err != nil {
		return nil, err
	}
	trs, err := s.b.Tracking(ctx, j.IRI)
	if err != nil {
		return nil, err
	}
	return s.jobJSON(j, trs, s.indicatorGroups()), nil
}

func (s *Server) listJobs(onDemand bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		js, err := s.b.Jobs(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		groups := s.indicatorGroups()
		var items []any
		for _, j := range js {
			if j.OnDemand != onDemand {
				continue
			}
			trs, err := s.b.Tracking(r.Context(), j.IRI)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			items = append(items, s.jobJSON(j, trs, groups))
		}
		s.writeList(w, r, items, []string{"fileTransferData"})
	}
}

// writeList answers a list: the items the query's attribute filters
// select (attribute=value, values separated by commas are
// alternatives), from offset, at most limit, each with the attributes
// fields names (and id, href and those the schema requires).
func (s *Server) writeList(w http.ResponseWriter, r *http.Request, items []any, required []string) {
	q := r.URL.Query()
	offset, limit := 0, -1
	var fields []string
	filters := map[string][]string{}
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "offset", "limit":
			n, err := jobview.Count(k, v)
			if err != nil {
				s.Fail(w, r, http.StatusBadRequest, err.Error())
				return
			}
			if k == "offset" {
				offset = n
			} else {
				limit = n
			}
		case "fields":
			fields = strings.Split(v, ",")
		default:
			filters[k] = strings.Split(v, ",")
		}
	}
	var out []map[string]any
	for _, it := range items {
		m := toMap(it)
		ok := true
		for k, alts := range filters {
			v, has := m[k]
			if !has {
				if !knownAttribute(it, k) {
					s.Fail(w, r, http.StatusBadRequest, fmt.Sprintf("%s: not an attribute to filter on", k))
					return
				}
				ok = false
				break
			}
			if !slices.Contains(alts, scalar(v)) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, m)
		}
	}
	out = jobview.Window(w, out, offset, limit)
	if fields != nil {
		keep := append([]string{"id", "href", "@type"}, required...)
		for _, f := range fields {
			keep = append(keep, strings.TrimSpace(f))
		}
		for _, m := range out {
			for k := range m {
				if !slices.Contains(keep, k) {
					delete(m, k)
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func toMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// knownAttribute says whether k is a JSON attribute of v's type.
func knownAttribute(v any, k string) bool {
	b, _ := json.Marshal(v)
	var m map[string]any
	json.Unmarshal(b, &m)
	_, ok := m[k]
	if ok {
		return true
	}
	// An attribute left out when empty is still one to filter on.
	return slices.Contains(writable, k) || slices.Contains(managed, k) || k == "description" || k == "user" || k == "time" || k == "systemId" || k == "name"
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (s *Server) getJob(onDemand bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		j, err := s.job(r.Context(), mux.Vars(r)["id"], onDemand)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeFields(w, r, http.StatusOK, j, []string{"fileTransferData"})
	}
}

// writeFields writes v with the attributes the fields parameter names.
func writeFields(w http.ResponseWriter, r *http.Request, status int, v any, required []string) {
	f := r.URL.Query().Get("fields")
	if f == "" {
		writeJSON(w, status, v)
		return
	}
	keep := append([]string{"id", "href", "@type"}, required...)
	keep = append(keep, strings.Split(f, ",")...)
	m := toMap(v)
	for k := range m {
		if !slices.Contains(keep, k) {
			delete(m, k)
		}
	}
	writeJSON(w, status, m)
}

func (s *Server) createJob(onDemand bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readObject(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if _, ok := body["fileTransferData"]; !ok {
			s.Fail(w, r, http.StatusBadRequest, "fileTransferData: required (it may only say how long reports are kept: the provider says where they are)")
			return
		}
		root, _ := rdf.NewBlank("job")
		g, err := s.edit(root, nil, body, onDemand, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		j, err := s.b.Create(r.Context(), root, g, who(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out, err := s.job(r.Context(), j.Ident, onDemand)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Location", out.Href)
		writeJSON(w, http.StatusCreated, out)
	}
}

func (s *Server) patchJob(onDemand bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := mux.Vars(r)["id"]
		body, err := readObject(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		j, err := s.b.Job(r.Context(), id)
		if err == nil {
			err = jobKindError(onDemand, j, id)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := checkAttributes(body); err != nil {
			s.fail(w, r, err)
			return
		}
		cur := s.jobJSON(j, nil, s.indicatorGroups())
		cancel := false
		for _, k := range managed {
			raw, ok := body[k]
			if !ok {
				continue
			}
			if k == "executionState" {
				var v string
				json.Unmarshal(raw, &v)
				if v == "cancelled" {
					cancel = true
					continue
				}
				if v == cur.ExecutionState {
					continue
				}
				s.Fail(w, r, http.StatusBadRequest, fmt.Sprintf("executionState: the provider changes it; a client may only set it to cancelled, not %q", v))
				return
			}
			if k == "id" || k == "href" || k == "jobId" {
				var v string
				json.Unmarshal(raw, &v)
				if v == scalar(toMap(cur)[k]) {
					continue
				}
			}
			s.Fail(w, r, http.StatusBadRequest, fmt.Sprintf("%s: read-only", k))
			return
		}
		changes := false
		for k := range body {
			if slices.Contains(writable, k) && !strings.HasPrefix(k, "@") && k != "fileTransferData" || k == "fileTransferData" && retentionIn(body[k]) {
				changes = true
			}
		}
		if changes {
			_, err = s.b.Update(r.Context(), id, func(iri rdf.IRI, g []rdf.Triple) ([]rdf.Triple, error) {
				return s.edit(iri, g, body, onDemand, false)
			}, who(r))
			if err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if cancel {
			if _, err := s.b.Act(r.Context(), id, jobs.Cancel, who(r)); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		out, err := s.job(r.Context(), id, onDemand)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func retentionIn(raw json.RawMessage) bool {
	var fs []FileTransferData
	json.Unmarshal(raw, &fs)
	for _, f := range fs {
		if f.RetentionPeriod != nil {
			return true
		}
	}
	return false
}

func (s *Server) deleteJob(onDemand bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := mux.Vars(r)["id"]
		j, err := s.b.Job(r.Context(), id)
		if err == nil {
			err = jobKindError(onDemand, j, id)
		}
		if err == nil {
			err = s.b.Delete(r.Context(), id, who(r))
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// Indicator is a PerformanceIndicatorSpecification: a pm metric.
type Indicator struct {
	ID                string `json:"id"`
	Href              string `json:"href"`
	Name              string `json:"name"`
	Description       string `json:"description,omitempty"`
	IndicatorCategory string `json:"indicatorCategory,omitempty"`
	IndicatorType     string `json:"indicatorType"`
	CollectionType    string `json:"collectionType"`
	Perspective       string `json:"perspective,omitempty"`
	Type              string `json:"@type"`
}

// GroupSpecification is a PerformanceIndicatorGroupSpecification: a pm
// metric category with the metrics of it the provider measures.
type GroupSpecification struct {
	ID         string         `json:"id"`
	Href       string         `json:"href"`
	Name       string         `json:"name"`
	Indicators []IndicatorRef `json:"performanceIndicatorSpecification"`
	Type       string         `json:"@type"`
}

func (s *Server) indicatorJSON(in *jobview.Indicator) Indicator {
	id := indicatorID(in.IRI)
	out := Indicator{ID: id, Href: s.href("/performanceIndicatorSpecification/" + id), Name: jobview.Name(in.IRI),
		Description: in.Comment, IndicatorType: "double", CollectionType: "gauge", Type: "PerformanceIndicatorSpecification"}
	if len(in.Groups) > 0 {
		out.IndicatorCategory = jobview.Name(in.Groups[0])
	}
	return out
}

func (s *Server) groupSpec(g rdf.IRI, members []rdf.IRI) GroupSpecification {
	if members == nil {
		_, gs := s.b.Indicators()
		for _, x := range gs {
			if x.IRI == g {
				members = x.Indicators
			}
		}
	}
	id := indicatorID(g)
	out := GroupSpecification{ID: id, Href: s.href("/performanceIndicatorGroupSpecification/" + id), Name: jobview.Name(g), Type: "PerformanceIndicatorGroupSpecification",
		Indicators: []IndicatorRef{}}
	for _, m := range members {
		out.Indicators = append(out.Indicators, IndicatorRef{ID: indicatorID(m), Href: s.href("/performanceIndicatorSpecification/" + indicatorID(m)), Name: jobview.Name(m)})
	}
	return out
}

func (s *Server) listIndicators(w http.ResponseWriter, r *http.Request) {
	ins, _ := s.b.Indicators()
	var items []any
	for _, in := range ins {
		items = append(items, s.indicatorJSON(in))
	}
	s.writeList(w, r, items, nil)
}

func (s *Server) getIndicator(w http.ResponseWriter, r *http.Request) {
	ins, _ := s.b.Indicators()
	id := mux.Vars(r)["id"]
	for _, in := range ins {
		if indicatorID(in.IRI) == id {
			writeFields(w, r, http.StatusOK, s.indicatorJSON(in), nil)
			return
		}
	}
	s.Fail(w, r, http.StatusNotFound, fmt.Sprintf("no performanceIndicatorSpecification with id %s: no collector of the provider measures %s", id, vocab.Short(vocab.PM+id)))
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	_, gs := s.b.Indicators()
	var items []any
	for _, g := range gs {
		items = append(items, s.groupSpec(g.IRI, g.Indicators))
	}
	s.writeList(w, r, items, []string{"name", "performanceIndicatorSpecification"})
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	_, gs := s.b.Indicators()
	id := mux.Vars(r)["id"]
	for _, g := range gs {
		if indicatorID(g.IRI) == id {
			writeFields(w, r, http.StatusOK, s.groupSpec(g.IRI, g.Indicators), []string{"name", "performanceIndicatorSpecification"})
			return
		}
	}
	s.Fail(w, r, http.StatusNotFound, fmt.Sprintf("no performanceIndicatorGroupSpecification with id %s", id))
}

func (s *Server) listTracking(w http.ResponseWriter, r *http.Request) {
	var job rdf.IRI
	// measurementJob (an extension) keeps the records of one job, by its
	// id in this API.
	if v := r.URL.Query().Get("measurementJob"); v != "" {
		j, err := s.b.Job(r.Context(), v)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		job = j.IRI
		r.URL.RawQuery = dropParam(r.URL.Query(), "measurementJob")
	}
	trs, err := s.b.Tracking(r.Context(), job)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var items []any
	for _, tr := range trs {
		items = append(items, s.trackingJSON(tr))
	}
	s.writeList(w, r, items, nil)
}

func dropParam(q url.Values, k string) string {
	q.Del(k)
	return q.Encode()
}

func (s *Server) getTracking(w http.ResponseWriter, r *http.Request) {
	tr, err := s.b.TrackingRecord(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeFields(w, r, http.StatusOK, s.trackingJSON(tr), nil)
}
