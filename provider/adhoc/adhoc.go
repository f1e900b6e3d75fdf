// Package adhoc runs ad-hoc collections (pmj:AdhocCollection, TM Forum's
// AdhocCollection): a one-shot request for the measurements of some
// monitored resources over a past time range. Nothing is collected
// anew: the stored records of the range are aggregated per resource and
// granularity period into new records, listed by one report, as a
// measurement job's would be.
//
// A Builder does the work in steps the HTTP handler calls in turn: Parse
// reads and checks the request graph, Build reads and aggregates the
// records and makes the resulting records and report, Outcome states on
// the collection how it ended, and Write stores it all. The Builder
// reaches the triple store only through the small Store interface.
package adhoc

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// MaxRange bounds the time range of an ad-hoc collection.
const MaxRange = 31 * 24 * time.Hour

// Class is pmj:AdhocCollection, the class of an ad-hoc collection.
var Class = vocab.PMJTerm("AdhocCollection")

// The properties of stored records that an ad-hoc collection reads.
var (
	pmjPeriodStart = vocab.PMJTerm("periodStart")
	pmjProducedBy  = vocab.PMJTerm("producedBy")
	pmjSampleCount = vocab.PMJTerm("sampleCount")
)

// Store is what ad-hoc collections need of the triple store.
type Store interface {
	// Exists reports whether id names a stored resource.
	Exists(ctx context.Context, id rdf.IRI) (bool, error)
	// Records calls fn with each record q selects, as
	// store.Snapshot.Records does, all from one snapshot. Several calls
	// may run at once.
	Records(ctx context.Context, q store.RecordQuery, fn func(rec *store.Record) bool) error
	// Load writes rs through the indexes at once.
	Load(ctx context.Context, rs []store.Resource) error
}

// A Builder runs the ad-hoc collections of a provider.
type Builder struct {
	// Store is where records are read and results written.
	Store Store
	// Base is the provider's base URL: monitored resources live under
	// Base/oslc/resources/, records at Base/oslc/records/{id} and reports
	// at Base/oslc/reports/{id}.
	Base string
	// Managed returns the server-managed triples of a new resource
	// (identifier, created, modified, service provider, instance shape),
	// as jobs.Config.Managed does; nil adds none.
	Managed func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple
	// Stage, if set, is Store.Load in the store's group commit: rs are
	// written and indexed, durable and visible to queries when it
	// returns, in a transaction shared with the other writers of the
	// moment (store.DB.Stage), where Load takes the write lock alone.
	// Write uses it when set.
	Stage func(ctx context.Context, rs []store.Resource) error
}

// A Request is a parsed ad-hoc collection.
type Request struct {
	Objects     []rdf.IRI        // pmj:monitoredObject
	Metrics     map[rdf.IRI]bool // the leaf metrics of its pmj:performanceIndicators; nil: all
	Granularity time.Duration
	Start, Stop time.Time
	Location    *time.Location // pmj:timeZone, where periods are aligned; UTC if not stated
}

// An InvalidError lists what is wrong with an ad-hoc collection.
type InvalidError struct {
	Faults []string // each "property: what is wrong"
}

// Error lists the faults.
func (e *InvalidError) Error() string {
	return "invalid ad-hoc collection: " + strings.Join(e.Faults, "; ")
}

// Parse reads ad-hoc collection id from its graph g, received at now, and
// checks it: the monitored objects must be monitored resources of this
// provider and the time range a past one of at most MaxRange. It lists
// every fault it finds in an *InvalidError; other errors are the store's.
func (b *Builder) Parse(ctx context.Context, id rdf.IRI, g []rdf.Triple, now time.Time) (*Request, error) {
	req := &Request{Location: time.UTC}
	var faults []string
	var inds []rdf.IRI
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred.String() {
		case vocab.PMJ + "monitoredObject":
			if i, ok := t.Obj.(rdf.IRI); ok {
				req.Objects = append(req.Objects, i)
			}
		case vocab.PMJ + "performanceIndicator":
			if i, ok := t.Obj.(rdf.IRI); ok {
				inds = append(inds, i)
			}
		case vocab.PMJ + "granularity":
			d, err := vocab.ParseDuration(t.Obj.String())
			if err != nil || d < time.Minute {
				faults = append(faults, fmt.Sprintf("pmj:granularity: %q is not an xsd:duration of at least PT1M", t.Obj.String()))
			}
			req.Granularity = d
		case vocab.PMJ + "startTime":
			req.Start, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case vocab.PMJ + "stopTime":
			req.Stop, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case vocab.PMJ + "timeZone":
			loc, err := time.LoadLocation(t.Obj.String())
			if err != nil || t.Obj.String() == "Local" {
				faults = append(faults, fmt.Sprintf("pmj:timeZone: %q is not an IANA time zone name", t.Obj.String()))
			} else {
				req.Location = loc
			}
		}
	}
	switch {
	case !req.Stop.After(req.Start):
		faults = append(faults, "pmj:stopTime: must be after pmj:startTime")
	case req.Stop.After(now):
		faults = append(faults, "pmj:stopTime: an ad-hoc collection reports on the past; the stop time is in the future")
	case req.Stop.Sub(req.Start) > MaxRange:
		faults = append(faults, "pmj:stopTime: the time range is longer than 31 days")
	}
	for _, o := range req.Objects {
		ok, err := b.Store.Exists(ctx, o)
		if err != nil {
			return nil, err
		}
		if !ok || !strings.HasPrefix(o.String(), b.Base+"/oslc/resources/") {
			faults = append(faults, fmt.Sprintf("pmj:monitoredObject: %s is not a monitored resource of this provider", o))
		}
	}
	if len(inds) > 0 {
		closure, err := vocab.SubClassClosure()
		if err != nil {
			return nil, err
		}
		req.Metrics = make(map[rdf.IRI]bool)
		for _, ind := range inds {
			n := 0
			for _, m := range vocab.Metrics() {
				if m == ind.String() || slices.Contains(closure[m], ind.String()) {
					req.Metrics[vocab.IRI(m, "")] = true
					n++
				}
			}
			if n == 0 {
				req.Metrics[ind] = true // a collector's own metric, such as pmj:HttpStatusCode
			}
		}
	}
	if len(faults) > 0 {
		return nil, &InvalidError{Faults: faults}
	}
	return req, nil
}

// Write stores rs durably, indexed and readable at once: through Stage
// when the Builder has it, else Store.Load.
func (b *Builder) Write(ctx context.Context, rs []store.Resource) error {
	if b.Stage != nil {
		return b.Stage(ctx, rs)
	}
	return b.Store.Load(ctx, rs)
}
