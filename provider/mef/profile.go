package mef

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"
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
	s.mu.Lock()
	s.next++
	p.ID = "profile-" + strconv.Itoa(s.next)
	p.Href = s.href("/performanceProfile/" + p.ID)
	s.profiles[p.ID] = p
	s.mu.Unlock()
	w.Header().Set("Location", p.Href)
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) profile(id string) (Profile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.profiles[id]
	if p == nil {
		return Profile{}, false
	}
	return *p, true
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	p, ok := s.profile(mux.Vars(r)["id"])
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
	s.mu.Lock()
	var out []ProfileFind
	for _, p := range s.profiles {
		if match(q, "buyerProfileId", p.BuyerProfileID) && match(q, "state", p.State) && match(q, "jobType", p.JobType) &&
			match(q, "granularity", p.Granularity) && match(q, "reportingPeriod", p.ReportingPeriod) &&
			match(q, "jobPriority", strconv.Itoa(p.JobPriority)) && created(parseTime(p.CreationDate)) {
			out = append(out, ProfileFind{ID: p.ID, CreationDate: p.CreationDate, State: p.State, BuyerProfileID: p.BuyerProfileID,
				Description: p.Description, JobType: p.JobType, Granularity: p.Granularity, ReportingPeriod: p.ReportingPeriod, JobPriority: p.JobPriority})
		}
	}
	s.mu.Unlock()
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
	s.mu.Lock()
	p := s.profiles[id]
	var next Profile
	if p != nil {
		next = *p
	}
	s.mu.Unlock()
	if p == nil {
		s.failCode(w, http.StatusNotFound, "", "", "no performanceProfile with id "+id)
		return
	}
	if err := in.set(&next); err != nil {
		// A PATCH has no 422 in MEF: a bad value is a bad body.
		var ae *apiError
		if errors.As(err, &ae) {
			s.failCode(w, http.StatusBadRequest, "invalidBody", "", ae.msg)
			return
		}
		s.fail(w, r, err)
		return
	}
	next.LastModifiedDate = mefTime(s.now())
	s.mu.Lock()
	*p = next
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, next)
}

func (s *Server) deleteProfile(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.profiles[id] == nil {
		s.failCode(w, http.StatusNotFound, "", "", "no performanceProfile with id "+id)
		return
	}
	for job, pid := range s.jobProfile {
		if pid == id {
			if _, err := s.b.Job(r.Context(), job); err == nil {
				s.failCode(w, http.StatusUnprocessableEntity, "performanceProfileInUse", "", "performance job "+job+" was made from the profile")
				return
			}
		}
	}
	delete(s.profiles, id)
	w.WriteHeader(http.StatusNoContent)
}
