// Package boltsource adapts the bbolt triple store (package store) to the
// query engine's contract: a Source is a store.Snapshot as a query.Source
// and a query.Accelerator with every feature, and a DB wraps a store.DB so
// that its views are query.Sources. It is the one package under query
// that imports store; the engine never sees a store type.
//
//	db := boltsource.New(sdb)
//	err := db.View(ctx, func(src query.Source) error {
//		res, err := query.Run(ctx, src, scope, q, page)
//		...
//	})
//
// The sources View passes also read PM records whole from the indexes
// (RecordReader), which ad-hoc collections use and the engine does not.
package boltsource

import (
	"context"
	"errors"
	"fmt"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
)

// Source is a snapshot of the store as the engine reads it. It is valid
// only inside the function passed to View (store.DB.View), and only in
// that goroutine.
type Source struct {
	sn   *store.Snapshot
	text bool // the store's text index holds query.TextPredicates
}

var (
	_ query.Accelerator = (*Source)(nil)
	_ RecordReader      = (*Source)(nil)
)

// NewSource returns sn as a Source.
func NewSource(sn *store.Snapshot) *Source {
	return &Source{sn: sn, text: textFeature(sn.TextPredicates())}
}

// textFeature tells whether a text index of preds serves the engine: it
// must hold exactly the properties oslc.searchTerms searches.
func textFeature(preds []rdf.IRI) bool { return sameIRIs(preds, query.TextPredicates()) }

// sameIRIs tells whether a and b hold the same IRIs.
func sameIRIs(a, b []rdf.IRI) bool {
	if len(a) != len(b) {
		return false
	}
	in := make(map[rdf.IRI]bool, len(a))
	for _, i := range a {
		in[i] = true
	}
	for _, i := range b {
		if !in[i] {
			return false
		}
	}
	return true
}

// Snapshot returns the snapshot s reads.
func (s *Source) Snapshot() *store.Snapshot { return s.sn }

// RecordReader is the optional interface of the sources DB.View passes
// that read PM records whole from the index entries, measures included,
// without decoding their resources (store.Snapshot.Records). The engine
// does not use it; ad-hoc collections assert it on the source of a view:
//
//	rr, ok := src.(boltsource.RecordReader)
//
// A store without it cannot serve them.
type RecordReader interface {
	Records(ctx context.Context, q store.RecordQuery, fn func(rec *store.Record) bool) error
}

// Records is store.Snapshot.Records.
func (s *Source) Records(ctx context.Context, q store.RecordQuery, fn func(rec *store.Record) bool) error {
	return s.sn.Records(ctx, q, fn)
}

// Match is store.Snapshot.Match: its POSG index lists a predicate's
// objects by sort class, other values before numbers and dateTimes.
func (s *Source) Match(ctx context.Context, subj rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple) bool) error {
	return s.sn.Match(ctx, subj, p, o, fn)
}

// Range is store.Snapshot.Range.
func (s *Source) Range(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt query.RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) error {
	return s.sn.Range(ctx, p, lo, hi, store.RangeOptions(opt), fn)
}

// Resources is store.Snapshot.Resources.
func (s *Source) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	return s.sn.Resources(ctx, after, fn)
}

// Exists is store.Snapshot.Exists.
func (s *Source) Exists(ctx context.Context, id rdf.IRI) (bool, error) {
	return s.sn.Exists(ctx, id)
}

// Get is store.Snapshot.Get; a missing resource is both store.ErrNotFound
// and query.ErrNotFound.
func (s *Source) Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error) {
	g, etag, err = s.sn.Get(ctx, id)
	return g, etag, notFound(err)
}

// Features are all of them when the store's full-text index holds the
// properties oslc.searchTerms searches (query.TextPredicates); else all
// but the text index, and the engine reads those properties' literals.
func (s *Source) Features() query.Features {
	return query.Features{Stats: true, Quads: true, Join: true, Sets: true, Text: s.text, Hits: s.text}
}

// Stats is the resources of store.Snapshot.Stats.
func (s *Source) Stats(ctx context.Context) (query.Stats, error) {
	st, err := s.sn.Stats(ctx)
	return query.Stats{Resources: st.Resources}, err
}

// MatchQuads is store.Snapshot.MatchQuads.
func (s *Source) MatchQuads(ctx context.Context, subj rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple, graph rdf.IRI) bool) error {
	return s.sn.MatchQuads(ctx, subj, p, o, fn)
}

// Pairs is store.Snapshot.Pairs: the pairs the store was opened with
// (store.Options.Pairs).
func (s *Source) Pairs() []query.Pair {
	var ps []query.Pair
	for _, p := range s.sn.Pairs() {
		ps = append(ps, query.Pair{Key: p.Key, Value: p.Value})
	}
	return ps
}

// Count is store.Snapshot.Count.
func (s *Source) Count(ctx context.Context, ps []query.Pattern, limit int) (int, error) {
	return s.sn.Count(ctx, patterns(ps), limit)
}

// Intersect is store.Snapshot.Intersect, or IntersectVia with j.Via.
func (s *Source) Intersect(ctx context.Context, j query.Join, fn func(s rdf.Subject, resource bool) bool) error {
	groups := patternGroups(j.Groups)
	if j.Via != (rdf.IRI{}) {
		return s.sn.IntersectVia(ctx, groups, j.Via, fn)
	}
	return s.sn.Intersect(ctx, groups, func(subj rdf.Subject) bool { return fn(subj, false) })
}

// ResourceSet is store.Snapshot.ResourceSet; the set is a
// *store.ResourceSet.
func (s *Source) ResourceSet(ctx context.Context, j query.Join) (query.ResourceSet, error) {
	rs, err := s.sn.ResourceSet(ctx, patternGroups(j.Groups), j.Via)
	if err != nil {
		return nil, err
	}
	return rs, nil
}

// PageUnder is store.Snapshot.PageUnder, for a set of this source.
func (s *Source) PageUnder(ctx context.Context, rs query.ResourceSet, opt query.PageOptions) ([]rdf.IRI, int, error) {
	set, err := resourceSet(rs)
	if err != nil {
		return nil, 0, err
	}
	return s.sn.PageUnder(ctx, set, opt.Prefix, opt.After, opt.Limit, opt.Count)
}

// RangeIn is store.Snapshot.RangeIn, for a set of this source.
func (s *Source) RangeIn(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt query.RangeInOptions, fn func(s rdf.Subject, o rdf.Literal) bool) (bool, error) {
	set, err := resourceSet(opt.Set)
	if err != nil {
		return false, err
	}
	return s.sn.RangeIn(ctx, p, lo, hi, store.RangeOptions(opt.RangeOptions), set, opt.Limit, fn)
}

// Text is store.Snapshot.TextOwn.
func (s *Source) Text(ctx context.Context, token string, fn func(p query.Posting) bool) error {
	return s.sn.TextOwn(ctx, token, func(subj rdf.Subject, p rdf.IRI, tf int, own bool) bool {
		return fn(query.Posting{Subj: subj, Pred: p, TF: tf, Own: own})
	})
}

// TextPrefix is store.Snapshot.TextPrefix; its postings do not tell Own.
func (s *Source) TextPrefix(ctx context.Context, prefix string, fn func(token string, p query.Posting) bool) error {
	return s.sn.TextPrefix(ctx, prefix, func(token string, subj rdf.Subject, p rdf.IRI, tf int) bool {
		return fn(token, query.Posting{Subj: subj, Pred: p, TF: tf})
	})
}

// TextHits is store.Snapshot.TextHits; the hits are a *store.TextHits.
func (s *Source) TextHits(ctx context.Context, tokens []string) (query.TextHits, error) {
	h, err := s.sn.TextHits(ctx, tokens)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// PageHits is store.Snapshot.PageHits, for hits of this source.
func (s *Source) PageHits(ctx context.Context, h query.TextHits, pick []int, opt query.PageOptions) ([]rdf.IRI, int, error) {
	hits, ok := h.(*store.TextHits)
	if !ok {
		return nil, 0, fmt.Errorf("boltsource: text hits of another source (%T)", h)
	}
	return s.sn.PageHits(ctx, hits, pick, opt.Prefix, opt.After, opt.Limit, opt.Count)
}

// resourceSet is the store's set behind rs.
func resourceSet(rs query.ResourceSet) (*store.ResourceSet, error) {
	set, ok := rs.(*store.ResourceSet)
	if !ok {
		return nil, fmt.Errorf("boltsource: a resource set of another source (%T)", rs)
	}
	return set, nil
}

// patternGroups are the store's patterns of groups.
func patternGroups(groups [][]query.Pattern) [][]store.Pattern {
	out := make([][]store.Pattern, len(groups))
	for i, g := range groups {
		out[i] = patterns(g)
	}
	return out
}

func patterns(ps []query.Pattern) []store.Pattern {
	out := make([]store.Pattern, len(ps))
	for i, p := range ps {
		out[i] = store.Pattern{Pred: p.Pred, Obj: p.Obj, Lo: p.Lo, Hi: p.Hi, Opt: store.RangeOptions(p.Opt), With: p.With, WithObj: p.WithObj}
	}
	return out
}

// notFound makes a store.ErrNotFound also a query.ErrNotFound, keeping its
// message.
func notFound(err error) error {
	if err != nil && errors.Is(err, store.ErrNotFound) {
		return notFoundError{err}
	}
	return err
}

type notFoundError struct{ err error }

func (e notFoundError) Error() string        { return e.err.Error() }
func (e notFoundError) Unwrap() error        { return e.err }
func (e notFoundError) Is(target error) bool { return target == query.ErrNotFound }
