package mef

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Profile is a PerformanceProfile: the values a job may be created from.
type Profile struct {
	ID               string `json:"id"`
	Href             string `json:"href"`
	CreationDate     string `json:"creationDate"`
	LastModifiedDate string `json:"lastModifiedDate,omitempty"`
	State            string `json:"state"`
	BuyerProfileID   string `json:"buyerProfileId,omitempty"`
	Description      string `json:"description,omitempty"`
	JobType          string `json:"jobType"`
	Granularity      string `json:"granularity,omitempty"`
	ReportingPeriod  string `json:"reportingPeriod,omitempty"`
	JobPriority      int    `json:"jobPriority"`
	OutputFormat     string `json:"outputFormat"`
	ResultFormat     string `json:"resultFormat"`
}

// value is the profile as a job's PerformanceProfileValue.
func (p *Profile) value() ProfileValue {
	prio := p.JobPriority
	return ProfileValue{Type: "PerformanceProfileValue", JobType: p.JobType, Granularity: p.Granularity,
		ReportingPeriod: p.ReportingPeriod, JobPriority: &prio, OutputFormat: p.OutputFormat, ResultFormat: p.ResultFormat}
}

// profileIn is a PerformanceProfile_Create or _Update.
type profileIn struct {
	BuyerProfileID  *string `json:"buyerProfileId"`
	Description     *string `json:"description"`
	JobType         *string `json:"jobType"`
	Granularity     *string `json:"granularity"`
	ReportingPeriod *string `json:"reportingPeriod"`
	JobPriority     *int    `json:"jobPriority"`
	OutputFormat    *string `json:"outputFormat"`
	ResultFormat    *string `json:"resultFormat"`
}

// set applies in to p and checks the result.
func (in *profileIn) set(p *Profile) error {
	for _, x := range []struct {
		v *string
		p *string
	}{{in.BuyerProfileID, &p.BuyerProfileID}, {in.Description, &p.Description}, {in.JobType, &p.JobType},
		{in.Granularity, &p.Granularity}, {in.ReportingPeriod, &p.ReportingPeriod}, {in.OutputFormat, &p.OutputFormat}, {in.ResultFormat, &p.ResultFormat}} {
		if x.v != nil {
			*x.p = *x.v
		}
	}
	if in.JobPriority != nil {
		p.JobPriority = *in.JobPriority
	}
	// The same checks as a job's profile value, now rather than when a
	// job uses it.
	prio := p.JobPriority
	v := ProfileValue{JobType: p.JobType, Granularity: p.Granularity, ReportingPeriod: p.ReportingPeriod, JobPriority: &prio, OutputFormat: p.OutputFormat, ResultFormat: p.ResultFormat}
	if _, err := profileValues(&v, "performanceProfile"); err != nil {
		return err
	}
	if p.JobPriority < 1 || p.JobPriority > 10 {
		return errorf(http.StatusUnprocessableEntity, "invalidValue", "jobPriority", "jobPriority: from 1 (highest) to 10, not %d", p.JobPriority)
	}
	return nil
}

func (s *Server) createProfile(w http.ResponseWriter, r *http.Request) {
	var in profileIn
	if err := readJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Profile{State: "active", JobPriority: 5, CreationDate: mefTime(s.now())}
	if err := in.set(p); err != nil {
		s.fail(w, r, err)
		return
	}
	p.ID = newID()
	p.Href = s.href("/performanceProfile/" + p.ID)
	id := s.iri("/performanceProfile/" + p.ID)
	if err := s.st.Load(r.Context(), []store.Resource{{ID: id, Triples: p.graph(id)}}); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", p.Href)
	writeJSON(w, http.StatusCreated, p)
}

// profile returns the stored profile id; false if there is none.
func (s *Server) profile(ctx context.Context, id string) (*Profile, bool, error) {
	if id == "" || strings.ContainsAny(id, "/?#%") {
		return nil, false, nil
	}
	iri := s.iri("/performanceProfile/" + id)
	g, _, err := s.st.Get(ctx, iri)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !slices.ContainsFunc(g, func(t rdf.Triple) bool { return t.Pred == vocab.RDFType && t.Obj == pmjProfile }) {
		return nil, false, nil
	}
	return readProfile(iri, g), true, nil
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	p, ok, err := s.profile(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.failCode(w, http.StatusNotFound, "", "", "no performanceProfile with id "+mux.Vars(r)["id"])
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// ProfileFind is a PerformanceProfile_Find.
type ProfileFind struct {
	ID              string `json:"id"`
	CreationDate    string `json:"creationDate"`
	State           string `json:"state"`
	BuyerProfileID  string `json:"buyerProfileId,omitempty"`
	Description     string `json:"description,omitempty"`
	JobType         string `json:"jobType"`
	Granularity     string `json:"granularity,omitempty"`
	ReportingPeriod string `json:"reportingPeriod,omitempty"`
	JobPriority     int    `json:"jobPriority"`
}

func (s *Server) listProfiles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	created, err := timeFilter(q, "creationDate")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out []ProfileFind
	err = s.members(r.Context(), "/performanceProfile", func(id rdf.IRI, g []rdf.Triple) {
		p := readProfile(id, g)
		if match(q, "buyerProfileId", p.BuyerProfileID) && match(q, "state", p.State) && match(q, "jobType", p.JobType) &&
			match(q, "granularity", p.Granularity) && match(q, "reportingPeriod", p.ReportingPeriod) &&
			match(q, "jobPriority", strconv.Itoa(p.JobPriority)) && created(parseTime(p.CreationDate)) {
			out = append(out, ProfileFind{ID: p.ID, CreationDate: p.CreationDate, State: p.State, BuyerProfileID: p.BuyerProfileID,
				Description: p.Description, JobType: p.JobType, Granularity: p.Granularity, ReportingPeriod: p.ReportingPeriod, JobPriority: p.JobPriority})
		}
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sortByID(out, func(p ProfileFind) string { return p.ID })
	page(s, w, r, out)
}

func (s *Server) patchProfile(w http.ResponseWriter, r *http.Request) {
	var in profileIn
	if err := readJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.JobType != nil {
		s.fail(w, r, errorf(http.StatusUnprocessableEntity, "unexpectedProperty", "jobType", "a profile's jobType cannot change"))
		return
	}
	id := mux.Vars(r)["id"]
	// One change of a profile at a time: each reads what the one before
	// wrote.
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok, err := s.profile(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.failCode(w, http.StatusNotFound, "", "", "no performanceProfile with id "+id)
		return
	}
	if err := in.set(p); err != nil {
		// A PATCH has no 422 in MEF: a bad value is a bad body.
		var ae *apiError
		if errors.As(err, &ae) {
			s.failCode(w, http.StatusBadRequest, "invalidBody", "", ae.msg)
			return
		}
		s.fail(w, r, err)
		return
	}
	p.LastModifiedDate = mefTime(s.now())
	iri := s.iri("/performanceProfile/" + p.ID)
	if err := s.st.Load(r.Context(), []store.Resource{{ID: iri, Triples: p.graph(iri)}}); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) deleteProfile(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok, err := s.profile(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.failCode(w, http.StatusNotFound, "", "", "no performanceProfile with id "+id)
		return
	}
	iri := s.iri("/performanceProfile/" + id)
	js, err := s.b.Jobs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, j := range js {
		if j.Profile == iri {
			s.failCode(w, http.StatusUnprocessableEntity, "performanceProfileInUse", "", "performance job "+j.Ident+" was made from the profile")
			return
		}
	}
	if err := s.st.Delete(r.Context(), iri, ""); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
