package tmf628

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/vocab"
)

// granularities are the TMF Granularity values the provider has, and
// reportingPeriods the ReportingPeriod values.
var (
	granularities = map[string]time.Duration{
		"g_1mn": time.Minute, "g_5mn": 5 * time.Minute, "g_15mn": 15 * time.Minute,
		"g_30mn": 30 * time.Minute, "g_1h": time.Hour, "g_24h": 24 * time.Hour,
	}
	reportingPeriods = map[string]time.Duration{
		"r_1mn": time.Minute, "r_5mn": 5 * time.Minute, "r_15mn": 15 * time.Minute,
		"r_30mn": 30 * time.Minute, "r_1h": time.Hour, "r_24h": 24 * time.Hour,
	}
)

func enumOf(m map[string]time.Duration, d time.Duration) string {
	for k, v := range m {
		if v == d {
			return k
		}
	}
	return ""
}

func enumNames(m map[string]time.Duration) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b string) int { return int(m[a] - m[b]) })
	return strings.Join(ks, ", ")
}

// ExecutionState is the TMF executionState of an engine state. TMF has
// fewer states than the engine (MEF's): a suspended job is inProgress
// with adminState locked, one whose collector is failing is still
// inProgress, one waiting for its start time is pending.
func ExecutionState(engine string) string {
	switch engine {
	case "scheduled":
		return "pending"
	case "suspended", "resourceUnavailable":
		return "inProgress"
	case "":
		return "acknowledged"
	}
	return engine
}

// Job is a MeasurementCollectionJob or an OnDemandCollection: they share
// their attributes but for an on-demand collection's collectionPeriod
// (its start and stop times) and granularity, which the specification
// spells "granulatiry" there.
type Job struct {
	ID                     string               `json:"id"`
	Href                   string               `json:"href"`
	JobID                  string               `json:"jobId,omitempty"`
	Name                   string               `json:"name,omitempty"`
	CreationTime           string               `json:"creationTime,omitempty"`
	LastModifiedTime       string               `json:"lastModifiedTime,omitempty"`
	JobPriority            int                  `json:"jobPriority"`
	ProducingApplicationID string               `json:"producingApplicationId,omitempty"`
	ConsumingApplicationID string               `json:"consumingApplicationId,omitempty"`
	OutputFormat           string               `json:"outputFormat,omitempty"`
	AdminState             string               `json:"adminState"`
	ExecutionState         string               `json:"executionState"`
	FileTransferData       []FileTransferData   `json:"fileTransferData"`
	Granularity            string               `json:"granularity,omitempty"`
	Granulatiry            string               `json:"granulatiry,omitempty"`
	ReportingPeriod        string               `json:"reportingPeriod,omitempty"`
	CollectionPeriod       *TimePeriod          `json:"collectionPeriod,omitempty"`
	MonitoredClassCriteria *ClassCriteria       `json:"monitoredClassCriteria,omitempty"`
	MonitoredInstances     *InstancesCriteria   `json:"monitoredInstancesCriteria,omitempty"`
	Indicators             []IndicatorRef       `json:"performanceIndicatorSpecification,omitempty"`
	Groups                 []GroupSpecification `json:"performanceIndicatorGroupSpecification,omitempty"`
	ScheduleDefinition     *ScheduleDefinition  `json:"scheduleDefinition,omitempty"`
	TrackingRecord         []TrackingRecord     `json:"trackingRecord,omitempty"`
	Type                   string               `json:"@type"`
}

// FileTransferData says where the job's reports are.
type FileTransferData struct {
	FileFormat        string    `json:"fileFormat,omitempty"`
	FileLocation      string    `json:"fileLocation,omitempty"`
	TransportProtocol string    `json:"transportProtocol,omitempty"`
	RetentionPeriod   *Duration `json:"retentionPeriod,omitempty"`
}

// Duration is a TMF Duration.
type Duration struct {
	Amount int    `json:"amount"`
	Units  string `json:"units"`
}

// TimePeriod is a TMF TimePeriod.
type TimePeriod struct {
	StartDateTime string `json:"startDateTime,omitempty"`
	EndDateTime   string `json:"endDateTime,omitempty"`
}

// ClassCriteria selects the monitored objects by class.
type ClassCriteria struct {
	MonitoredObjectClass string `json:"monitoredObjectClass,omitempty"`
	ObjectInstanceFilter string `json:"objectInstanceFilter,omitempty"`
	Type                 string `json:"@type,omitempty"`
}

// InstancesCriteria lists the monitored objects. The specification leaves
// its attributes to extensions: monitoredObject lists references to the
// provider's monitored resources.
type InstancesCriteria struct {
	MonitoredObject []ObjectRef `json:"monitoredObject"`
	Type            string      `json:"@type,omitempty"`
}

// ObjectRef refers to a monitored resource by its IRI.
type ObjectRef struct {
	ID   string `json:"id"`
	Href string `json:"href,omitempty"`
}

// IndicatorRef refers to a performance indicator specification.
type IndicatorRef struct {
	ID   string `json:"id,omitempty"`
	Href string `json:"href,omitempty"`
	Name string `json:"name,omitempty"`
}

// ScheduleDefinition is when a job records.
type ScheduleDefinition struct {
	StartTime string `json:"scheduleDefinitionStartTime,omitempty"`
	EndTime   string `json:"scheduleDefinitionEndTime,omitempty"`
	HourRange string `json:"scheduleDefinitionHourRange,omitempty"`
}

// TrackingRecord is a TMF TrackingRecord.
type TrackingRecord struct {
	ID             string           `json:"id"`
	Href           string           `json:"href,omitempty"`
	Description    string           `json:"description,omitempty"`
	SystemID       string           `json:"systemId,omitempty"`
	Time           string           `json:"time,omitempty"`
	User           string           `json:"user,omitempty"`
	Characteristic []Characteristic `json:"characteristic,omitempty"`
	Type           string           `json:"@type"`
}

// Characteristic is a name and a value.
type Characteristic struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

func tmfTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

// indicatorID is the id of a pm metric or category in this API: its
// local name, as pm:CpuUsed is CpuUsed.
func indicatorID(i rdf.IRI) string { return strings.TrimPrefix(i.String(), vocab.PM) }

// jobJSON is j as the API shows it.
func (s *Server) jobJSON(j *jobview.Job, trs []*jobview.Tracking, groups map[string]bool) *Job {
	coll := "measurementCollectionJob"
	out := &Job{Type: "MeasurementCollectionJob"}
	if j.OnDemand {
		coll, out.Type = "onDemandCollection", "OnDemandCollection"
	}
	out.ID, out.Href, out.JobID = j.Ident, s.href("/"+coll+"/"+j.Ident), j.IRI.String()
	out.Name = j.Title
	out.CreationTime, out.LastModifiedTime = tmfTime(j.Created), tmfTime(j.Modified)
	out.JobPriority = j.Priority
	out.ProducingApplicationID = jobview.Name(j.Collector)
	out.AdminState = "unlocked"
	if j.Locked {
		out.AdminState = "locked"
	}
	out.ExecutionState = ExecutionState(j.State)
	ftd := FileTransferData{
		FileFormat:        "text/csv",
		FileLocation:      s.b.URL("/oslc/reports") + "?oslc.where=" + urlQueryEscape("pmj:producedBy=<"+j.IRI.String()+">"),
		TransportProtocol: "HTTP",
	}
	if j.Retention > 0 {
		ftd.RetentionPeriod = &Duration{Amount: int(j.Retention / time.Minute), Units: "minutes"}
	}
	out.FileTransferData = []FileTransferData{ftd}
	if g := enumOf(granularities, j.Granularity); j.OnDemand {
		out.Granulatiry = g
	} else {
		out.Granularity = g
	}
	if !j.OnDemand {
		out.ReportingPeriod = enumOf(reportingPeriods, j.ReportingPeriod)
	}
	if j.Class != (rdf.IRI{}) {
		out.MonitoredClassCriteria = &ClassCriteria{MonitoredObjectClass: jobview.Name(j.Class), ObjectInstanceFilter: j.Filter, Type: "MonitoredClassCriteria"}
	}
	if len(j.Objects) > 0 {
		ic := &InstancesCriteria{Type: "MonitoredInstancesCriteria"}
		for _, o := range j.Objects {
			ic.MonitoredObject = append(ic.MonitoredObject, ObjectRef{ID: o.String(), Href: o.String()})
		}
		out.MonitoredInstances = ic
	}
	for _, ind := range j.Indicators {
		if groups[ind.String()] {
			out.Groups = append(out.Groups, s.groupSpec(ind, nil))
			continue
		}
		out.Indicators = append(out.Indicators, IndicatorRef{ID: indicatorID(ind), Href: s.href("/performanceIndicatorSpecification/" + indicatorID(ind)), Name: jobview.Name(ind)})
	}
	sd := &ScheduleDefinition{StartTime: tmfTime(j.Start), EndTime: tmfTime(j.Stop), HourRange: strings.Join(j.Intervals, ",")}
	if j.OnDemand {
		out.CollectionPeriod = &TimePeriod{StartDateTime: sd.StartTime, EndDateTime: sd.EndTime}
	}
	if *sd != (ScheduleDefinition{}) {
		out.ScheduleDefinition = sd
	}
	for _, tr := range trs {
		out.TrackingRecord = append(out.TrackingRecord, s.trackingJSON(tr))
	}
	return out
}

func urlQueryEscape(s string) string {
	r := strings.NewReplacer("%", "%25", " ", "%20", "<", "%3C", ">", "%3E", "=", "%3D", "#", "%23", "&", "%26", "+", "%2B", "?", "%3F")
	return r.Replace(s)
}

func (s *Server) trackingJSON(tr *jobview.Tracking) TrackingRecord {
	out := TrackingRecord{ID: tr.Ident, Href: s.href("/trackingRecord/" + tr.Ident), Description: tr.Description,
		SystemID: "pmprovider", Time: tmfTime(tr.Date), User: tr.Creator, Type: "TrackingRecord"}
	add := func(name, v string) {
		if v != "" {
			out.Characteristic = append(out.Characteristic, Characteristic{Name: name, Value: v})
		}
	}
	add("event", tr.Event)
	add("fromState", tr.From)
	add("toState", tr.To)
	add("cause", tr.Cause)
	add("measurementJob", tr.Job.String())
	return out
}

// The attributes a client writes, and those the provider manages, which
// a creation ignores and a patch may not change (but for executionState
// "cancelled", which cancels the job).
var (
	writable = []string{"name", "jobPriority", "producingApplicationId", "adminState", "granularity", "granulatiry",
		"reportingPeriod", "collectionPeriod", "monitoredClassCriteria", "monitoredInstancesCriteria",
		"performanceIndicatorSpecification", "performanceIndicatorGroupSpecification", "scheduleDefinition",
		"fileTransferData", "consumingApplicationId", "outputFormat", "@type", "@baseType", "@schemaLocation"}
	managed = []string{"id", "href", "jobId", "creationTime", "lastModifiedTime", "executionState", "trackingRecord"}
)

// edit applies the attributes of body to the job graph g about id. A
// creation (fresh) sets what a job needs by default.
func (s *Server) edit(id rdf.Subject, g []rdf.Triple, body map[string]json.RawMessage, onDemand, fresh bool) ([]rdf.Triple, error) {
	if err := checkAttributes(body); err != nil {
		return nil, err
	}
	if fresh {
		g = append(g, rdf.Triple{Subj: id, Pred: jobview.PJobType, Obj: jobview.JobType(onDemand)})
		if _, ok := body["name"]; !ok {
			name := "TMF628 measurement collection job"
			if onDemand {
				name = "TMF628 on-demand collection"
			}
			g = jobview.Set(g, id, jobview.PTitle, rdf.NewTypedLiteral(name, vocab.RDFXMLLiteral))
		}
		if _, ok := body["producingApplicationId"]; !ok {
			return nil, errorf(http.StatusBadRequest, "producingApplicationId: name the collector that produces the indicators, e.g. pmj:SyntheticCollector (see GET /oslc/capabilities)")
		}
	}
	str := func(k string) (string, error) {
		var v string
		if err := json.Unmarshal(body[k], &v); err != nil {
			return "", errorf(http.StatusBadRequest, "%s: must be a string", k)
		}
		return v, nil
	}
	for _, k := range writable {
		raw, ok := body[k]
		if !ok {
			continue
		}
		switch k {
		case "name":
			v, err := str(k)
			if err != nil {
				return nil, err
			}
			g = jobview.Set(g, id, jobview.PTitle, rdf.NewTypedLiteral(xmlEscape(v), vocab.RDFXMLLiteral))
		case "jobPriority":
			var n int
			if err := json.Unmarshal(raw, &n); err != nil {
				return nil, errorf(http.StatusBadRequest, "jobPriority: must be an integer")
			}
			g = jobview.Set(g, id, jobview.PPriority, jobview.Integer(n))
		case "producingApplicationId":
			v, err := str(k)
			if err != nil {
				return nil, err
			}
			c, ok := jobview.ParseName(v, vocab.PMJ)
			if !ok {
				return nil, errorf(http.StatusBadRequest, "producingApplicationId: %q is not a collector name such as pmj:SyntheticCollector", v)
			}
			g = jobview.Set(g, id, jobview.PCollector, c)
		case "adminState":
			v, err := str(k)
			if err != nil {
				return nil, err
			}
			if v != "locked" && v != "unlocked" {
				return nil, errorf(http.StatusBadRequest, "adminState: must be locked or unlocked, not %q", v)
			}
			g = jobview.Set(g, id, jobview.PAdminState, jobview.Admin(v == "locked"))
		case "granularity", "granulatiry":
			v, err := str(k)
			if err != nil {
				return nil, err
			}
			d, ok := granularities[v]
			if !ok {
				return nil, errorf(http.StatusBadRequest, "%s: the provider's granularities are %s, not %q", k, enumNames(granularities), v)
			}
			g = jobview.Set(g, id, jobview.PGranularity, jobview.Duration(d))
		case "reportingPeriod":
			v, err := str(k)
			if err != nil {
				return nil, err
			}
			if v == "na" {
				g = jobview.Set(g, id, jobview.PReportingPeriod)
				continue
			}
			d, ok := reportingPeriods[v]
			if !ok {
				return nil, errorf(http.StatusBadRequest, "reportingPeriod: the provider's reporting periods are %s (or na: the granularity), not %q", enumNames(reportingPeriods), v)
			}
			g = jobview.Set(g, id, jobview.PReportingPeriod, jobview.Duration(d))
		case "collectionPeriod":
			var tp TimePeriod
			if err := json.Unmarshal(raw, &tp); err != nil {
				return nil, errorf(http.StatusBadRequest, "collectionPeriod: %v", err)
			}
			var err error
			if g, err = setTimes(g, id, "collectionPeriod", tp.StartDateTime, tp.EndDateTime); err != nil {
				return nil, err
			}
		case "scheduleDefinition":
			var sd ScheduleDefinition
			if err := json.Unmarshal(raw, &sd); err != nil {
				return nil, errorf(http.StatusBadRequest, "scheduleDefinition: %v", err)
			}
			var err error
			if g, err = setTimes(g, id, "scheduleDefinition", sd.StartTime, sd.EndTime); err != nil {
				return nil, err
			}
			var ivs []rdf.Object
			for _, v := range strings.Split(sd.HourRange, ",") {
				if v = strings.TrimSpace(v); v != "" {
					ivs = append(ivs, vocab.Str(v))
				}
			}
			g = jobview.Set(g, id, jobview.PInterval, ivs...)
		case "monitoredClassCriteria":
			var cc ClassCriteria
			if err := json.Unmarshal(raw, &cc); err != nil {
				return nil, errorf(http.StatusBadRequest, "monitoredClassCriteria: %v", err)
			}
			c, ok := jobview.ParseName(cc.MonitoredObjectClass, "")
			if !ok {
				return nil, errorf(http.StatusBadRequest, "monitoredClassCriteria.monitoredObjectClass: %q is not a class such as crtv:ComputerSystem", cc.MonitoredObjectClass)
			}
			g = jobview.Set(g, id, jobview.PClass, c)
			g = jobview.Set(g, id, jobview.PObject)
			if cc.ObjectInstanceFilter != "" {
				g = jobview.Set(g, id, jobview.PFilter, vocab.Str(cc.ObjectInstanceFilter))
			} else {
				g = jobview.Set(g, id, jobview.PFilter)
			}
		case "monitoredInstancesCriteria":
			var ic InstancesCriteria
			if err := json.Unmarshal(raw, &ic); err != nil {
				return nil, errorf(http.StatusBadRequest, "monitoredInstancesCriteria: %v", err)
			}
			var objs []rdf.Object
			for _, o := range ic.MonitoredObject {
				ref := o.ID
				if ref == "" {
					ref = o.Href
				}
				i, err := rdf.NewIRI(ref)
				if err != nil || !strings.Contains(ref, "://") {
					return nil, errorf(http.StatusBadRequest, "monitoredInstancesCriteria.monitoredObject: %q is not the IRI of a monitored resource", ref)
				}
				objs = append(objs, i)
			}
			g = jobview.Set(g, id, jobview.PObject, objs...)
			g = jobview.Set(g, id, jobview.PClass)
			g = jobview.Set(g, id, jobview.PFilter)
		case "performanceIndicatorSpecification", "performanceIndicatorGroupSpecification":
			var refs []IndicatorRef
			if err := json.Unmarshal(raw, &refs); err != nil {
				return nil, errorf(http.StatusBadRequest, "%s: %v", k, err)
			}
			inds, err := s.indicatorsOf(k, refs)
			if err != nil {
				return nil, err
			}
			// The two attributes share pmj:performanceIndicator: keep the
			// other one's values.
			other := s.indicatorGroups()
			var keep []rdf.Object
			for _, t := range g {
				if rdf.TermsEqual(t.Subj, id) && t.Pred == jobview.PIndicator && other[t.Obj.String()] == (k == "performanceIndicatorSpecification") {
					keep = append(keep, t.Obj)
				}
			}
			g = jobview.Set(g, id, jobview.PIndicator, append(keep, inds...)...)
		case "fileTransferData":
			var fs []FileTransferData
			if err := json.Unmarshal(raw, &fs); err != nil {
				return nil, errorf(http.StatusBadRequest, "fileTransferData: %v", err)
			}
			// Where and how reports are is the provider's; how long they
			// are kept is the client's.
			for _, f := range fs {
				if rp := f.RetentionPeriod; rp != nil {
					d, err := durationOf(rp)
					if err != nil {
						return nil, err
					}
					g = jobview.Set(g, id, jobview.PRetention, jobview.Duration(d))
				}
			}
		}
	}
	return g, nil
}

// checkAttributes refuses attributes the API does not have.
func checkAttributes(body map[string]json.RawMessage) error {
	var unknown []string
	for k := range body {
		if !slices.Contains(writable, k) && !slices.Contains(managed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return errorf(http.StatusBadRequest, "unknown attribute(s) %s", strings.Join(unknown, ", "))
	}
	return nil
}

func setTimes(g []rdf.Triple, id rdf.Subject, attr, start, end string) ([]rdf.Triple, error) {
	for _, x := range []struct {
		name, v string
		p       rdf.IRI
	}{{"start", start, jobview.PStart}, {"end", end, jobview.PStop}} {
		if x.v == "" {
			g = jobview.Set(g, id, x.p)
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, x.v)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "%s: the %s time %q is not an RFC 3339 date-time", attr, x.name, x.v)
		}
		g = jobview.Set(g, id, x.p, jobview.DateTime(t))
	}
	return g, nil
}

func durationOf(d *Duration) (time.Duration, error) {
	units := map[string]time.Duration{"seconds": time.Second, "minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}
	u, ok := units[strings.ToLower(d.Units)]
	if !ok || d.Amount < 0 {
		return 0, errorf(http.StatusBadRequest, "fileTransferData.retentionPeriod: units are seconds, minutes, hours or days, and the amount is not negative")
	}
	return time.Duration(d.Amount) * u, nil
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// indicatorsOf reads references to indicators (by id, name or href).
func (s *Server) indicatorsOf(attr string, refs []IndicatorRef) ([]rdf.Object, error) {
	var out []rdf.Object
	for _, ref := range refs {
		v := ref.ID
		if v == "" {
			v = ref.Name
		}
		if v == "" && ref.Href != "" {
			v = ref.Href[strings.LastIndexByte(ref.Href, '/')+1:]
		}
		i, ok := jobview.ParseName(v, vocab.PM)
		if !ok {
			return nil, errorf(http.StatusBadRequest, "%s: %q is not a performance indicator; GET %s lists them", attr, v, s.href("/"+attr))
		}
		out = append(out, i)
	}
	return out, nil
}

// indicatorGroups is the set of the IRIs of the indicator groups.
func (s *Server) indicatorGroups() map[string]bool {
	_, gs := s.b.Indicators()
	out := make(map[string]bool, len(gs))
	for _, g := range gs {
		out[g.IRI.String()] = true
	}
	return out
}

// jobKindError refuses job j under the other resource of the API: an
// on-demand collection is no measurementCollectionJob, and the other way
// round.
func jobKindError(onDemand bool, j *jobview.Job, id string) error {
	if j.OnDemand != onDemand {
		if onDemand {
			return fmt.Errorf("%w: %s is a measurementCollectionJob", jobview.ErrNotFound, id)
		}
		return fmt.Errorf("%w: %s is an onDemandCollection", jobview.ErrNotFound, id)
	}
	return nil
}
