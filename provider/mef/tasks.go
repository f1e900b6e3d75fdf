package mef

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// taskKinds are the task resources, as their paths start:
// cancelPerformanceJob, ...
var taskKinds = []string{"cancel", "modify", "suspend", "resume"}

// JobRef is a PerformanceJobRef.
type JobRef struct {
	ID   string `json:"id"`
	Href string `json:"href,omitempty"`
	Type string `json:"@type,omitempty"`
}

// Task is one of CancelPerformanceJob, ModifyPerformanceJob,
// SuspendPerformanceJob and ResumePerformanceJob: their common attributes,
// the reason the client gives and the reason of a refusal, under the
// names of each.
type Task struct {
	ID           string  `json:"id"`
	Href         string  `json:"href"`
	CreationDate string  `json:"creationDate"`
	State        string  `json:"state"`
	Job          *JobRef `json:"performanceJob"`

	CancellationReason       string `json:"cancellationReason,omitempty"`
	CancellationDeniedReason string `json:"cancellationDeniedReason,omitempty"`
	SuspensionReason         string `json:"suspensionReason,omitempty"`
	SuspensionDeniedReason   string `json:"suspensionDeniedReason,omitempty"`
	ResumptionReason         string `json:"resumptionReason,omitempty"`
	ResumptionDeniedReason   string `json:"resumptionDeniedReason,omitempty"`
	ModificationReason       string `json:"modificationReason,omitempty"`
	ModificationDeniedReason string `json:"modificationDeniedReason,omitempty"`

	// A modification's new values.
	Description            string              `json:"description,omitempty"`
	BuyerJobID             string              `json:"buyerJobId,omitempty"`
	ConsumingApplicationID string              `json:"consumingApplicationId,omitempty"`
	ProducingApplicationID string              `json:"producingApplicationId,omitempty"`
	FileTransferData       *FileTransferData   `json:"fileTransferData,omitempty"`
	PerformanceProfile     *ProfileValue       `json:"performanceProfile,omitempty"`
	ScheduleDefinition     *ScheduleDefinition `json:"scheduleDefinition,omitempty"`
	Payload                *Payload            `json:"servicePayloadSpecificAttributes,omitempty"`
}

// taskIn is what a client POSTs for a task of any kind.
type taskIn struct {
	Job                    *JobRef             `json:"performanceJob"`
	CancellationReason     string              `json:"cancellationReason"`
	SuspensionReason       string              `json:"suspensionReason"`
	ResumptionReason       string              `json:"resumptionReason"`
	ModificationReason     string              `json:"modificationReason"`
	Description            string              `json:"description"`
	BuyerJobID             string              `json:"buyerJobId"`
	ConsumingApplicationID string              `json:"consumingApplicationId"`
	ProducingApplicationID string              `json:"producingApplicationId"`
	FileTransferData       *FileTransferData   `json:"fileTransferData"`
	PerformanceProfile     *ProfileValue       `json:"performanceProfile"`
	ScheduleDefinition     *ScheduleDefinition `json:"scheduleDefinition"`
	Payload                *Payload            `json:"servicePayloadSpecificAttributes"`
}

// createTask carries out a task at once: completed, or declined with the
// engine's reason (a job's state that refuses it, a definition it
// refuses).
func (s *Server) createTask(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in taskIn
		if err := readJSON(w, r, &in); err != nil {
			s.fail(w, r, err)
			return
		}
		if in.Job == nil || in.Job.ID == "" {
			s.fail(w, r, errorf(http.StatusUnprocessableEntity, "missingProperty", "performanceJob.id", "performanceJob: the job's id is required"))
			return
		}
		jv, err := s.b.Job(r.Context(), in.Job.ID)
		if err != nil {
			if errors.Is(err, jobview.ErrNotFound) {
				err = errorf(http.StatusUnprocessableEntity, "referenceNotFound", "performanceJob.id", "no performance job with id %q", in.Job.ID)
			}
			s.fail(w, r, err)
			return
		}
		if kind != "modify" && (in.PerformanceProfile != nil || in.Payload != nil || in.ScheduleDefinition != nil || in.Description != "" || in.ProducingApplicationID != "" || in.FileTransferData != nil) {
			s.fail(w, r, errorf(http.StatusUnprocessableEntity, "unexpectedProperty", "", "only a modification changes a job's attributes"))
			return
		}
		id := newID()
		t := &Task{ID: id, Href: s.href("/" + kind + "PerformanceJob/" + id), CreationDate: mefTime(s.now()), State: "completed",
			Job: &JobRef{ID: in.Job.ID, Href: s.href("/performanceJob/" + in.Job.ID), Type: "PerformanceJobRef"}}
		switch kind {
		case "cancel":
			t.CancellationReason = in.CancellationReason
			_, err = s.b.Act(r.Context(), in.Job.ID, jobs.Cancel, who(r))
		case "suspend":
			t.SuspensionReason = in.SuspensionReason
			_, err = s.b.Act(r.Context(), in.Job.ID, jobs.Suspend, who(r))
		case "resume":
			t.ResumptionReason = in.ResumptionReason
			_, err = s.b.Act(r.Context(), in.Job.ID, jobs.Resume, who(r))
		case "modify":
			t.ModificationReason = in.ModificationReason
			t.Description, t.BuyerJobID, t.ConsumingApplicationID, t.ProducingApplicationID = in.Description, in.BuyerJobID, in.ConsumingApplicationID, in.ProducingApplicationID
			t.FileTransferData, t.PerformanceProfile, t.ScheduleDefinition, t.Payload = in.FileTransferData, in.PerformanceProfile, in.ScheduleDefinition, in.Payload
			if p := in.PerformanceProfile; p != nil && p.JobType != "" {
				err = errorf(http.StatusUnprocessableEntity, "unexpectedProperty", "performanceProfile.jobType", "a job's type cannot be modified")
				break
			}
			_, err = s.b.Update(r.Context(), in.Job.ID, func(id rdf.IRI, g []rdf.Triple) ([]rdf.Triple, error) {
				g, err := s.apply(g, id, in.Description, in.ProducingApplicationID, in.PerformanceProfile, in.ScheduleDefinition, in.FileTransferData, in.Payload, "performanceProfile")
				if err != nil {
					return nil, err
				}
				return setClientIDs(g, id, in.BuyerJobID, in.ConsumingApplicationID), nil
			}, who(r))
		}
		if err != nil {
			var ae *apiError
			if errors.As(err, &ae) {
				s.fail(w, r, err)
				return
			}
			// What the engine refuses (the job's state, or the modified
			// definition) declines the task; anything else fails it.
			switch e := s.b.Error(r, err); e.Status {
			case http.StatusBadRequest, http.StatusConflict, http.StatusPreconditionFailed:
				t.State = "declined"
				msg := e.Message
				switch kind {
				case "cancel":
					t.CancellationDeniedReason = msg
				case "suspend":
					t.SuspensionDeniedReason = msg
				case "resume":
					t.ResumptionDeniedReason = msg
				case "modify":
					t.ModificationDeniedReason = msg
				}
			default:
				s.fail(w, r, err)
				return
			}
		}
		iri := s.iri("/" + kind + "PerformanceJob/" + id)
		if err := s.st.Load(r.Context(), []store.Resource{{ID: iri, Triples: t.graph(iri, kind, jv.IRI)}}); err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Location", t.Href)
		writeJSON(w, http.StatusCreated, t)
	}
}

// TaskFind is a *PerformanceJob_Find.
type TaskFind struct {
	ID           string  `json:"id"`
	CreationDate string  `json:"creationDate"`
	State        string  `json:"state"`
	Job          *JobRef `json:"performanceJob"`
}

func (s *Server) listTasks(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		created, err := timeFilter(q, "creationDate")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var out []TaskFind
		err = s.members(r.Context(), "/"+kind+"PerformanceJob", func(id rdf.IRI, g []rdf.Triple) {
			t := s.readTask(id, kind, g)
			if match(q, "performanceJobId", t.Job.ID) && match(q, "state", t.State) && created(parseTime(t.CreationDate)) {
				out = append(out, TaskFind{ID: t.ID, CreationDate: t.CreationDate, State: t.State, Job: t.Job})
			}
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page(s, w, r, out)
	}
}

func (s *Server) getTask(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := mux.Vars(r)["id"]
		if strings.ContainsAny(id, "/?#%") {
			s.fail(w, r, jobview.ErrNotFound)
			return
		}
		iri := s.iri("/" + kind + "PerformanceJob/" + id)
		g, _, err := s.st.Get(r.Context(), iri)
		if err == nil && !slices.ContainsFunc(g, func(t rdf.Triple) bool { return t.Pred == vocab.RDFType && t.Obj == pmjJobTask }) {
			err = jobview.ErrNotFound
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.readTask(iri, kind, g))
	}
}
