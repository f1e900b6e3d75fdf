package jobs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// targetTTL is how long a job's resolved monitored objects are reused.
const targetTTL = time.Minute

// targetJitter is how much longer than targetTTL job id reuses its
// targets: up to half of it, fixed by the job's IRI.
func targetJitter(id rdf.IRI) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(id.String()))
	return time.Duration(h.Sum32()%1024) * (targetTTL / 2 / 1024)
}

// collectPeriod collects period p for r, with retries, and returns the
// records to write and the changes to record.
func (e *Engine) collectPeriod(ctx context.Context, r *run, p schedule.Period) ([]store.Resource, []change) {
	now := e.now()
	targets, err := e.targets(ctx, r, now)
	var samples []collect.Sample
	if err == nil && len(targets) == 0 {
		err = errors.New("no monitored resource matches the job's monitored objects")
	}
	if err == nil {
		req := collect.Request{Job: r.id, Start: p.Start, End: p.End, Targets: targets, Metrics: r.def.Metrics, Params: r.def.Params}
		samples, err = e.collectRetry(ctx, r.def.Collector, req, p)
	}
	if err == nil && len(samples) == 0 {
		// Nothing to measure yet (a rate's first reading, no agent pushed):
		// the period has no data, which is not a failure of the collector.
		e.stats.miss(1)
		r.report.missed = append(r.report.missed, p.Start)
		return nil, nil
	}
	if err != nil {
		e.stats.miss(1)
		e.stats.fail()
		r.report.missed = append(r.report.missed, p.Start)
		trs := changes(r.job.CollectorFailed(e.now(), fmt.Sprintf("collecting %s: %v", p, err)))
		for i := range trs {
			trs[i].event = vocab.PMJTerm("CollectionFailed")
			trs[i].missed = []time.Time{p.Start}
		}
		if len(trs) == 0 {
			trs = []change{{at: e.now(), event: vocab.PMJTerm("CollectionFailed"), from: r.job.Status, to: r.job.Status,
				detail: fmt.Sprintf("collecting %s: %v", p, err), missed: []time.Time{p.Start}, who: engineAgent}}
		}
		return nil, trs
	}
	e.stats.collected(e.now().Sub(p.End))
	trs := changes(r.job.CollectorRecovered(e.now()))
	recs, ids := e.records(r, p, samples, e.now())
	r.report.records = append(r.report.records, ids...)
	for _, smp := range samples {
		r.report.addResource(smp.Resource)
	}
	r.report.collected++
	return recs, trs
}

// collectRetry calls c, retrying with backoff while half the period is
// left for it (at most 10 s). A collector that panics is not retried.
func (e *Engine) collectRetry(ctx context.Context, c collect.Collector, req collect.Request, p schedule.Period) ([]collect.Sample, error) {
	budget := min(p.Duration()/2, e.retry)
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	wait := min(100*time.Millisecond, budget/4)
	var lastErr error
	for attempt := 1; ; attempt++ {
		samples, err := collectOnce(ctx, c, req)
		if err == nil {
			return samples, nil
		}
		if lastErr != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			// The time ran out during this attempt: the cause to report
			// is what the collector said before, not the deadline.
			return nil, lastErr
		}
		lastErr = fmt.Errorf("attempt %d: %w", attempt, err)
		var pe *collect.PanicError
		if errors.As(err, &pe) {
			// A bug, not bad luck: trying again would only panic again.
			e.log.Error("job engine: collector panicked", "job", req.Job.String(), "collector", c.Name(), "period", p.String(), "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
			return nil, lastErr
		}
		select {
		case <-ctx.Done():
			return nil, lastErr
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// collectOnce calls c, turning a panic into a *collect.PanicError.
func collectOnce(ctx context.Context, c collect.Collector, req collect.Request) (_ []collect.Sample, err error) {
	defer collect.Recover(&err)
	return c.Collect(ctx, req)
}

// instancesOf is the oslc.where of the instances of class for which
// filter, if not nil, holds.
func instancesOf(class rdf.IRI, filter *parser.Where) *parser.Where {
	terms := []parser.Term{parser.Eq(vocab.RDFType, class)}
	if filter != nil {
		terms = append(terms, filter.Terms...)
	}
	return parser.And(terms...)
}

// targets resolves the job's monitored objects, reusing them for a while:
// targetTTL and up to half as long again, by job, so that jobs started
// together (all of them, at a restart) do not all resolve theirs in the
// same period.
func (e *Engine) targets(ctx context.Context, r *run, now time.Time) ([]collect.Target, error) {
	if r.targets != nil && now.Sub(r.tAt) < targetTTL+targetJitter(r.id) && now.After(r.tAt) {
		return r.targets, nil
	}
	out, err := e.resolve(ctx, r.def)
	if err != nil {
		return nil, err
	}
	r.targets, r.tAt = out, now
	return out, nil
}

// resolve finds the monitored resources of the job d, with their
// properties.
func (e *Engine) resolve(ctx context.Context, d *Definition) ([]collect.Target, error) {
	ids := d.Objects
	if d.Class != (rdf.IRI{}) {
		where := instancesOf(d.Class, d.Filter)
		ids = nil
		err := e.st.View(ctx, func(src query.Source) error {
			res, err := query.Run(ctx, src, query.Scope{Prefix: e.base + "/oslc/resources/"}, &query.Query{Where: where}, query.Page{NoTotal: true})
			if err != nil {
				return err
			}
			for _, m := range res.Members {
				ids = append(ids, m.ID)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("find instances of %s: %w", vocab.Short(d.Class.String()), err)
		}
	}
	var out []collect.Target
	for _, id := range ids {
		g, _, err := e.st.Get(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since: not measured
		}
		if err != nil {
			return nil, err
		}
		t := collect.Target{IRI: id, Props: make(map[string][]string)}
		for _, tr := range g {
			if !rdf.TermsEqual(tr.Subj, id) {
				continue
			}
			if tr.Pred == vocab.RDFType {
				if c, ok := tr.Obj.(rdf.IRI); ok {
					t.Types = append(t.Types, c)
				}
				continue
			}
			t.Props[tr.Pred.String()] = append(t.Props[tr.Pred.String()], tr.Obj.String())
		}
		out = append(out, t)
	}
	return out, nil
}
