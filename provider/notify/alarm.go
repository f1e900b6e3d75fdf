package notify

import (
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// AlarmsPath is where alarms live: <base>/oslc/alarms/{id}.
const AlarmsPath = "/oslc/alarms"

// An Alarm is what the hub reads of an alarm resource (a pmj:Alarm, or
// any resource under AlarmsPath). The agreed shape is
//
//	<alarm> a pmj:Alarm ;
//	  pmj:threshold <threshold> ;         # the pmj threshold that was crossed
//	  pmj:alarmedObject <resource> ;      # the monitored resource
//	  pmj:metric pm:CpuUsed ;             # the indicator (ems:metric also read)
//	  pmj:perceivedSeverity pmj:Critical ;# Critical, Major, Minor, Warning, Indeterminate
//	  pmj:alarmState pmj:Raised ;         # or pmj:Cleared
//	  pmj:observedValue 95.0 ;
//	  pmj:alarmRaisedTime "…"^^xsd:dateTime ;
//	  pmj:alarmClearedTime "…"^^xsd:dateTime .   # once cleared
//
// Properties are matched by local name in any namespace, and the TMF642
// names without the alarm prefix are read as well (state, severity,
// raisedTime, clearedTime, resource, monitoredObject), so that the
// thresholds' own vocabulary need not be this one.
type Alarm struct {
	ID        rdf.IRI
	Threshold rdf.IRI
	Resource  rdf.IRI
	Metric    string
	Severity  string // local name, lower case: "critical"
	State     string // local name, lower case: "raised", "cleared"
	Value     string
	Raised    string // xsd:dateTime lexical forms
	ClearedAt string
	Title     string
}

// alarmNames lists, per field, the local names it is read from.
var alarmNames = map[string][]string{
	"threshold": {"threshold", "thresholdRef"},
	"resource":  {"alarmedObject", "alarmedResource", "monitoredObject", "resource"},
	"metric":    {"metric", "indicatorName", "performanceIndicator"},
	"severity":  {"perceivedSeverity", "severity"},
	"state":     {"alarmState", "state", "status"},
	"value":     {"observedValue", "value", "numericValue"},
	"raised":    {"alarmRaisedTime", "raisedTime"},
	"cleared":   {"alarmClearedTime", "clearedTime"},
}

// ReadAlarm reads the alarm id from its graph g.
func ReadAlarm(id rdf.IRI, g []rdf.Triple) Alarm {
	a := Alarm{ID: id}
	got := map[string]rdf.Object{}
	for field, names := range alarmNames {
		for _, name := range names {
			if o := byLocalName(g, id, name); o != nil {
				got[field] = o
				break
			}
		}
	}
	a.Threshold, _ = got["threshold"].(rdf.IRI)
	a.Resource, _ = got["resource"].(rdf.IRI)
	if o := got["metric"]; o != nil {
		a.Metric = vocab.Short(o.String())
	}
	a.Severity = strings.ToLower(localName(got["severity"]))
	a.State = strings.ToLower(localName(got["state"]))
	if o := got["value"]; o != nil {
		a.Value = o.String()
	}
	if o := got["raised"]; o != nil {
		a.Raised = o.String()
	}
	if o := got["cleared"]; o != nil {
		a.ClearedAt = o.String()
	}
	a.Title = value(g, id, vocab.DCTitle)
	return a
}

// Cleared says whether the alarm reads cleared: its state says so, or it
// has a cleared time.
func (a Alarm) Cleared() bool {
	if a.State != "" {
		return a.State == "cleared" || a.State == "clear"
	}
	return a.ClearedAt != ""
}

// data are the alarm's properties as event data.
func (a Alarm) data() map[string]string {
	m := map[string]string{"alarm": a.ID.String()}
	add := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	if a.Threshold != (rdf.IRI{}) {
		m["threshold"] = a.Threshold.String()
	}
	add("metric", a.Metric)
	add("severity", a.Severity)
	add("state", a.State)
	add("observedValue", a.Value)
	add("raisedTime", a.Raised)
	add("clearedTime", a.ClearedAt)
	return m
}

// byLocalName returns the first object of s's property of local name
// name, in any namespace.
func byLocalName(g []rdf.Triple, s rdf.Subject, name string) rdf.Object {
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, s) && localName(t.Pred) == name {
			return t.Obj
		}
	}
	return nil
}

// localName is an IRI's vocab.LocalName, a literal's whole lexical form.
func localName(t rdf.Term) string {
	if t == nil {
		return ""
	}
	if i, ok := t.(rdf.IRI); ok {
		return vocab.LocalName(i.String())
	}
	return t.String()
}
