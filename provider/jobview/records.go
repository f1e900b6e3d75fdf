package jobview

import (
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Tracking is a job's tracking record (pmj:TrackingRecord): one change.
type Tracking struct {
	IRI         rdf.IRI
	Ident       string
	Job         rdf.IRI
	Event       string // local name of its pmj:event: "Created", "StateChanged", ...
	From, To    string // execution states, "" for none
	Cause       string
	Date        time.Time // when the change happened
	Created     time.Time // when the record was made
	Creator     string
	Description string
}

// ReadTracking reads tracking record id from g.
func ReadTracking(id rdf.IRI, g []rdf.Triple) *Tracking {
	tr := &Tracking{IRI: id, Ident: lastSegment(id.String())}
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred {
		case PProducedBy:
			tr.Job, _ = t.Obj.(rdf.IRI)
		case vocab.PMJTerm("event"):
			tr.Event = strings.TrimPrefix(t.Obj.String(), vocab.PMJ)
		case vocab.PMJTerm("fromState"):
			tr.From = state(t.Obj)
		case vocab.PMJTerm("toState"):
			tr.To = state(t.Obj)
		case vocab.PMJTerm("cause"):
			tr.Cause = t.Obj.String()
		case vocab.DCDate:
			tr.Date = timeOf(t.Obj)
		case vocab.DCCreated:
			tr.Created = timeOf(t.Obj)
		case vocab.DCCreator:
			tr.Creator = t.Obj.String()
		case vocab.DCDescription:
			tr.Description = unXML(t.Obj.String())
		}
	}
	return tr
}

// unXML reads the text of an rdf:XMLLiteral holding text only.
func unXML(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&").Replace(s)
}

func state(o rdf.Object) string {
	s := strings.TrimPrefix(o.String(), vocab.PMJ)
	if s == "" {
		return ""
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Report is a job's report of one reporting period (pmj:PerformanceReport).
type Report struct {
	IRI              rdf.IRI
	Ident            string
	Title            string
	Job              rdf.IRI
	Start, End       time.Time
	Granularity      time.Duration
	Records          []rdf.IRI
	Objects          []rdf.IRI
	Collected        int
	Missed           int
	Created          time.Time
	RecordCount      int
	MissedPeriodList []time.Time
}

// ReadReport reads report id from g.
func ReadReport(id rdf.IRI, g []rdf.Triple) *Report {
	rp := &Report{IRI: id, Ident: lastSegment(id.String())}
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred {
		case vocab.DCTitle:
			rp.Title = t.Obj.String()
		case PProducedBy:
			rp.Job, _ = t.Obj.(rdf.IRI)
		case vocab.PMJTerm("periodStart"):
			rp.Start = timeOf(t.Obj)
		case vocab.PMJTerm("periodEnd"):
			rp.End = timeOf(t.Obj)
		case PGranularity:
			rp.Granularity, _ = vocab.ParseDuration(t.Obj.String())
		case vocab.PMJTerm("record"):
			if i, ok := t.Obj.(rdf.IRI); ok {
				rp.Records = append(rp.Records, i)
			}
		case PObject:
			if i, ok := t.Obj.(rdf.IRI); ok {
				rp.Objects = append(rp.Objects, i)
			}
		case vocab.PMJTerm("recordCount"):
			rp.RecordCount, _ = strconv.Atoi(t.Obj.String())
		case vocab.PMJTerm("collectedPeriods"):
			rp.Collected, _ = strconv.Atoi(t.Obj.String())
		case vocab.PMJTerm("missedPeriods"):
			rp.Missed, _ = strconv.Atoi(t.Obj.String())
		case vocab.PMJTerm("missedPeriod"):
			rp.MissedPeriodList = append(rp.MissedPeriodList, timeOf(t.Obj))
		case vocab.DCCreated:
			rp.Created = timeOf(t.Obj)
		}
	}
	return rp
}
