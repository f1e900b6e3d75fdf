package mef

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Store is what the API needs of the store to keep the resources only it
// serves, performance profiles and tasks: RDF resources named by their
// URL in the API, so that they outlive the process and their changes
// are events of the provider's hub. query/boltsource.DB is one.
type Store interface {
	Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error)
	Load(ctx context.Context, rs []store.Resource) error
	Delete(ctx context.Context, id rdf.IRI, ifMatch string) error
	ViewChanges(ctx context.Context, fn func(sn store.ChangeView) error) error
}

// Terms of the API's own resources, in the pmj vocabulary
// (pm-jobs-vocab.ttl, "The MEF face's resources").
var (
	pmjProfile      = vocab.PMJTerm("PerformanceProfile")
	pmjProfileState = vocab.PMJTerm("profileState")
	pmjBuyerProfile = vocab.PMJTerm("buyerProfileId")
	pmjOutputFormat = vocab.PMJTerm("outputFormat")
	pmjResultFormat = vocab.PMJTerm("resultFormat")
	pmjJobTask      = vocab.PMJTerm("JobTask")
	pmjTaskAction   = vocab.PMJTerm("taskAction")
	pmjTaskState    = vocab.PMJTerm("taskState")
	pmjTaskJob      = vocab.PMJTerm("performanceJob")
	pmjTaskReason   = vocab.PMJTerm("taskReason")
	pmjDeniedReason = vocab.PMJTerm("deniedReason")
	pmjModification = vocab.PMJTerm("modification")
	rdfJSON         = vocab.IRI(vocab.RDF, "JSON")
	pmjTaskActionOf = map[string]rdf.IRI{"cancel": vocab.PMJTerm("Cancel"), "modify": vocab.PMJTerm("Modify"), "suspend": vocab.PMJTerm("Suspend"), "resume": vocab.PMJTerm("Resume")}
)

// maxListed bounds the members a list reads.
const maxListed = 100000

// newID returns a fresh id for a profile or task: the time, for order,
// and random digits.
func newID() string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%016x%s", time.Now().UnixNano(), hex.EncodeToString(b[:]))
}

func (s *Server) iri(path string) rdf.IRI {
	i, err := rdf.NewIRI(s.href(path))
	if err != nil {
		panic(err) // the base is the server's, validated
	}
	return i
}

// members calls fn with each resource stored under the API's path, in
// the order of their IRIs.
func (s *Server) members(ctx context.Context, path string, fn func(id rdf.IRI, g []rdf.Triple)) error {
	return s.st.ViewChanges(ctx, func(sn store.ChangeView) error {
		var ids []rdf.IRI
		if err := sn.ResourcesUnder(ctx, s.href(path+"/"), rdf.IRI{}, func(id rdf.IRI) bool {
			ids = append(ids, id)
			return len(ids) < maxListed
		}); err != nil {
			return err
		}
		for _, id := range ids {
			g, _, err := sn.Get(ctx, id)
			if err != nil {
				continue // deleted meanwhile
			}
			fn(id, g)
		}
		return nil
	})
}

// graph states p about id.
func (p *Profile) graph(id rdf.IRI) []rdf.Triple {
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: pmjProfile},
		{Subj: id, Pred: vocab.DCIdentifier, Obj: vocab.Str(p.ID)},
		{Subj: id, Pred: vocab.DCCreated, Obj: jobview.DateTime(parseTime(p.CreationDate))},
		{Subj: id, Pred: pmjProfileState, Obj: vocab.Str(p.State)},
		{Subj: id, Pred: jobview.PJobType, Obj: jobview.JobType(p.JobType == "on-demand")},
		{Subj: id, Pred: jobview.PPriority, Obj: jobview.Integer(p.JobPriority)},
		{Subj: id, Pred: pmjOutputFormat, Obj: vocab.Str(p.OutputFormat)},
		{Subj: id, Pred: pmjResultFormat, Obj: vocab.Str(p.ResultFormat)},
	}
	add := func(pred rdf.IRI, o rdf.Object) { g = append(g, rdf.Triple{Subj: id, Pred: pred, Obj: o}) }
	if p.LastModifiedDate != "" {
		add(vocab.DCModified, jobview.DateTime(parseTime(p.LastModifiedDate)))
	}
	if p.BuyerProfileID != "" {
		add(pmjBuyerProfile, vocab.Str(p.BuyerProfileID))
	}
	if p.Description != "" {
		add(vocab.DCDescription, vocab.Str(p.Description))
	}
	if d, ok := intervals[p.Granularity]; ok {
		add(jobview.PGranularity, jobview.Duration(d))
	}
	if d, ok := intervals[p.ReportingPeriod]; ok {
		add(jobview.PReportingPeriod, jobview.Duration(d))
	}
	return g
}

// readProfile reads profile id from g.
func readProfile(id rdf.IRI, g []rdf.Triple) *Profile {
	p := &Profile{ID: lastSegment(id.String()), Href: id.String(), JobType: "proactive", JobPriority: 5}
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		v := t.Obj.String()
		switch t.Pred {
		case vocab.DCCreated:
			p.CreationDate = mefTime(parseTime(v))
		case vocab.DCModified:
			p.LastModifiedDate = mefTime(parseTime(v))
		case pmjProfileState:
			p.State = v
		case pmjBuyerProfile:
			p.BuyerProfileID = v
		case vocab.DCDescription:
			p.Description = v
		case jobview.PJobType:
			if t.Obj == jobview.JobType(true) {
				p.JobType = "on-demand"
			}
		case jobview.PGranularity:
			d, _ := vocab.ParseDuration(v)
			p.Granularity = intervalOf(d)
		case jobview.PReportingPeriod:
			d, _ := vocab.ParseDuration(v)
			p.ReportingPeriod = intervalOf(d)
		case jobview.PPriority:
			p.JobPriority, _ = strconv.Atoi(v)
		case pmjOutputFormat:
			p.OutputFormat = v
		case pmjResultFormat:
			p.ResultFormat = v
		}
	}
	return p
}

// modification is what a modification task asks to change, kept with
// the task as an rdf:JSON literal: the values are the client's, in MEF's
// terms, and the job's tracking records say what was done.
type modification struct {
	Description            string              `json:"description,omitempty"`
	BuyerJobID             string              `json:"buyerJobId,omitempty"`
	ConsumingApplicationID string              `json:"consumingApplicationId,omitempty"`
	ProducingApplicationID string              `json:"producingApplicationId,omitempty"`
	FileTransferData       *FileTransferData   `json:"fileTransferData,omitempty"`
	PerformanceProfile     *ProfileValue       `json:"performanceProfile,omitempty"`
	ScheduleDefinition     *ScheduleDefinition `json:"scheduleDefinition,omitempty"`
	Payload                *Payload            `json:"servicePayloadSpecificAttributes,omitempty"`
}

// graph states t, a task of kind about job, about id.
func (t *Task) graph(id rdf.IRI, kind string, job rdf.IRI) []rdf.Triple {
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: pmjJobTask},
		{Subj: id, Pred: vocab.DCIdentifier, Obj: vocab.Str(t.ID)},
		{Subj: id, Pred: vocab.DCCreated, Obj: jobview.DateTime(parseTime(t.CreationDate))},
		{Subj: id, Pred: pmjTaskAction, Obj: pmjTaskActionOf[kind]},
		{Subj: id, Pred: pmjTaskState, Obj: vocab.Str(t.State)},
		{Subj: id, Pred: pmjTaskJob, Obj: job},
	}
	reason, denied := t.reasons(kind)
	if *reason != "" {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjTaskReason, Obj: vocab.Str(*reason)})
	}
	if *denied != "" {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjDeniedReason, Obj: vocab.Str(*denied)})
	}
	if kind == "modify" {
		m := modification{t.Description, t.BuyerJobID, t.ConsumingApplicationID, t.ProducingApplicationID,
			t.FileTransferData, t.PerformanceProfile, t.ScheduleDefinition, t.Payload}
		if b, err := json.Marshal(m); err == nil && string(b) != "{}" {
			g = append(g, rdf.Triple{Subj: id, Pred: pmjModification, Obj: rdf.NewTypedLiteral(string(b), rdfJSON)})
		}
	}
	return g
}

// reasons are the fields of t that hold the reason of a task of kind
// and the reason it was declined.
func (t *Task) reasons(kind string) (reason, denied *string) {
	switch kind {
	case "cancel":
		return &t.CancellationReason, &t.CancellationDeniedReason
	case "suspend":
		return &t.SuspensionReason, &t.SuspensionDeniedReason
	case "resume":
		return &t.ResumptionReason, &t.ResumptionDeniedReason
	}
	return &t.ModificationReason, &t.ModificationDeniedReason
}

// readTask reads task id of kind from g; the job's id in this API is the
// last segment of its IRI.
func (s *Server) readTask(id rdf.IRI, kind string, g []rdf.Triple) *Task {
	t := &Task{ID: lastSegment(id.String()), Href: id.String()}
	reason, denied := t.reasons(kind)
	for _, tr := range g {
		if !rdf.TermsEqual(tr.Subj, id) {
			continue
		}
		v := tr.Obj.String()
		switch tr.Pred {
		case vocab.DCCreated:
			t.CreationDate = mefTime(parseTime(v))
		case pmjTaskState:
			t.State = v
		case pmjTaskJob:
			job := lastSegment(v)
			t.Job = &JobRef{ID: job, Href: s.href("/performanceJob/" + job), Type: "PerformanceJobRef"}
		case pmjTaskReason:
			*reason = v
		case pmjDeniedReason:
			*denied = v
		case pmjModification:
			var m modification
			if json.Unmarshal([]byte(v), &m) == nil {
				t.Description, t.BuyerJobID, t.ConsumingApplicationID, t.ProducingApplicationID = m.Description, m.BuyerJobID, m.ConsumingApplicationID, m.ProducingApplicationID
				t.FileTransferData, t.PerformanceProfile, t.ScheduleDefinition, t.Payload = m.FileTransferData, m.PerformanceProfile, m.ScheduleDefinition, m.Payload
			}
		}
	}
	if t.Job == nil {
		t.Job = &JobRef{Type: "PerformanceJobRef"}
	}
	return t
}
