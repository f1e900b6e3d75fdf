// Package collect gets measurements for measurement jobs. A Collector
// measures a set of monitored resources over one granularity period; the
// job engine (package jobs) calls it at the end of every on-duty period and
// turns its samples into pm:PerformanceMonitoringRecords. Collectors know
// nothing of schedules or the store, so new ones are added without touching
// the engine: implement Collector and register it with the engine.
//
// The collectors that fetch URLs a client names (http, prometheus) connect
// only where the operator's AllowList lets them, so that a job cannot make
// the provider fetch from its own host, its link-local neighbours or a
// cloud metadata service. A panic in a collector comes back to the engine
// as a *PanicError (Recover), never ends the process.
package collect

import (
	"context"
	"errors"
	"time"

	"github.com/knakk/rdf"
)

// ErrNoSamples is wrapped by the error of a collection that got no sample
// for any of its targets.
var ErrNoSamples = errors.New("no samples")

// A Target is a monitored resource a job measures, with the properties a
// collector may need to find it: its rdf:types and its literal and IRI
// property values keyed by predicate IRI (e.g. crtv:hostname,
// crtv:processId).
type Target struct {
	IRI   rdf.IRI
	Types []rdf.IRI
	Props map[string][]string
}

// Prop returns the first value of the property pred, or "".
func (t Target) Prop(pred string) string {
	if v := t.Props[pred]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// HasType reports whether the target has rdf:type class.
func (t Target) HasType(class rdf.IRI) bool {
	for _, c := range t.Types {
		if c == class {
			return true
		}
	}
	return false
}

// A Request asks a collector for one granularity period's measurements.
type Request struct {
	Job     rdf.IRI   // the job collecting
	Start   time.Time // the period, [Start, End)
	End     time.Time
	Targets []Target
	// Metrics are the pm metric IRIs wanted (leaf classes, categories
	// already expanded). Empty means every metric the collector offers.
	Metrics []rdf.IRI
	// Params are the job's own property values keyed by predicate IRI
	// (literals by lexical form, IRIs as IRIs), for a collector's options
	// such as a probe timeout or a metric mapping.
	Params map[string][]string
}

// Param returns the first value of the job property pred, or "".
func (r Request) Param(pred string) string {
	if v := r.Params[pred]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Wants reports whether the request asks for metric m.
func (r Request) Wants(m rdf.IRI) bool {
	if len(r.Metrics) == 0 {
		return true
	}
	for _, x := range r.Metrics {
		if x == m {
			return true
		}
	}
	return false
}

// A Sample is one measured value of one metric of one resource over the
// requested period.
type Sample struct {
	Resource rdf.IRI
	Metric   rdf.IRI
	Value    float64
	Unit     rdf.IRI // unit of measure; zero for none
	// Count is how many observations the value aggregates (push
	// collectors); 0 means one.
	Count int
	// Status, when set, makes the sample a status observation rather than
	// a measure: the resource's pm:availabilityStatus over the period
	// (pm:Running, pm:NotRunning, pm:Unknown); Metric is then
	// pm:availabilityStatus and Value is unused.
	Status rdf.IRI
}

// A Metric is a metric a collector offers, with the unit it reports it in.
type Metric struct {
	IRI  rdf.IRI
	Unit rdf.IRI // zero for none
}

// A Collector measures monitored resources.
type Collector interface {
	// Name is the collector's short name, e.g. "host"; the job vocabulary
	// names it pmj:<Name>Collector.
	Name() string
	// Metrics lists the metrics the collector offers.
	Metrics() []Metric
	// Classes lists the monitored-resource classes it can measure.
	Classes() []rdf.IRI
	// Collect measures req.Targets over the period that just ended. It
	// returns the samples it got; a resource or metric it could not
	// measure is left out, never invented. An error means the collection
	// failed as a whole (the engine retries and reports it).
	Collect(ctx context.Context, req Request) ([]Sample, error)
}

// A ParamChecker is a Collector that takes options from the job: the
// engine calls CheckParams when a job naming it is created or modified,
// and refuses the job with the faults it returns (each naming the
// property, e.g. "pmj:metricMapping: ...").
type ParamChecker interface {
	CheckParams(params map[string][]string) []string
}

// A TargetChecker is a Collector that can tell, when a job naming it is
// created or modified, that it will not be allowed to reach some of the
// job's monitored resources (their URLs are refused by its AllowList):
// the engine refuses the job with the faults it returns, each naming the
// resource.
type TargetChecker interface {
	CheckTargets(ctx context.Context, targets []Target, params map[string][]string) []string
}
