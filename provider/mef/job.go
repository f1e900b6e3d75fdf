package mef

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/vocab"
)

// intervals are the MEF Interval values the engine has.
var intervals = map[string]time.Duration{
	"10 second": 10 * time.Second, "1 minute": time.Minute, "5 minutes": 5 * time.Minute,
	"15 minutes": 15 * time.Minute, "30 minutes": 30 * time.Minute, "1 hour": time.Hour, "24 hours": 24 * time.Hour,
}

func intervalOf(d time.Duration) string {
	for k, v := range intervals {
		if v == d {
			return k
		}
	}
	return "not applicable"
}

func intervalNames() string {
	var ks []string
	for k := range intervals {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b string) int { return int(intervals[a] - intervals[b]) })
	return strings.Join(ks, ", ")
}

// State is the MEF performance job state of an engine state: the same
// but for failed (the collector failed too often), which MEF does not
// have: the job's resources are unavailable.
func State(engine string) string {
	switch engine {
	case "failed":
		return "resourceUnavailable"
	case "":
		return "acknowledged"
	}
	return engine
}

// PayloadType is the @type of the servicePayloadSpecificAttributes of the
// provider's jobs: what they monitor and measure.
const PayloadType = "urn:oslc-pm:pmj:MeasurementJob"

// Payload is the servicePayloadSpecificAttributes of a job.
type Payload struct {
	Type                 string   `json:"@type"`
	MonitoredObject      []string `json:"monitoredObject,omitempty"`
	MonitoredObjectClass string   `json:"monitoredObjectClass,omitempty"`
	InstanceFilter       string   `json:"instanceFilter,omitempty"`
	PerformanceIndicator []string `json:"performanceIndicator,omitempty"`
}

// ProfileValue is a PerformanceProfileValue, or a PerformanceProfileRef
// (@type and id only).
type ProfileValue struct {
	Type            string `json:"@type"`
	ID              string `json:"id,omitempty"`
	Href            string `json:"href,omitempty"`
	JobType         string `json:"jobType,omitempty"`
	Granularity     string `json:"granularity,omitempty"`
	ReportingPeriod string `json:"reportingPeriod,omitempty"`
	JobPriority     *int   `json:"jobPriority,omitempty"`
	OutputFormat    string `json:"outputFormat,omitempty"`
	ResultFormat    string `json:"resultFormat,omitempty"`
}

// FileTransferData says where the job's reports are.
type FileTransferData struct {
	FileFormat        string `json:"fileFormat,omitempty"`
	FileLocation      string `json:"fileLocation,omitempty"`
	TransportProtocol string `json:"transportProtocol,omitempty"`
	RetentionPeriod   string `json:"retentionPeriod,omitempty"`
}

// ScheduleDefinition is when a job runs.
type ScheduleDefinition struct {
	StartTime string `json:"scheduleDefinitionStartTime,omitempty"`
	EndTime   string `json:"scheduleDefinitionEndTime,omitempty"`
}

// Job is a PerformanceJob.
type Job struct {
	ID                     string              `json:"id"`
	Href                   string              `json:"href"`
	CreationDate           string              `json:"creationDate"`
	LastModifiedDate       string              `json:"lastModifiedDate,omitempty"`
	State                  string              `json:"state"`
	RejectionReason        string              `json:"rejectionReason,omitempty"`
	Description            string              `json:"description,omitempty"`
	BuyerJobID             string              `json:"buyerJobId,omitempty"`
	ConsumingApplicationID string              `json:"consumingApplicationId,omitempty"`
	ProducingApplicationID string              `json:"producingApplicationId,omitempty"`
	FileTransferData       *FileTransferData   `json:"fileTransferData,omitempty"`
	PerformanceProfile     ProfileValue        `json:"performanceProfile"`
	ScheduleDefinition     *ScheduleDefinition `json:"scheduleDefinition,omitempty"`
	Payload                Payload             `json:"servicePayloadSpecificAttributes"`
}

// JobCreate is a PerformanceJob_Create.
type JobCreate struct {
	BuyerJobID             string              `json:"buyerJobId"`
	ConsumingApplicationID string              `json:"consumingApplicationId"`
	Description            string              `json:"description"`
	FileTransferData       *FileTransferData   `json:"fileTransferData"`
	PerformanceProfile     *ProfileValue       `json:"performanceProfile"`
	ProducingApplicationID string              `json:"producingApplicationId"`
	ScheduleDefinition     *ScheduleDefinition `json:"scheduleDefinition"`
	Payload                *Payload            `json:"servicePayloadSpecificAttributes"`
}

func (s *Server) jobJSON(j *jobview.Job) *Job {
	prio := j.Priority
	out := &Job{
		ID: j.Ident, Href: s.href("/performanceJob/" + j.Ident),
		CreationDate: mefTime(j.Created), LastModifiedDate: mefTime(j.Modified),
		State: State(j.State), Description: j.Title,
		ProducingApplicationID: jobview.Name(j.Collector),
		FileTransferData: &FileTransferData{
			FileFormat: "csv", TransportProtocol: "HTTP",
			FileLocation: s.b.URL("/oslc/reports") + "?oslc.where=pmj:producedBy%3D%3C" + j.IRI.String() + "%3E",
		},
		PerformanceProfile: ProfileValue{Type: "PerformanceProfileValue", JobType: "proactive",
			Granularity: intervalOf(j.Granularity), ReportingPeriod: intervalOf(j.ReportingPeriod),
			JobPriority: &prio, OutputFormat: "csv", ResultFormat: "attachment"},
		Payload: Payload{Type: PayloadType, InstanceFilter: j.Filter},
	}
	out.BuyerJobID, out.ConsumingApplicationID = j.BuyerJobID, j.ConsumingApplicationID
	if j.State == "rejected" {
		out.RejectionReason = j.Reason
	}
	if j.Retention > 0 {
		out.FileTransferData.RetentionPeriod = vocab.FormatDuration(j.Retention)
	}
	if j.OnDemand {
		out.PerformanceProfile.JobType = "on-demand"
	}
	if !j.Start.IsZero() || !j.Stop.IsZero() {
		out.ScheduleDefinition = &ScheduleDefinition{StartTime: mefTime(j.Start), EndTime: mefTime(j.Stop)}
	}
	for _, o := range j.Objects {
		out.Payload.MonitoredObject = append(out.Payload.MonitoredObject, o.String())
	}
	if j.Class != (rdf.IRI{}) {
		out.Payload.MonitoredObjectClass = jobview.Name(j.Class)
	}
	for _, i := range j.Indicators {
		out.Payload.PerformanceIndicator = append(out.Payload.PerformanceIndicator, jobview.Name(i))
	}
	return out
}

// profileOf resolves a job's performanceProfile: a reference to a stored
// profile, or a value.
func (s *Server) profileOf(ctx context.Context, p *ProfileValue, path string) (*ProfileValue, string, error) {
	if p == nil {
		return nil, "", errorf(http.StatusUnprocessableEntity, "missingProperty", path, "%s: required", path)
	}
	if p.Type != "PerformanceProfileRef" {
		return p, "", nil
	}
	pr, ok, err := s.profile(ctx, p.ID)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", errorf(http.StatusUnprocessableEntity, "referenceNotFound", path+".id", "no performance profile with id %q", p.ID)
	}
	v := pr.value()
	return &v, pr.ID, nil
}

// setClientIDs records the ids a client gives a job, those given only.
func setClientIDs(g []rdf.Triple, id rdf.Subject, buyerJobID, consumingApplicationID string) []rdf.Triple {
	if buyerJobID != "" {
		g = jobview.Set(g, id, jobview.PBuyerJobID, vocab.Str(buyerJobID))
	}
	if consumingApplicationID != "" {
		g = jobview.Set(g, id, jobview.PConsumingApp, vocab.Str(consumingApplicationID))
	}
	return g
}

// apply writes the attributes of a creation or modification to the job
// graph g about id.
func (s *Server) apply(g []rdf.Triple, id rdf.Subject, description, producing string, p *ProfileValue, sd *ScheduleDefinition, ftd *FileTransferData, pl *Payload, path string) ([]rdf.Triple, error) {
	if description != "" {
		g = jobview.Set(g, id, jobview.PTitle, rdf.NewTypedLiteral(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(description), vocab.RDFXMLLiteral))
	}
	if producing != "" {
		c, ok := jobview.ParseName(producing, vocab.PMJ)
		if !ok {
			return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", "producingApplicationId", "producingApplicationId: %q is not a collector such as pmj:SyntheticCollector", producing)
		}
		g = jobview.Set(g, id, jobview.PCollector, c)
	}
	if p != nil {
		vals, err := profileValues(p, path)
		if err != nil {
			return nil, err
		}
		for _, pred := range []rdf.IRI{jobview.PJobType, jobview.PGranularity, jobview.PReportingPeriod, jobview.PPriority} {
			if o, ok := vals[pred]; ok {
				g = jobview.Set(g, id, pred, o)
			}
		}
	}
	if sd != nil {
		for _, x := range []struct {
			v, name string
			p       rdf.IRI
		}{{sd.StartTime, "scheduleDefinitionStartTime", jobview.PStart}, {sd.EndTime, "scheduleDefinitionEndTime", jobview.PStop}} {
			if x.v == "" {
				g = jobview.Set(g, id, x.p)
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, x.v)
			if err != nil {
				return nil, errorf(http.StatusUnprocessableEntity, "invalidFormat", "scheduleDefinition."+x.name, "%q is not an RFC 3339 date-time", x.v)
			}
			g = jobview.Set(g, id, x.p, jobview.DateTime(t))
		}
	}
	if ftd != nil && ftd.RetentionPeriod != "" {
		d, err := vocab.ParseDuration(ftd.RetentionPeriod)
		if err != nil {
			return nil, errorf(http.StatusUnprocessableEntity, "invalidFormat", "fileTransferData.retentionPeriod", "retentionPeriod: %q is not an ISO 8601 duration such as PT180M", ftd.RetentionPeriod)
		}
		g = jobview.Set(g, id, jobview.PRetention, jobview.Duration(d))
	}
	if pl != nil {
		if pl.Type != PayloadType {
			return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", "servicePayloadSpecificAttributes.@type", "the provider's jobs are of @type %s, not %q", PayloadType, pl.Type)
		}
		var objs, inds []rdf.Object
		for _, o := range pl.MonitoredObject {
			i, err := rdf.NewIRI(o)
			if err != nil || !strings.Contains(o, "://") {
				return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", "servicePayloadSpecificAttributes.monitoredObject", "%q is not the IRI of a monitored resource", o)
			}
			objs = append(objs, i)
		}
		for _, v := range pl.PerformanceIndicator {
			i, ok := jobview.ParseName(v, vocab.PM)
			if !ok {
				return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", "servicePayloadSpecificAttributes.performanceIndicator", "%q is not a pm metric or category such as pm:CpuUsed", v)
			}
			inds = append(inds, i)
		}
		g = jobview.Set(g, id, jobview.PObject, objs...)
		g = jobview.Set(g, id, jobview.PIndicator, inds...)
		g = jobview.Set(g, id, jobview.PClass)
		g = jobview.Set(g, id, jobview.PFilter)
		if pl.MonitoredObjectClass != "" {
			c, ok := jobview.ParseName(pl.MonitoredObjectClass, "")
			if !ok {
				return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", "servicePayloadSpecificAttributes.monitoredObjectClass", "%q is not a class such as crtv:ComputerSystem", pl.MonitoredObjectClass)
			}
			g = jobview.Set(g, id, jobview.PClass, c)
		}
		if pl.InstanceFilter != "" {
			g = jobview.Set(g, id, jobview.PFilter, vocab.Str(pl.InstanceFilter))
		}
	}
	return g, nil
}

// profileValues checks a profile's values and returns the job properties
// they set.
func profileValues(p *ProfileValue, path string) (map[rdf.IRI]rdf.Object, error) {
	out := map[rdf.IRI]rdf.Object{}
	if p.JobType != "" {
		if p.JobType == "passive" {
			return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", path+".jobType", "passive jobs are not supported: a job here is proactive or on-demand")
		}
		out[jobview.PJobType] = jobview.JobType(p.JobType == "on-demand")
	}
	for _, x := range []struct {
		v    string
		name string
		p    rdf.IRI
	}{{p.Granularity, "granularity", jobview.PGranularity}, {p.ReportingPeriod, "reportingPeriod", jobview.PReportingPeriod}} {
		if x.v == "" {
			continue
		}
		d, ok := intervals[x.v]
		if !ok {
			return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", path+"."+x.name, "%s: the provider's intervals are %s, not %q", x.name, intervalNames(), x.v)
		}
		out[x.p] = jobview.Duration(d)
	}
	if p.JobPriority != nil {
		out[jobview.PPriority] = jobview.Integer(*p.JobPriority)
	}
	if p.OutputFormat != "" && p.OutputFormat != "csv" {
		return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", path+".outputFormat", "reports are csv (or RDF through the OSLC API), not %s", p.OutputFormat)
	}
	if p.ResultFormat == "payload" {
		return nil, errorf(http.StatusUnprocessableEntity, "invalidValue", path+".resultFormat", "reports are attachments (reportUrl), not payloads")
	}
	return out, nil
}

func (s *Server) createJob(w http.ResponseWriter, r *http.Request) {
	var in JobCreate
	if err := readJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Payload == nil {
		s.fail(w, r, errorf(http.StatusUnprocessableEntity, "missingProperty", "servicePayloadSpecificAttributes", "servicePayloadSpecificAttributes: required"))
		return
	}
	p, profileID, err := s.profileOf(r.Context(), in.PerformanceProfile, "performanceProfile")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ProducingApplicationID == "" {
		s.fail(w, r, errorf(http.StatusUnprocessableEntity, "missingProperty", "producingApplicationId", "producingApplicationId: name the collector, e.g. pmj:SyntheticCollector"))
		return
	}
	root, _ := rdf.NewBlank("job")
	desc := in.Description
	if desc == "" {
		desc = "MEF performance job"
	}
	g, err := s.apply(nil, root, desc, in.ProducingApplicationID, p, in.ScheduleDefinition, in.FileTransferData, in.Payload, "performanceProfile")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.JobType == "" {
		g = jobview.Set(g, root, jobview.PJobType, jobview.JobType(false))
	}
	g = setClientIDs(g, root, in.BuyerJobID, in.ConsumingApplicationID)
	if profileID != "" {
		g = jobview.Set(g, root, jobview.PProfile, s.iri("/performanceProfile/"+profileID))
	}
	j, err := s.b.Create(r.Context(), root, g, who(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := s.jobJSON(j)
	w.Header().Set("Location", out.Href)
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	j, err := s.b.Job(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.jobJSON(j))
}

// JobFind is a PerformanceJob_Find.
type JobFind struct {
	ID                     string              `json:"id"`
	CreationDate           string              `json:"creationDate"`
	State                  string              `json:"state"`
	Description            string              `json:"description,omitempty"`
	ProducingApplicationID string              `json:"producingApplicationId,omitempty"`
	PerformanceProfile     ProfileValue        `json:"performanceProfile"`
	ScheduleDefinition     *ScheduleDefinition `json:"scheduleDefinition,omitempty"`
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	created, err := timeFilter(q, "creationDate")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	js, err := s.b.Jobs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out []JobFind
	for _, j := range js {
		v := s.jobJSON(j)
		profile := ""
		if j.Profile != (rdf.IRI{}) {
			profile = lastSegment(j.Profile.String())
		}
		keep := created(j.Created) &&
			match(q, "state", v.State) && match(q, "jobType", v.PerformanceProfile.JobType) &&
			match(q, "granularity", v.PerformanceProfile.Granularity) && match(q, "reportingPeriod", v.PerformanceProfile.ReportingPeriod) &&
			match(q, "producingApplicationId", v.ProducingApplicationID) && match(q, "jobPriority", strconv.Itoa(j.Priority)) &&
			match(q, "performanceProfileId", profile) && match(q, "buyerJobId", j.BuyerJobID) && match(q, "consumingApplicationId", j.ConsumingApplicationID)
		if keep {
			out = append(out, JobFind{ID: v.ID, CreationDate: v.CreationDate, State: v.State, Description: v.Description,
				ProducingApplicationID: v.ProducingApplicationID, PerformanceProfile: v.PerformanceProfile, ScheduleDefinition: v.ScheduleDefinition})
		}
	}
	page(s, w, r, out)
}

// match says whether the query parameter name, if given, is v.
func match(q map[string][]string, name, v string) bool {
	vs, ok := q[name]
	return !ok || slices.Contains(vs, v)
}
