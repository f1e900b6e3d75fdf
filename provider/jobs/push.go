package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// PushedTo links a record an agent pushed to the job it was pushed to.
var PushedTo = vocab.PMJTerm("pushedTo")

// pushCollector is the push collector: agents POST records to a job's
// push URL, where they are stored as records with pmj:pushedTo; at the
// end of each period the collector aggregates those dated in it (the
// mean per resource and metric, with pmj:sampleCount).
type pushCollector struct{ e *Engine }

func (c *pushCollector) Name() string { return "push" }

func (c *pushCollector) Metrics() []collect.Metric {
	var out []collect.Metric
	for _, m := range vocab.Metrics() {
		out = append(out, collect.Metric{IRI: vocab.IRI(m, "")})
	}
	return out
}

func (c *pushCollector) Classes() []rdf.IRI { return shapes.MonitoredClasses }

func (c *pushCollector) Collect(ctx context.Context, req collect.Request) ([]collect.Sample, error) {
	e := c.e
	where := pushedIn(req.Job, req.Start, req.End)
	want := make(map[rdf.IRI]bool)
	for _, t := range req.Targets {
		want[t.IRI] = true
	}
	var samples []collect.Sample
	err := e.st.View(ctx, func(src query.Source) error {
		res, err := query.Run(ctx, src, query.Scope{Prefix: e.base + "/oslc/records/"}, &query.Query{Where: where}, query.Page{NoTotal: true})
		if err != nil {
			return err
		}
		for _, m := range res.Members {
			g, _, err := src.Get(ctx, m.ID)
			if err != nil {
				return err
			}
			samples = append(samples, samplesOf(m.ID, g, want, req)...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return collect.Aggregate(samples), nil
}

// pushedIn is the oslc.where of the records pushed to job dated in
// [start, end).
func pushedIn(job rdf.IRI, start, end time.Time) *parser.Where {
	stamp := func(t time.Time) rdf.Literal {
		return rdf.NewTypedLiteral(t.UTC().Format("2006-01-02T15:04:05.999999999Z"), vocab.XSDDateTime)
	}
	return parser.And(
		parser.Eq(PushedTo, job),
		parser.Compare(vocab.DCDate, parser.OpGE, stamp(start)),
		parser.Compare(vocab.DCDate, parser.OpLT, stamp(end)))
}

// samplesOf reads the measures of record id in g.
func samplesOf(id rdf.IRI, g []rdf.Triple, want map[rdf.IRI]bool, req collect.Request) []collect.Sample {
	var res rdf.IRI
	measures := make(map[string]bool)
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) {
			switch t.Pred {
			case vocab.DCIsPartOf:
				res, _ = t.Obj.(rdf.IRI)
			case vocab.EMSObserves:
				measures[t.Obj.String()] = true
			}
		}
	}
	if !want[res] {
		return nil
	}
	type m struct {
		metric, unit rdf.IRI
		value        float64
		ok           bool
	}
	ms := make(map[string]*m)
	for _, t := range g {
		if !measures[t.Subj.String()] {
			continue
		}
		x := ms[t.Subj.String()]
		if x == nil {
			x = &m{}
			ms[t.Subj.String()] = x
		}
		switch t.Pred {
		case vocab.EMSMetric:
			x.metric, _ = t.Obj.(rdf.IRI)
		case vocab.EMSUnitOfMeasure:
			x.unit, _ = t.Obj.(rdf.IRI)
		case vocab.EMSNumericValue:
			v, err := strconv.ParseFloat(strings.TrimSpace(t.Obj.String()), 64)
			x.value, x.ok = v, err == nil
		}
	}
	var out []collect.Sample
	for _, x := range ms {
		if x.ok && x.metric != (rdf.IRI{}) && req.Wants(x.metric) {
			out = append(out, collect.Sample{Resource: res, Metric: x.metric, Value: x.value, Unit: x.unit, Count: 1})
		}
	}
	return out
}

// A PushError says why pushed records were refused.
type PushError struct {
	Faults []string
}

func (e *PushError) Error() string { return "records refused: " + strings.Join(e.Faults, "; ") }

// CheckPush checks a record an agent pushes to job id: the job must be a
// push job, and the record must be about one of its monitored resources
// and measure only metrics the job asks for. It returns the record with
// pmj:pushedTo added.
func (e *Engine) CheckPush(ctx context.Context, job, rec rdf.IRI, g []rdf.Triple) ([]rdf.Triple, error) {
	r, _, err := e.jobFor(ctx, job)
	if err != nil {
		return nil, err
	}
	def := r.def
	r.mu.Unlock()
	if def.Collector == nil || def.Collector.Name() != "push" {
		return nil, &PushError{Faults: []string{fmt.Sprintf("job %s collects with the %s collector; only push jobs take pushed records", job, def.Collector.Name())}}
	}
	targets, err := func() ([]collect.Target, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		return e.targets(ctx, r, e.now())
	}()
	if err != nil {
		return nil, err
	}
	want := make(map[rdf.IRI]bool)
	for _, t := range targets {
		want[t.IRI] = true
	}
	var faults []string
	for _, t := range g {
		switch {
		case rdf.TermsEqual(t.Subj, rec) && t.Pred == vocab.DCIsPartOf:
			if i, ok := t.Obj.(rdf.IRI); !ok || !want[i] {
				faults = append(faults, fmt.Sprintf("record %s: %s is not one of the job's monitored resources", rec, t.Obj))
			}
		case t.Pred == vocab.EMSMetric:
			if i, ok := t.Obj.(rdf.IRI); ok && len(def.Metrics) > 0 && !contains(def.Metrics, i) {
				faults = append(faults, fmt.Sprintf("record %s: the job does not measure %s", rec, vocab.Short(i.String())))
			}
		}
	}
	if len(faults) > 0 {
		return nil, &PushError{Faults: faults}
	}
	return append(g, rdf.Triple{Subj: rec, Pred: PushedTo, Obj: job}), nil
}

func contains(s []rdf.IRI, x rdf.IRI) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
