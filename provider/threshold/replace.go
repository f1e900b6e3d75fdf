package threshold

import (
	"context"
	"slices"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// pClearReason says why the provider cleared an alarm that no record
// cleared.
var pClearReason = vocab.PMJTerm("clearReason")

// Reasons an alarm is cleared by a change of its threshold.
const (
	reasonLocked    = "threshold locked"
	reasonMetric    = "threshold's metric changed"
	reasonUnwatched = "resource no longer watched by the threshold"
	reasonInvalid   = "threshold no longer valid"
)

// Replace replaces threshold id with g on behalf of who (the
// authenticated principal; "" for the provider itself). ifMatch is
// checked as the store's Replace checks it. Where the new definition no
// longer watches a resource, watches another metric, or is locked, that
// resource's active alarm is cleared, with who and the reason, in the same
// transaction as the threshold, and the threshold starts over there
// (armed): unlocked again or watching it again, it raises at the next
// crossing.
func (e *Evaluator) Replace(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch, who string) (string, error) {
	e.lock()
	defer e.unlock()
	return e.replace(ctx, id, g, ifMatch, who)
}

// replace is Replace with the evaluator locked (lock).
func (e *Evaluator) replace(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch, who string) (string, error) {
	drop, err := e.unwatched(ctx, id, g)
	if err != nil {
		return "", err
	}
	if len(drop) == 0 {
		etag, err := e.st.Replace(ctx, id, g, ifMatch)
		if err == nil {
			e.observe(id, g, false)
		}
		return etag, err
	}
	// Every write of a threshold holds e.mu: the ETag checked is the one
	// replaced.
	_, etag, err := e.st.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if ifMatch != "" && ifMatch != "*" && ifMatch != etag {
		return "", store.ErrPreconditionFailed
	}
	now := e.now()
	at := stamp(now.UTC())
	rs := []store.Resource{{ID: id, Triples: g}}
	next := make(map[key]*cell, len(drop))
	for k, reason := range drop {
		c := e.cells[k]
		if c.open != nil {
			ag := change(c.alarm, c.open, now, pAlarmState, pChangedTime)
			ag = append(ag,
				rdf.Triple{Subj: c.alarm, Pred: pAlarmState, Obj: cleared},
				rdf.Triple{Subj: c.alarm, Pred: pClearedTime, Obj: at},
				rdf.Triple{Subj: c.alarm, Pred: pChangedTime, Obj: at},
				rdf.Triple{Subj: c.alarm, Pred: pClearedBy, Obj: id},
				rdf.Triple{Subj: c.alarm, Pred: pClearReason, Obj: str(reason)})
			if who != "" {
				ag = append(ag, rdf.Triple{Subj: c.alarm, Pred: pClearUser, Obj: str(who)})
			}
			rs = append(rs, store.Resource{ID: c.alarm, Triples: ag})
		}
		n := &cell{state: Armed, alarm: c.alarm, kept: c.kept}
		if n.kept {
			// A state resource said crossed: it says armed now.
			rs = append(rs, store.Resource{ID: e.stateID(k), Triples: e.stateGraph(k, n, now)})
		}
		next[k] = n
	}
	if err := e.st.Load(ctx, rs); err != nil {
		return "", err
	}
	for k, n := range next {
		if n.kept {
			e.cells[k] = n
		} else {
			delete(e.cells, k)
		}
	}
	e.crossings += uint64(len(drop))
	e.observe(id, g, false)
	_, etag, err = e.st.Get(ctx, id)
	return etag, err
}

// unwatched returns the cells of threshold id, crossed or with an active
// alarm, that the definition g no longer watches, with the reason each.
func (e *Evaluator) unwatched(ctx context.Context, id rdf.IRI, g []rdf.Triple) (map[key]string, error) {
	var ks []key
	for k, c := range e.cells {
		if k.thr == id && (c.open != nil || c.state != Armed) {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		return nil, nil
	}
	next, perr := Parse(id, g)
	old := e.defs[id]
	all := ""
	switch {
	case perr != nil:
		all = reasonInvalid
	case next.Locked:
		all = reasonLocked
	case old != nil && old.Metric != next.Metric:
		all = reasonMetric
	}
	drop := make(map[key]string)
	if all != "" {
		for _, k := range ks {
			drop[k] = all
		}
		return drop, nil
	}
	watched, err := e.watchedBy(ctx, next)
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		if !watched(k.res) {
			drop[k] = reasonUnwatched
		}
	}
	return drop, nil
}

// watchedBy returns whether th watches a resource: one of its objects, or
// an instance of its class that its filter passes now.
func (e *Evaluator) watchedBy(ctx context.Context, th *Threshold) (func(rdf.IRI) bool, error) {
	if th.Class == (rdf.IRI{}) {
		return func(res rdf.IRI) bool { return slices.Contains(th.Objects, res) }, nil
	}
	in := map[rdf.IRI]bool{}
	err := e.st.View(ctx, func(src query.Source) error {
		res, err := query.Run(ctx, src, query.Scope{Prefix: e.resources}, &query.Query{Where: instancesOf(th)}, query.Page{NoTotal: true})
		if err != nil {
			return err
		}
		for _, m := range res.Members {
			in[m.ID] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(res rdf.IRI) bool { return in[res] }, nil
}

// isThreshold says whether id is a threshold's IRI.
func (e *Evaluator) isThreshold(id rdf.IRI) bool { return strings.HasPrefix(id.String(), e.thresholds) }
