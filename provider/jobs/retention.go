package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// expire enforces r's pmj:reportRetention at now. The policy: a report
// whose reporting period ended more than the retention ago is removed,
// with the records it lists that the same job produced; records of other
// jobs or of ad-hoc collections, tracking records and notifications stay
// (a files-ready notification then names a report that is gone). Reports
// still waiting to be indexed are removed at a later tick.
func (e *Engine) expire(ctx context.Context, r *run, now time.Time) error {
	if r.def.Retention <= 0 {
		return nil
	}
	cutoff := now.Add(-r.def.Retention)
	where := producedUntil(r.id, cutoff)
	var reports []rdf.IRI
	err := e.st.View(ctx, func(src query.Source) error {
		res, err := query.Run(ctx, src, query.Scope{Prefix: e.base + "/oslc/reports/"}, &query.Query{Where: where}, query.Page{NoTotal: true, Size: 1000})
		if err != nil {
			return err
		}
		for _, m := range res.Members {
			reports = append(reports, m.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, rep := range reports {
		g, _, err := e.st.Get(ctx, rep)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		for _, t := range g {
			rec, ok := t.Obj.(rdf.IRI)
			if !ok || t.Pred != pmjRecord || !rdf.TermsEqual(t.Subj, rep) {
				continue
			}
			if err := e.deleteIfProduced(ctx, rec, r.id); err != nil {
				return err
			}
		}
		if err := e.st.Delete(ctx, rep, ""); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// producedUntil is the oslc.where of what job produced for the periods
// ending at end or earlier.
func producedUntil(job rdf.IRI, end time.Time) *parser.Where {
	return parser.And(
		parser.Eq(pmjProducedBy, job),
		parser.Compare(pmjPeriodEnd, parser.OpLE, rdf.NewTypedLiteral(end.UTC().Format(time.RFC3339Nano), vocab.XSDDateTime)))
}

// deleteIfProduced deletes record id if job produced it.
func (e *Engine) deleteIfProduced(ctx context.Context, id, job rdf.IRI) error {
	g, _, err := e.st.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, t := range g {
		if t.Pred == pmjProducedBy && rdf.TermsEqual(t.Subj, id) && t.Obj == job {
			if err := e.st.Delete(ctx, id, ""); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		}
	}
	return nil
}
