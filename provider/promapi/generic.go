package promapi

import (
	"context"
	"errors"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The path over any query.Source (the SPARQL store, say), for stores
// that cannot read records whole from their indexes: the candidate
// records are listed by one index read, as on the bbolt path, and each
// is read with Get.

// readGeneric calls fn with each record under the API's record prefix
// that dcterms:isPartOf one of classes' resources, or, when that is
// likely fewer, that has a dcterms:date in w. fn must not keep rec.
func (a *API) readGeneric(ctx context.Context, src query.Source, classes map[rdf.IRI]string, w window, fn func(rec *store.Record) bool) error {
	prefix := a.base + "/oslc/records/"
	byDate, err := a.genericByDate(ctx, src, classes, w)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var ids []rdf.IRI
	note := func(s rdf.Subject) {
		id, ok := s.(rdf.IRI)
		if !ok || !strings.HasPrefix(id.String(), prefix) || seen[id.String()] {
			return
		}
		seen[id.String()] = true
		ids = append(ids, id)
	}
	if byDate {
		lo, hi, opt := dateBounds(w)
		err = src.Range(ctx, vocab.DCDate, lo, hi, opt, func(s rdf.Subject, _ rdf.Literal) bool {
			note(s)
			return true
		})
	} else {
		for res := range classes {
			err = src.Match(ctx, nil, vocab.DCIsPartOf, res, func(t rdf.Triple) bool {
				note(t.Subj)
				return true
			})
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	var rec store.Record
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		g, _, err := src.Get(ctx, id)
		if err != nil {
			if isNotFound(err) {
				continue // deleted since it was listed
			}
			return err
		}
		wholeRecord(&rec, id, g)
		if !fn(&rec) {
			return nil
		}
	}
	return nil
}

// genericByDate tells whether to list the records by date rather than by
// resource: with an Accelerator that counts, as the bbolt path decides;
// else when w is bounded on both sides and the resources are more than a
// few, since a Range on dates is one read and a Match per resource is
// one each.
func (a *API) genericByDate(ctx context.Context, src query.Source, classes map[rdf.IRI]string, w window) (bool, error) {
	if w.openLo || w.openHi {
		return false, nil
	}
	if acc, ok := src.(query.Accelerator); ok && acc.Features().Join {
		return a.fewerByDate(ctx, src, classes, w)
	}
	return len(classes) > 8, nil
}

// wholeRecord fills rec with what record id's graph g states of it and
// of the measures it ems:observes, as store.Snapshot.Records would.
func wholeRecord(rec *store.Record, id rdf.IRI, g []rdf.Triple) {
	rec.ID = id
	rec.Props = rec.Props[:0]
	rec.Nodes = rec.Nodes[:0]
	nodes := map[string]int{}
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred {
		case vocab.DCIsPartOf, vocab.DCDate, pmjProducedBy:
			rec.Props = append(rec.Props, store.Prop{Pred: t.Pred.(rdf.IRI), Obj: t.Obj})
		case vocab.EMSObserves:
			k := termKey(t.Obj)
			if _, ok := nodes[k]; !ok {
				nodes[k] = len(rec.Nodes)
				rec.Nodes = append(rec.Nodes, nil)
			}
		}
	}
	for _, t := range g {
		i, ok := nodes[termKey(t.Subj)]
		if !ok {
			continue
		}
		switch t.Pred {
		case vocab.EMSMetric, vocab.EMSUnitOfMeasure, vocab.EMSNumericValue:
			rec.Nodes[i] = append(rec.Nodes[i], store.Prop{Pred: t.Pred.(rdf.IRI), Obj: t.Obj})
		}
	}
}

// termKey tells IRIs and blank nodes apart, which String does not.
func termKey(t rdf.Term) string {
	if _, ok := t.(rdf.Blank); ok {
		return "_:" + t.String()
	}
	return "<" + t.String()
}

func isNotFound(err error) bool { return errors.Is(err, query.ErrNotFound) }
