// Package jobview reads and writes the provider's measurement jobs,
// tracking records and reports for the JSON faces of the provider (TM
// Forum TMF628, MEF Legato): plain values read from the same RDF
// resources the OSLC API serves, and the writes the OSLC creation
// factory, PUT and job operations make. No face keeps a copy of a job.
package jobview

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Job is a measurement job (pmj:MeasurementJob) as the faces show it.
type Job struct {
	IRI      rdf.IRI
	Ident    string // the last segment of its IRI: its id in every face
	Title    string
	OnDemand bool
	// Collector is the pmj collector individual, e.g. pmj:SyntheticCollector.
	Collector       rdf.IRI
	Objects         []rdf.IRI
	Class           rdf.IRI
	Filter          string
	Indicators      []rdf.IRI
	Granularity     time.Duration
	ReportingPeriod time.Duration // the granularity when not stated
	Start, Stop     time.Time
	Intervals       []string // pmj:dailyInterval
	Priority        int
	Locked          bool
	State           string // the engine's execution state: "inProgress", ...
	Reason          string
	Retention       time.Duration
	Created         time.Time
	Modified        time.Time
	Creator         string
	Description     string
	ETag            string
	// What a MEF client says of the job: its own ids, and the
	// performance profile (pmj:PerformanceProfile) it was made from.
	BuyerJobID             string
	ConsumingApplicationID string
	Profile                rdf.IRI
}

// Job properties the faces read and write.
var (
	PTitle           = vocab.DCTitle
	PDescription     = vocab.DCDescription
	PJobType         = vocab.PMJTerm("jobType")
	PCollector       = vocab.PMJTerm("collector")
	PObject          = vocab.PMJTerm("monitoredObject")
	PClass           = vocab.PMJTerm("monitoredObjectClass")
	PFilter          = vocab.PMJTerm("instanceFilter")
	PIndicator       = vocab.PMJTerm("performanceIndicator")
	PGranularity     = vocab.PMJTerm("granularity")
	PReportingPeriod = vocab.PMJTerm("reportingPeriod")
	PStart           = vocab.PMJTerm("startTime")
	PStop            = vocab.PMJTerm("stopTime")
	PInterval        = vocab.PMJTerm("dailyInterval")
	PPriority        = vocab.PMJTerm("jobPriority")
	PAdminState      = vocab.PMJTerm("adminState")
	PRetention       = vocab.PMJTerm("reportRetention")
	PProducedBy      = vocab.PMJTerm("producedBy")
	PBuyerJobID      = vocab.PMJTerm("buyerJobId")
	PConsumingApp    = vocab.PMJTerm("consumingApplicationId")
	PProfile         = vocab.PMJTerm("performanceProfile")
)

// ReadJob reads job id from its graph g.
func ReadJob(id rdf.IRI, g []rdf.Triple) *Job {
	j := &Job{IRI: id, Ident: lastSegment(id.String()), Priority: 5}
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		o := t.Obj
		switch t.Pred {
		case vocab.DCTitle:
			j.Title = o.String()
		case vocab.DCDescription:
			j.Description = o.String()
		case vocab.DCCreated:
			j.Created = timeOf(o)
		case vocab.DCModified:
			j.Modified = timeOf(o)
		case vocab.DCCreator:
			j.Creator = o.String()
		case PJobType:
			j.OnDemand = o == vocab.PMJTerm("OnDemand")
		case PCollector:
			j.Collector, _ = o.(rdf.IRI)
		case PObject:
			if i, ok := o.(rdf.IRI); ok {
				j.Objects = append(j.Objects, i)
			}
		case PClass:
			j.Class, _ = o.(rdf.IRI)
		case PFilter:
			j.Filter = o.String()
		case PIndicator:
			if i, ok := o.(rdf.IRI); ok {
				j.Indicators = append(j.Indicators, i)
			}
		case PGranularity:
			j.Granularity, _ = vocab.ParseDuration(o.String())
		case PReportingPeriod:
			j.ReportingPeriod, _ = vocab.ParseDuration(o.String())
		case PStart:
			j.Start = timeOf(o)
		case PStop:
			j.Stop = timeOf(o)
		case PInterval:
			j.Intervals = append(j.Intervals, o.String())
		case PPriority:
			if n, err := strconv.Atoi(o.String()); err == nil {
				j.Priority = n
			}
		case PAdminState:
			j.Locked = o == vocab.PMJTerm("Locked")
		case PRetention:
			j.Retention, _ = vocab.ParseDuration(o.String())
		case vocab.PMJTerm("executionState"):
			s := strings.TrimPrefix(o.String(), vocab.PMJ)
			if s != "" {
				j.State = strings.ToLower(s[:1]) + s[1:]
			}
		case vocab.PMJTerm("stateReason"):
			j.Reason = o.String()
		case PBuyerJobID:
			j.BuyerJobID = o.String()
		case PConsumingApp:
			j.ConsumingApplicationID = o.String()
		case PProfile:
			j.Profile, _ = o.(rdf.IRI)
		}
	}
	if j.ReportingPeriod == 0 {
		j.ReportingPeriod = j.Granularity
	}
	for _, v := range [][]rdf.IRI{j.Objects, j.Indicators} {
		slices.SortFunc(v, func(a, b rdf.IRI) int { return strings.Compare(a.String(), b.String()) })
	}
	slices.Sort(j.Intervals)
	return j
}

func lastSegment(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

func timeOf(o rdf.Object) time.Time {
	t, err := time.Parse(time.RFC3339Nano, o.String())
	if err != nil {
		return time.Time{}
	}
	return t
}

// Set replaces the values of pred on subject id in g with objs (none:
// removes them).
func Set(g []rdf.Triple, id rdf.Subject, pred rdf.IRI, objs ...rdf.Object) []rdf.Triple {
	out := make([]rdf.Triple, 0, len(g)+len(objs))
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) && t.Pred == pred {
			continue
		}
		out = append(out, t)
	}
	for _, o := range objs {
		out = append(out, rdf.Triple{Subj: id, Pred: pred, Obj: o})
	}
	return out
}

// Duration is the xsd:duration literal of d.
func Duration(d time.Duration) rdf.Literal {
	return rdf.NewTypedLiteral(vocab.FormatDuration(d), vocab.XSDDuration)
}

// DateTime is the xsd:dateTime literal of t.
func DateTime(t time.Time) rdf.Literal {
	return rdf.NewTypedLiteral(t.Format(time.RFC3339Nano), vocab.XSDDateTime)
}

// Integer is the xsd:integer literal of n.
func Integer(n int) rdf.Literal {
	return rdf.NewTypedLiteral(strconv.Itoa(n), vocab.XSDInteger)
}

// Admin is the pmj:adminState individual of locked.
func Admin(locked bool) rdf.IRI {
	if locked {
		return vocab.PMJTerm("Locked")
	}
	return vocab.PMJTerm("Unlocked")
}

// JobType is the pmj:jobType individual of onDemand.
func JobType(onDemand bool) rdf.IRI {
	if onDemand {
		return vocab.PMJTerm("OnDemand")
	}
	return vocab.PMJTerm("Proactive")
}

// Name writes iri as a prefixed name where a known prefix fits
// ("pm:CpuUsed"), else whole.
func Name(iri rdf.IRI) string { return vocab.Short(iri.String()) }

// ParseName reads a prefixed name ("pm:CpuUsed") or an absolute IRI.
// A bare local name is read in ns, when ns is not empty.
func ParseName(s, ns string) (rdf.IRI, bool) {
	if p, local, ok := strings.Cut(s, ":"); ok && !strings.HasPrefix(local, "//") {
		for _, x := range vocab.Prefixes {
			if x.Prefix == p {
				i, err := rdf.NewIRI(x.NS + local)
				return i, err == nil
			}
		}
	}
	if strings.Contains(s, "://") {
		i, err := rdf.NewIRI(s)
		return i, err == nil
	}
	if ns != "" && s != "" && !strings.ContainsAny(s, ":/# ") {
		i, err := rdf.NewIRI(ns + s)
		return i, err == nil
	}
	return rdf.IRI{}, false
}
